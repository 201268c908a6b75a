#!/usr/bin/env bash
# Sessions and refresh tokens (issue 16) across pg_dump and on a hot standby.
#
# Dump: auth.sessions and auth.refresh_tokens are extension configuration
# tables, so a restored database keeps the sessions: the same refresh token
# still rotates there, its access token still verifies, and an ended
# session's tokens stay refused (its sid: revocation is dumped too).
# Standby: auth.sessions() only reads and works there; auth.refresh() writes
# and fails with 25006 and a message saying why.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 12

SRC=t45_dump_src
DST=t45_dump_dst
DUMP=$AUTH_WORK/t45_dump.pgdump
SDIR=$AUTH_WORK/t45_standby
src() { psql -qAtX -v ON_ERROR_STOP=1 -d $SRC "$@"; }
dst() { psql -qAtX -v VERBOSITY=verbose -d $DST "$@"; }
standby() { psql -qAtX -v VERBOSITY=verbose -h "$SDIR/sock" -p "$SPORT" -d $SRC "$@"; }
cleanup() {
  [ -f "$SDIR/data/postmaster.pid" ] && as_pg pg_ctl -D "$SDIR/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$SDIR"
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" >/dev/null 2>&1
  rm -f "$DUMP"
}
trap cleanup EXIT
cleanup

psql -qX -d postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" >/dev/null
src -c "CREATE EXTENSION auth_ext" \
  -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null || bail "setup failed"
src -c "SELECT auth.signup('kept@example.com', 'password-kept', 'Kept')" >/dev/null || bail "signup failed"
read -r KEEP_T KEEP_R <<<"$(src -c "SELECT s->>'token', s->>'refresh_token' FROM auth.signin('kept@example.com', 'password-kept') s" -F ' ')"
read -r GONE_T GONE_R <<<"$(src -c "SELECT s->>'token', s->>'refresh_token' FROM auth.signin('kept@example.com', 'password-kept') s" -F ' ')"
src -c "BEGIN" -c "SELECT auth.jwt_verify('$GONE_T')" -c "SELECT auth.signout()" -c "COMMIT" >/dev/null

# ---- dump and restore ----
pg_dump -Fc -d $SRC -f "$DUMP" 2>"$AUTH_WORK/t45_dump.log"
ok $? "pg_dump"
pg_restore -d $DST "$DUMP" 2>>"$AUTH_WORK/t45_dump.log"
rc=$?
ok $rc "pg_restore into a new database"
[ $rc = 0 ] || sed 's/^/# /' "$AUTH_WORK/t45_dump.log"
is "$(dst -c "SELECT count(*) FROM auth.sessions")" "2" "the live sessions (sign-up's, sign-in's) are restored, the ended one is not"
is "$(dst -c "BEGIN" -c "SELECT auth.jwt_verify('$KEEP_T') IS NOT NULL" -c "SELECT jsonb_array_length(auth.sessions())" -c "COMMIT" 2>&1)" \
   $'t\n2' "an access token verifies and auth.sessions() lists both"
out=$(dst -c "SELECT auth.jwt_verify('$GONE_T')" 2>&1)
[[ "$out" == *"PT401: Token has been revoked"* ]]; ok $? "the signed-out session's token is still refused (sid revocation restored)"
is "$(dst -c "SELECT auth.refresh('$KEEP_R') ? 'refresh_token'")" "t" "the restored refresh token rotates"
is "$(dst -c "SELECT auth.refresh('$GONE_R')->>'error'")" "Invalid or expired refresh token, please sign in again" \
   "the ended session's refresh token does not"

# ---- hot standby ----
auth_start_replica t45_standby main >/dev/null || bail "standby started (pg_basebackup -R of the primary)"
SPORT=$REPLICA_PORT
auth_wait_replay "$SDIR/sock" "$SPORT"; ok $? "standby caught up"
is "$(standby -c "BEGIN" -c "SELECT auth.jwt_verify('$KEEP_T') IS NOT NULL" \
       -c "SELECT s->0->>'current' FROM auth.sessions() s" -c "COMMIT" 2>&1)" $'t\ntrue' \
   "auth.sessions() reads on the standby, the current session marked"
out=$(standby -c "SELECT auth.refresh('$KEEP_R')" 2>&1)
[[ "$out" == *"25006: cannot refresh a session in a read-only transaction"* && "$out" == *"hot standby"* ]]
ok $? "auth.refresh() on the standby fails with 25006 and says why"
[ $? = 0 ] || echo "# $out"
is "$(src -c "SELECT auth.refresh('$KEEP_R') ? 'refresh_token'")" "t" "the same refresh token still rotates on the primary"
out=$(src -c "BEGIN READ ONLY" -c "SELECT auth.refresh('$KEEP_R')" 2>&1)
[[ "$out" == *"cannot refresh a session in a read-only transaction"* ]]; ok $? "so does a read-only transaction on the primary (25006)"

tap_done
