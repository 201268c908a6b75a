#!/usr/bin/env bash
# test/sh/30_dump.sh: the todo app's tasks survive pg_dump / pg_restore.
# todo.tasks and its id sequence are extension config tables, so their rows
# and position are dumped; the restored database applies the same isolation
# (the policies come back from CREATE EXTENSION), tokens signed before the
# dump still select their owner's tasks, and new tasks get fresh ids.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 6
source "$AUTH_ROOT/test/sh/30_fixture.bash"
DST=t30_dump_dst
T30_CLEANUP='psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DST" >/dev/null 2>&1'
t30_fixture t30_dump_src t30_dump_user

pg_dump -d "$DB" -Fc -f "$AUTH_WORK/t30_dump.pgc"
ok $? "pg_dump of a database with the todo app"
psql -qX -d postgres -c "CREATE DATABASE $DST" >/dev/null
pg_restore -d "$DST" "$AUTH_WORK/t30_dump.pgc" 2>"$AUTH_WORK/t30_restore.err"
ok $? "pg_restore" || sed 's/^/# /' "$AUTH_WORK/t30_restore.err"

dst() { psql -qAtX -d "$DST" "$@"; }
is "$(dst -c "SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks")" "a1,a2,b1" \
   "every task came back (superuser view)"
is "$(dst -c "SELECT count(*) FROM pg_policy WHERE polrelid = 'todo.tasks'::regclass")|$(dst -c "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'todo.tasks'::regclass")" \
   "4|t" "the restored table has the four policies and forced RLS"
got=$(psql -qAtX -d "$DST" -U "$ROLE" -v t="$TA" 2>&1 <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks;
INSERT INTO todo.tasks (title) VALUES ('a3') RETURNING id > 3;
COMMIT;
SQL
)
is "$got" "t a1,a2 t " "a token from before the dump sees its owner's tasks; a new task gets a fresh id"
is "$(psql -qAtX -d "$DST" -U "$ROLE" -c "SELECT count(*) FROM todo.tasks")" "0" \
   "anonymous sees nothing in the restored database"
tap_done
