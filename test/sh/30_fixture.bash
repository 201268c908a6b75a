# test/sh/30_fixture.bash: sourced by the identity area's shell suites (not a
# suite itself: the runner only runs test/sh/*.sh).  A database with the todo
# app, a login role with SELECT on todo.tasks, users A and B, tasks a1 a2
# (A's) and b1 (B's), and a token for A.
#
#   t30_fixture DB ROLE     sets DB ROLE A B TA; drops all of it on exit,
#                           after running $T30_CLEANUP (the suite's own)

su_sql() { psql -qAtX -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

t30_cleanup() {
  [ -n "${T30_CLEANUP:-}" ] && eval "$T30_CLEANUP"
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  psql -qX -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
}

t30_fixture() {
  DB=$1 ROLE=$2
  A=$(cat /proc/sys/kernel/random/uuid) B=$(cat /proc/sys/kernel/random/uuid)
  trap t30_cleanup EXIT
  t30_cleanup
  psql -qX -d postgres -c "CREATE DATABASE $DB" -c "CREATE ROLE $ROLE LOGIN" >/dev/null || exit 1
  su_sql <<SQL || exit 1
CREATE EXTENSION auth_ext;
CREATE EXTENSION auth_ext_todo;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO $ROLE;
INSERT INTO auth.users (id, email, name) VALUES ('$A', '${DB}_a@example.com', 'A'), ('$B', '${DB}_b@example.com', 'B');
INSERT INTO todo.tasks (user_id, title) VALUES ('$A', 'a1'), ('$A', 'a2'), ('$B', 'b1');
SQL
  TA=$(su_sql -c "SELECT auth.jwt_sign(jsonb_build_object('sub', '$A'))")
}
