#!/usr/bin/env bash
# Linked identities on a hot standby (issue 15, item 3; src/identity/linking.c): a
# standby only reads auth.identities, so a subject linked on the primary has
# its local uuid there, while the first token of a subject that a
# provisioning issuer has not seen yet verifies as an unlinked one
# (auth.uid() NULL, auth.user_id() the provider's subject) and writes
# nothing, instead of failing.  A standby session that cached "not linked"
# sees the link once the primary's provisioning is replayed.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 8

DB=t45_standby
SDIR=$AUTH_WORK/t45_standby
ISS=https://provision.standby.example
primary() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB "$@"; }
standby() { psql -qAtX -v VERBOSITY=verbose -h "$SDIR/sock" -p "$SPORT" -d $DB "$@"; }
cleanup() {
  [ -f "$SDIR/data/postmaster.pid" ] && as_pg pg_ctl -D "$SDIR/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$SDIR"
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT
# "uid user_id" of a token in one transaction (uid "-" when NULL)
ident() { # ident primary|standby TOKEN
  "$1" -c "BEGIN" -c "SELECT auth.jwt_verify('$2') IS NULL" \
    -c "SELECT coalesce(auth.uid()::text, '-') || ' ' || auth.user_id()" -c "COMMIT" 2>&1 | tail -1
}

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
# the issuer's key: one of our own, trusted as another provider (it signs with jwt_sign)
primary -c "CREATE EXTENSION auth_ext" -c "SELECT auth.create_key('ES256') IS NULL" \
  -c "SELECT auth.trust_issuer('$ISS', jsonb_build_object('keys', auth.jwks()->'keys'), NULL, '{\"provision\": true}') IS NULL" \
  >/dev/null || bail "issuer trusted"
sign() { primary -c "SELECT auth.jwt_sign(jsonb_build_object('iss', '$ISS', 'sub', '$1'))"; }
KNOWN=$(sign known) NEW=$(sign newbie) LATE=$(sign late)
U=$(ident primary "$KNOWN" | cut -d' ' -f1)
[[ "$U" =~ ^[0-9a-f-]{36}$ ]] || bail "the primary provisioned 'known' ($U)"

auth_start_replica t45_standby main >/dev/null || bail "standby started (pg_basebackup -R of the primary)"
SPORT=$REPLICA_PORT
replayed() { auth_wait_replay "$SDIR/sock" "$SPORT"; }
is "$(standby -c 'SELECT pg_is_in_recovery()')" "t" "it is a hot standby"
replayed; ok $? "standby caught up"

is "$(ident standby "$KNOWN")" "$U $U" "a subject provisioned on the primary has its local uuid on the standby"
is "$(ident standby "$NEW")" "- newbie" "an unseen subject verifies on the standby, unlinked (auth.uid() NULL), no error"
is "$(primary -c "SELECT count(*) FROM auth.identities WHERE subject = 'newbie'")" "0" "and nothing was provisioned"

# one standby session: "late" is not linked (cached), then the primary
# provisions it; after replay the same session has its uuid
cat >"$SDIR/provision.sh" <<SH
psql -qAtX -h "$PGHOST" -p "$PGPORT" -d $DB -c "BEGIN" -c "SELECT auth.jwt_verify('$LATE') IS NULL" -c "COMMIT" >/dev/null
lsn=\$(psql -qAtX -h "$PGHOST" -p "$PGPORT" -d $DB -c "SELECT pg_current_wal_lsn()")
for _ in \$(seq 1 300); do
  [ "\$(psql -qAtX -h "$SDIR/sock" -p "$SPORT" -d $DB -c "SELECT pg_last_wal_replay_lsn() >= '\$lsn'::pg_lsn")" = t ] && exit 0
  sleep 0.1
done
exit 1
SH
q=(-c "BEGIN" -c "SELECT auth.jwt_verify('$LATE') IS NULL" -c "SELECT coalesce(auth.uid()::text, '-')" -c "COMMIT")
out=$(standby "${q[@]}" "${q[@]}" -c "\\! bash $SDIR/provision.sh" "${q[@]}" 2>&1 | grep -vx f)
L=$(primary -c "SELECT user_id FROM auth.identities WHERE subject = 'late'")
is "$out" "-"$'\n'"-"$'\n'"$L" "one standby session: unlinked twice, then the uuid provisioned on the primary once replayed"

# the owner's unlink on the primary reaches the standby too
primary -c "SELECT auth.unlink_identity('$ISS', 'known') IS NULL" >/dev/null
replayed
is "$(ident standby "$KNOWN")" "- known" "an unlink on the primary counts on the standby once replayed"
log_clean "$SDIR/server.log" "standby log: no crash"
tap_done
