#!/usr/bin/env bash
# test/sh/70_replica.sh: a streaming replica (area 70).  pg_basebackup -R of
# the test cluster, hot standby on its own socket (auth_start_replica in
# scripts/lib.sh), stopped at the end also on failure.  On the replica:
# tokens minted on the primary verify; isolation holds for reads; sign-in
# and sign-up are refused with a clear read-only error, not a crash; a key
# retired on the primary stops verifying there once replayed, and a key
# created on the primary verifies there once replayed.
source "$AUTH_ROOT/scripts/tap.sh"
plan 15
source "$AUTH_ROOT/scripts/lib.sh"
set -u
DB=t70_replica
RNAME=t70_replica
trap 'auth_stop $RNAME; rm -rf "$AUTH_WORK/$RNAME"' EXIT
q() { psql -qXAt -v ON_ERROR_STOP=1 -d $DB "$@"; }
psql -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -qX -c "CREATE DATABASE $DB" >/dev/null
psql -qX -c "DO \$\$ BEGIN CREATE ROLE t70r_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
q >/dev/null <<'SQL'
CREATE EXTENSION auth_ext;
CREATE EXTENSION auth_ext_todo;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t70r_app;
SELECT auth.configure('password.argon2_memory_kib', '1024');
SELECT auth.configure('password.argon2_iterations', '1');
SQL
ta=$(q -c "SELECT auth.signup('ra@t70.example', 'password-a', 'A')->>'token'")
tb=$(q -c "SELECT auth.signup('rb@t70.example', 'password-b', 'B')->>'token'")
for t in "$ta" "$tb"; do
  q -c "BEGIN" -c "SET LOCAL ROLE t70r_app" -c "SELECT auth.jwt_verify('$t')" \
    -c "INSERT INTO todo.tasks (title) SELECT 'task ' || auth.email() FROM generate_series(1, 2)" -c "COMMIT" >/dev/null
done
ok $? "primary: two users with two tasks each"

auth_start_replica $RNAME main >/dev/null || bail "replica started (pg_basebackup -R, hot standby)"
rq() { psql -qXAt -h "$REPLICA_HOST" -p "$REPLICA_PORT" -d $DB "$@"; }
auth_wait_replay "$REPLICA_HOST" "$REPLICA_PORT"; ok $? "replica caught up"
is "$(rq -c "SELECT pg_is_in_recovery()")" "t" "connected to the replica"

is "$(rq -c "SELECT auth.jwt_verify('$ta')->>'email'")" "ra@t70.example" "a token minted on the primary verifies on the replica"
is "$(rq -c "BEGIN" -c "SET LOCAL ROLE t70r_app" -c "SELECT auth.jwt_verify('$ta') IS NOT NULL" \
        -c "SELECT count(*) || '/' || count(*) FILTER (WHERE title = 'task ra@t70.example') FROM todo.tasks" -c "COMMIT" | tail -1)" "2/2" \
   "isolation holds for reads on the replica (A sees exactly A's two tasks)"
is "$(rq -c "BEGIN" -c "SET LOCAL ROLE t70r_app" -c "SELECT count(*) FROM todo.tasks" -c "COMMIT" | tail -1)" "0" \
   "anonymous sees no task on the replica"

out=$(rq -v VERBOSITY=verbose -c "SELECT auth.signin('ra@t70.example', 'password-a')" 2>&1)
echo "$out" | grep -qE 'ERROR: +25006: .*read-only'
ok $? "sign-in on the replica is refused with SQLSTATE 25006 (read-only)" || echo "$out" | sed 's/^/# /' | head -3
out=$(rq -v VERBOSITY=verbose -c "SELECT auth.signup('rc@t70.example', 'password-c', 'C')" 2>&1)
echo "$out" | grep -qE 'ERROR: +25006: .*read-only'
ok $? "sign-up on the replica is refused with SQLSTATE 25006 (read-only)" || echo "$out" | sed 's/^/# /' | head -3
is "$(rq -c "SELECT 1")" "1" "the replica still answers afterwards"

# key rotation on the primary
kid_old=$(q -c "SELECT auth.jwt_decode_unverified('$ta')->'header'->>'kid'")
kid_new=$(q -c "SELECT auth.create_key('ES256')")
tn=$(q -c "SELECT auth.jwt_sign('{\"sub\":\"after-rotation\"}')")
# the replica's backend keeps its key cache: one session across the rotation
# (psql reading a fifo; rs CMD sends CMD and prints its output)
RDIR=$AUTH_WORK/$RNAME
mkfifo "$RDIR/in"
psql -qXAt -h "$REPLICA_HOST" -p "$REPLICA_PORT" -d $DB <"$RDIR/in" >>"$RDIR/out" 2>&1 &
exec 7>"$RDIR/in"
rs() {
  local m=EOQ$RANDOM$RANDOM
  : >"$RDIR/out"
  echo "$1" >&7; echo "SELECT '$m';" >&7
  for _ in $(seq 100); do grep -q "^$m\$" "$RDIR/out" && break; sleep 0.1; done
  grep -v "^$m\$" "$RDIR/out"
}
is "$(rs "SELECT auth.jwt_verify('$ta')->>'email';")" "ra@t70.example" "replica session verifies with the old key (cached)"
q -c "SELECT auth.retire_key('$kid_old')" >/dev/null
auth_wait_replay "$REPLICA_HOST" "$REPLICA_PORT"; ok $? "rotation replayed"
rs "SELECT auth.jwt_verify('$ta');" | grep -q 'Invalid token'
ok $? "the same replica session refuses a token of the key retired on the primary"
is "$(rs "SELECT auth.jwt_verify('$tn')->>'sub';")" "after-rotation" "and verifies a token of the key created on the primary"
is "$(rq -c "SELECT auth.jwt_verify('$tn')->>'sub'")" "after-rotation" "a new replica session too"
exec 7>&-
wait 2>/dev/null

log_clean "$AUTH_WORK/$RNAME/server.log" "no crashed backend on the replica"
psql -qX -c "DROP DATABASE $DB" >/dev/null
psql -qX -c "DROP ROLE IF EXISTS t70r_app" >/dev/null 2>&1
tap_done
