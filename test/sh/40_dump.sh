#!/usr/bin/env bash
# pg_dump keeps the accounts (area 40): users, keys, revocations and the todo
# app's tasks are extension configuration tables, so a dump restored into a
# new database still signs the same people in, still refuses signed-out
# tokens, and still has everyone's tasks.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 8

SRC=t40_dump_src
DST=t40_dump_dst
DUMP=$AUTH_WORK/t40_dump.pgdump
src() { psql -qAtX -v ON_ERROR_STOP=1 -d $SRC "$@"; }
dst() { psql -qAtX -v VERBOSITY=verbose -d $DST "$@"; }
cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" >/dev/null 2>&1
  rm -f "$DUMP"
}
trap cleanup EXIT
cleanup

psql -qX -d postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" >/dev/null
src -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" \
  -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null
src -c "SELECT auth.signup('kept@example.com', 'password-kept', 'Kept')" >/dev/null
KEEP=$(src -c "SELECT auth.signin('kept@example.com', 'password-kept')->>'token'")
GONE=$(src -c "SELECT auth.signin('kept@example.com', 'password-kept')->>'token'")
src -c "BEGIN" -c "SELECT auth.jwt_verify('$GONE')" -c "SELECT auth.signout()" -c "COMMIT" >/dev/null
src -c "BEGIN" -c "SELECT auth.jwt_verify('$KEEP')" \
  -c "INSERT INTO todo.tasks (title) VALUES ('first'), ('second')" -c "COMMIT" >/dev/null

pg_dump -Fc -d $SRC -f "$DUMP" 2>"$AUTH_WORK/t40_dump.log"
ok $? "pg_dump"
pg_restore -d $DST "$DUMP" 2>>"$AUTH_WORK/t40_dump.log"
ok $? "pg_restore into a new database"
[ $? = 0 ] || sed 's/^/# /' "$AUTH_WORK/t40_dump.log"

is "$(dst -c "SELECT email || ' ' || name FROM auth.users")" "kept@example.com Kept" "the user is restored"
is "$(dst -c "SELECT auth.signin('kept@example.com', 'password-kept') ? 'token'")" "t" "and signs in with the same password"
is "$(dst -c "SELECT auth.jwt_verify('$KEEP')->>'email'" 2>&1)" "kept@example.com" "a token minted before the dump still verifies (keys restored)"
out=$(dst -c "SELECT auth.jwt_verify('$GONE')" 2>&1)
[[ "$out" == *"PT401: Token has been revoked, please log in again"* ]]; ok $? "a token signed out before the dump is still refused (revocations restored)"
is "$(dst -c "SELECT string_agg(title, ',' ORDER BY id) FROM todo.tasks")" "first,second" "the tasks are restored"
is "$(dst -c "BEGIN" -c "SELECT auth.jwt_verify('$KEEP') IS NOT NULL" \
       -c "INSERT INTO todo.tasks (title) VALUES ('third') RETURNING title" -c "COMMIT" 2>&1)" $'t\nthird' \
   "a new task after the restore does not collide with restored ids"

tap_done
