#!/usr/bin/env bash
# pg_dump keeps linked identities (issue 15, item 3): auth.identities is an
# extension configuration table like auth.users and auth.trusted_issuers, so
# after a restore into a new database a linked (or provisioned) subject is
# still the same local user, with the same tasks, and nothing is provisioned
# twice.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 6

SRC=t45_dump_src
DST=t45_dump_dst
DUMP=$AUTH_WORK/t45_dump.pgdump
ISS=https://provision.dump.example
src() { psql -qAtX -v ON_ERROR_STOP=1 -d $SRC "$@"; }
dst() { psql -qAtX -v VERBOSITY=verbose -d $DST "$@"; }
cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS t45_dump_app" >/dev/null 2>&1
  rm -f "$DUMP"
}
trap cleanup EXIT
cleanup

psql -qX -d postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" >/dev/null
# the issuer's key: one of our own, trusted as another provider (it signs with jwt_sign)
src -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" -c "SELECT auth.create_key('ES256') IS NULL" \
  -c "SELECT auth.trust_issuer('$ISS', jsonb_build_object('keys', auth.jwks()->'keys'), NULL, '{\"provision\": true}') IS NULL" \
  >/dev/null || bail "issuer trusted"
sign() { src -c "SELECT auth.jwt_sign(jsonb_build_object('iss', '$ISS', 'sub', '$1'))"; }
PROV=$(sign provisioned) LINKED=$(sign linked-by-owner)
src -c "BEGIN" -c "SELECT auth.jwt_verify('$PROV') IS NULL" -c "INSERT INTO todo.tasks (title) VALUES ('kept')" -c "COMMIT" \
  >/dev/null || bail "a provisioned user's task"
U=$(src -c "SELECT user_id FROM auth.identities WHERE subject = 'provisioned'")
src -c "SELECT auth.link_identity('$ISS', 'linked-by-owner', '$U') IS NULL" >/dev/null || bail "linked by the owner"

pg_dump -Fc -d $SRC -f "$DUMP" 2>"$AUTH_WORK/t45_dump.log"
ok $? "pg_dump"
pg_restore -d $DST "$DUMP" 2>>"$AUTH_WORK/t45_dump.log"
ok $? "pg_restore into a new database"
[ $? = 0 ] || sed 's/^/# /' "$AUTH_WORK/t45_dump.log"

is "$(dst -c "SELECT string_agg(subject || ' ' || user_id, ',' ORDER BY subject) FROM auth.identities")" \
   "linked-by-owner $U,provisioned $U" "both links are restored"
# as an application role, so that RLS decides which tasks it sees
dst -c "CREATE ROLE t45_dump_app" -c "GRANT SELECT ON todo.tasks TO t45_dump_app" >/dev/null
ident() { dst -c "BEGIN" -c "SET LOCAL ROLE t45_dump_app" -c "SELECT auth.jwt_verify('$1') IS NULL" -c "SELECT auth.uid()" \
  -c "SELECT string_agg(title, ',') FROM todo.tasks" -c "COMMIT" 2>&1 | tail -2 | paste -sd' '; }
is "$(ident "$PROV")" "$U kept" "the provisioned subject is the same local user, with its task"
is "$(ident "$LINKED")" "$U kept" "so is the subject the owner linked"
is "$(dst -c "SELECT count(*) FROM auth.users")" "1" "nothing was provisioned again"

tap_done
