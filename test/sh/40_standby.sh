#!/usr/bin/env bash
# Revocation on a hot standby (area 40): auth_revocation_check() only reads,
# so a token signed out (or signed out everywhere) on the primary is refused
# by jwt_verify on a streaming replica once the revocation is replayed, and a
# token that was not revoked still verifies there.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 9

DB=t40_standby
SDIR=$AUTH_WORK/t40_standby
primary() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB "$@"; }
standby() { psql -qAtX -v VERBOSITY=verbose -h "$SDIR/sock" -p "$SPORT" -d $DB "$@"; }
cleanup() {
  [ -f "$SDIR/data/postmaster.pid" ] && as_pg pg_ctl -D "$SDIR/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$SDIR"
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
primary -c "CREATE EXTENSION auth_ext" \
  -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null
primary -c "SELECT auth.signup('replica@example.com', 'password-replica', 'Replica')" >/dev/null
T1=$(primary -c "SELECT auth.signin('replica@example.com', 'password-replica')->>'token'")
T2=$(primary -c "SELECT auth.signin('replica@example.com', 'password-replica')->>'token'")

# a streaming replica of the test cluster, on a socket of its own (scripts/lib.sh)
auth_start_replica t40_standby main >/dev/null || bail "standby started (pg_basebackup -R of the primary)"
SPORT=$REPLICA_PORT
is "$(standby -c 'SELECT pg_is_in_recovery()')" "t" "it is a hot standby"

# waits until the standby has replayed everything the primary wrote so far
replayed() { auth_wait_replay "$SDIR/sock" "$SPORT"; }

replayed; ok $? "standby caught up"
is "$(standby -c "SELECT auth.jwt_verify('$T1')->>'email'" 2>&1)" "replica@example.com" "before sign-out the token verifies on the standby"

primary -c "BEGIN" -c "SELECT auth.jwt_verify('$T1')" -c "SELECT auth.signout()" -c "COMMIT" >/dev/null
replayed; ok $? "sign-out replayed"
out=$(standby -c "SELECT auth.jwt_verify('$T1')" 2>&1)
[[ "$out" == *"PT401: Token has been revoked, please log in again"* ]]; ok $? "the signed-out token is refused on the standby (PT401)"
is "$(standby -c "SELECT auth.jwt_verify('$T2')->>'email'" 2>&1)" "replica@example.com" "another token of the user still verifies on the standby"

primary -c "BEGIN" -c "SELECT auth.jwt_verify('$T2')" -c "SELECT auth.signout_everywhere()" -c "COMMIT" >/dev/null
replayed; ok $? "sign-out everywhere replayed"
out=$(standby -c "SELECT auth.jwt_verify('$T2')" 2>&1)
[[ "$out" == *"PT401: Token has been revoked, please log in again"* ]]; ok $? "after sign-out everywhere the standby refuses every earlier token"

# A standby session that keeps verifying a token forgets it was fine once
# the sign-out is replayed (the relcache invalidation travels in the WAL).
sleep 1.1 # past the second of the sign-out everywhere (iat has whole seconds)
T3=$(primary -c "SELECT auth.signin('replica@example.com', 'password-replica')->>'token'")
replayed
cat >"$SDIR/signout.sh" <<SH
psql -qAtX -h "$PGHOST" -p "$PGPORT" -d $DB -c "BEGIN" -c "SELECT auth.jwt_verify('$T3')" -c "SELECT auth.signout()" -c "COMMIT" >/dev/null
lsn=\$(psql -qAtX -h "$PGHOST" -p "$PGPORT" -d $DB -c "SELECT pg_current_wal_lsn()")
for _ in \$(seq 1 300); do
  [ "\$(psql -qAtX -h "$SDIR/sock" -p "$SPORT" -d $DB -c "SELECT pg_last_wal_replay_lsn() >= '\$lsn'::pg_lsn")" = t ] && exit 0
  sleep 0.1
done
exit 1
SH
out=$(standby -c "SELECT auth.jwt_verify('$T3')->>'email'" -c "SELECT auth.jwt_verify('$T3')->>'email'" \
  -c "\\! bash $SDIR/signout.sh" -c "SELECT auth.jwt_verify('$T3')->>'email'" 2>&1)
[[ "$out" == "replica@example.com"$'\n'"replica@example.com"$'\n'*"PT401: Token has been revoked"* ]]
rc=$?
ok $rc "one standby session: verified twice, then refused after the sign-out is replayed"
[ $rc = 0 ] || echo "# $out"

tap_done
