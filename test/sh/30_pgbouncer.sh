#!/usr/bin/env bash
# test/sh/30_pgbouncer.sh: a real PgBouncer (Debian package) in transaction
# pooling mode with ONE server connection in front of the test cluster.
# Client A verifies a token and reads its tasks in a transaction; client B's
# next transaction runs on the same server connection (same backend pid) and
# must see no identity and no rows.  PgBouncer listens only on a unix socket
# in $AUTH_WORK and is stopped at the end, also on failure.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 13
source "$AUTH_ROOT/scripts/lib.sh"

DIR=$AUTH_WORK/t30_pgbouncer
source "$AUTH_ROOT/test/sh/pgbouncer.bash"
stop_bouncer() { pgbouncer_stop "$DIR"; }

source "$AUTH_ROOT/test/sh/30_fixture.bash"
T30_CLEANUP=stop_bouncer
t30_fixture t30_pool t30_pool_user

pgbouncer_start "$DIR" "$DB" "$ROLE"

# through the pooler, as the application role
bsql() { psql -qAtX -h "$DIR" -p "$BPORT" -U "$ROLE" -d "$DB" -v ON_ERROR_STOP=1 "$@"; }

out=$(bsql -v t="$TA" <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT coalesce(auth.user_id(), '<anon>');
SELECT count(*) FROM todo.tasks;
SELECT pg_backend_pid();
COMMIT;
SQL
)
read -r a_ok a_who a_count a_pid <<<"$out"
is "$a_ok $a_who $a_count" "t $A 2" "client A: verified, reads its 2 tasks in a transaction"

out=$(bsql <<'SQL' | tr '\n' ' '
BEGIN;
SELECT pg_backend_pid();
SELECT coalesce(auth.user_id(), '<anon>');
SELECT count(*) FROM todo.tasks;
COMMIT;
SQL
)
read -r b_pid b_who b_count <<<"$out"
is "$b_pid" "$a_pid" "client B's transaction runs on the same server connection"
is "$b_who" "<anon>" "client B sees no identity"
is "$b_count" "0" "client B sees no rows"

# A in autocommit mode (each statement its own transaction), B right after
out=$(bsql -v t="$TA" 2>&1 <<<"SELECT auth.jwt_verify(:'t') IS NOT NULL;")
is "$out" "t" "client A verifies outside a transaction block"
out=$(bsql -c "SELECT coalesce(auth.user_id(), '<anon>') || ' ' || (SELECT count(*) FROM todo.tasks)")
is "$out" "<anon> 0" "client B's next statement: no identity, no rows"

# Two clients connected at once, interleaved on the one server connection
coproc CA { psql -qAtX -h "$DIR" -p "$BPORT" -U "$ROLE" -d "$DB" -v t="$TA" 2>&1; }
ca_pid=$CA_PID  # bash unsets CA_PID as soon as the coprocess exits
printf '%s\n' "BEGIN;" "SELECT auth.jwt_verify(:'t') IS NOT NULL;" "SELECT count(*) FROM todo.tasks;" "COMMIT;" >&"${CA[1]}"
read -r -t 10 a_ok <&"${CA[0]}"
read -r -t 10 a_count <&"${CA[0]}"
out=$(bsql -c "SELECT coalesce(auth.user_id(), '<anon>') || ' ' || (SELECT count(*) FROM todo.tasks)")
echo "SELECT coalesce(auth.user_id(), '<anon>'), (SELECT count(*) FROM todo.tasks);" >&"${CA[1]}"
read -r -t 10 a_after <&"${CA[0]}"
exec {CA[1]}>&-
wait "$ca_pid" 2>/dev/null
is "$a_ok $a_count $out" "t 2 <anon> 0" "while A stays connected, B's transaction between A's sees nothing"
is "$a_after" "<anon>|0" "A's own next transaction is anonymous again"

# PostgREST's flow: pre_request reads the bearer token from request.headers
out=$(bsql -v h="{\"authorization\": \"Bearer $TA\"}" <<'SQL' | tr '\n' ' '
START TRANSACTION READ ONLY;
SELECT set_config('request.headers', :'h', true) IS NOT NULL;
SELECT auth.pre_request() IS NOT NULL;
SELECT count(*) FROM todo.tasks;
COMMIT;
SQL
)
is "$out" "t t 2 " "pre_request through the pooler, in a read-only transaction"
out=$(bsql -c "SELECT coalesce(auth.user_id(), '<anon>') || ' ' || (SELECT count(*) FROM todo.tasks) || ' ' || coalesce(current_setting('request.headers', true), '')")
is "$out" "<anon> 0 " "the next transaction has neither the identity nor the request headers"

# identity.from_request on: the readers take the request's token themselves,
# but only from request settings of the current transaction.  Client A
# leaves its bearer header at session level on the one server connection;
# B's next transaction must not become A.
su_sql -c "SELECT auth.configure('identity.from_request', 'on')" >/dev/null
out=$(bsql -v h="{\"authorization\": \"Bearer $TA\"}" <<'SQL' | tr '\n' ' '
START TRANSACTION READ ONLY;
SELECT set_config('request.headers', :'h', true) IS NOT NULL;
SELECT coalesce(auth.user_id(), '<anon>'), (SELECT count(*) FROM todo.tasks);
COMMIT;
SQL
)
is "$out" "t $A|2 " "from_request through the pooler: the transaction's own bearer header makes A, no pre_request"
out=$(bsql -v h="{\"authorization\": \"Bearer $TA\"}" <<'SQL' | tr '\n' ' '
SELECT set_config('request.headers', :'h', false) IS NOT NULL;
SELECT pg_backend_pid();
SQL
)
read -r a_set a_pid <<<"$out"
out=$(bsql -c "SELECT pg_backend_pid() || ' ' || coalesce(auth.user_id(), '<anon>') || ' ' || (SELECT count(*) FROM todo.tasks) || ' ' || (current_setting('request.headers', true) LIKE '%Bearer%')")
is "$a_set $out" "t $a_pid <anon> 0 true" \
   "a session-level bearer header left by A is still on the connection, and B's transaction is not A"
su_sql -c "SELECT auth.configure('identity.from_request', 'off')" >/dev/null

stop_bouncer
[ ! -f "$DIR/pgbouncer.pid" ]
ok $? "pgbouncer stopped"
tap_done
