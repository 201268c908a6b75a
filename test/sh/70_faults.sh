#!/usr/bin/env bash
# test/sh/70_faults.sh: faults (area 70), on a cluster of its own (a kill -9
# makes the postmaster reset every backend and writes "terminated by signal"
# to its log, which must not happen on the shared test cluster).
#   - kill -9 of a backend in the middle of a sign-up (its INSERT blocked on
#     a lock another session holds) and in the middle of a key rotation
#     (create_key blocked in its INSERT, after the key pair was generated): after crash recovery there is no half-created
#     user and no key without its public part, and both can be redone;
#   - pg_ctl restart -m immediate: every user still signs in with the same
#     password, every task is still there and still isolated;
#   - pg_dump, restore into a fresh database: sign-in with the same
#     passwords, tokens issued before the dump still verify, isolation holds.
source "$AUTH_ROOT/scripts/tap.sh"
plan 26
source "$AUTH_ROOT/scripts/lib.sh"
set -u
MAIN_PGHOST=$PGHOST MAIN_PGPORT=$PGPORT
auth_start t70_faults "" >/dev/null || bail "start a cluster for the fault tests"
FDIR=$AUTH_WORK/t70_faults
auth_expect_kills t70_faults 2   # the two kill -9 below; any other crash fails the run
trap 'as_pg "$AUTH_BINDIR/pg_ctl" -D "$FDIR/data" -m immediate -w stop >/dev/null 2>&1' EXIT
DB=t70_faults
U=8          # users
q() { psql -qXAt -v ON_ERROR_STOP=1 -d "${QDB:-$DB}" "$@"; }
wait_up() { for _ in $(seq 300); do psql -qXAt -d postgres -c "SELECT 1" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
wait_lock() { # wait until the backend with application_name $1 waits on a lock; prints its pid
  local pid
  for _ in $(seq 300); do
    pid=$(psql -qXAt -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND wait_event_type = 'Lock'")
    [ -n "$pid" ] && { echo "$pid"; return 0; }
    sleep 0.1
  done
  return 1
}

psql -qX -d postgres -c "CREATE DATABASE $DB" -c "CREATE ROLE t70f_app NOLOGIN" >/dev/null
q >/dev/null <<'SQL'
CREATE EXTENSION auth_ext;
CREATE EXTENSION auth_ext_todo;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t70f_app;
SELECT auth.configure('password.argon2_memory_kib', '1024');
SELECT auth.configure('password.argon2_iterations', '1');
SQL
ok $? "cluster, database and app role for the fault tests"

# U users with 3 tasks each, written through their own tokens and RLS
declare -A TOK
for i in $(seq $U); do
  TOK[$i]=$(q -c "SELECT auth.signup('user$i@t70.example', 'password-$i-long', 'User $i')->>'token'")
  q -c "BEGIN" -c "SET LOCAL ROLE t70f_app" -c "SELECT auth.jwt_verify('${TOK[$i]}')" \
    -c "INSERT INTO todo.tasks (title) SELECT 'task ' || g || ' of $i' FROM generate_series(1, 3) g" -c "COMMIT" >/dev/null
done
is "$(q -c "SELECT count(*) || '/' || count(DISTINCT user_id) FROM todo.tasks")" "$((3 * U))/$U" "$U users with 3 tasks each"

# checks that every user signs in with the same password and sees exactly
# their own 3 tasks; prints the number of users for whom that holds
check_all() {
  local good=0 i tok out
  for i in $(seq $U); do
    tok=$(q -c "SELECT auth.signin('user$i@t70.example', 'password-$i-long')->>'token'" 2>/dev/null)
    [ -n "$tok" ] || continue
    out=$(q -c "BEGIN" -c "SET LOCAL ROLE t70f_app" -c "SELECT auth.jwt_verify('$tok') IS NOT NULL" \
            -c "SELECT count(*) || ':' || count(*) FILTER (WHERE title LIKE '% of $i') FROM todo.tasks" -c "COMMIT" 2>/dev/null | tail -1)
    [ "$out" = "3:3" ] && good=$((good + 1))
  done
  echo "$good"
}
wait_holder() { # wait until the backend with application_name $1 holds its lock (it is in pg_sleep)
  for _ in $(seq 300); do
    [ -n "$(psql -qXAt -d postgres -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$1' AND state = 'active' AND query LIKE 'SELECT pg_sleep%'")" ] && return 0
    sleep 0.1
  done
  return 1
}

keys0=$(q -c "SELECT count(*) FROM auth.keys")
users0=$(q -c "SELECT count(*) FROM auth.users")

# ---- kill -9 in the middle of a sign-up ----
PGAPPNAME=t70_holder_users q -c "BEGIN" -c "LOCK TABLE auth.users IN SHARE ROW EXCLUSIVE MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
wait_holder t70_holder_users || bail "a session holds a lock on auth.users"   # polled, not a sleep racing it
PGAPPNAME=t70_signup q -c "SELECT auth.signup('victim@t70.example', 'password-victim', 'Victim')" >/dev/null 2>&1 &
victim=$(wait_lock t70_signup)
ok $? "a sign-up is blocked inside its INSERT into auth.users"
kill -9 "$victim"
wait_up; ok $? "the server recovered from the killed backend"
wait $holder 2>/dev/null
is "$(q -c "SELECT count(*) FROM auth.users")" "$users0" "no half-created user"
is "$(q -c "SELECT count(*) FROM auth.users WHERE email = 'victim@t70.example'")" "0" "the killed sign-up left nothing behind"
is "$(q -c "SELECT auth.signup('victim@t70.example', 'password-victim', 'Victim')->>'token' IS NOT NULL")" "t" \
   "the same sign-up succeeds afterwards"

# ---- kill -9 in the middle of a key rotation ----
PGAPPNAME=t70_holder_keys q -c "BEGIN" -c "LOCK TABLE auth.keys IN SHARE ROW EXCLUSIVE MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
wait_holder t70_holder_keys || bail "a session holds a lock on auth.keys"   # polled, not a sleep racing it
PGAPPNAME=t70_rotate q -c "SELECT auth.create_key('RS256')" >/dev/null 2>&1 &
victim=$(wait_lock t70_rotate)
ok $? "a key rotation (create_key RS256) is blocked inside its INSERT, after key generation"
kill -9 "$victim"
wait_up; ok $? "the server recovered again"
wait $holder 2>/dev/null
is "$(q -c "SELECT count(*) FROM auth.keys")" "$keys0" "no key from the killed rotation"
is "$(q -c "SELECT count(*) FROM auth.keys WHERE public_jwk IS NULL OR public_jwk = '{}'::jsonb OR (NOT verify_only AND private_key IS NULL)")" "0" \
   "no key without its public part (or its private part)"
kid=$(q -c "SELECT auth.create_key('ES256')")
ok $? "a rotation succeeds afterwards"
tok_new=$(q -c "SELECT auth.jwt_sign('{\"sub\":\"after-rotation\"}')")
is "$(q -c "SELECT auth.jwt_decode_unverified('$tok_new')->'header'->>'kid'")" "$kid" "the new key signs"
is "$(q -c "SELECT auth.jwt_verify('${TOK[1]}')->>'email'")" "user1@t70.example" "tokens signed by the old key still verify"
is "$(check_all)" "$U" "after two crashes every user signs in and sees exactly their own tasks"

is "$(grep -c 'terminated by signal 9' "$FDIR/server.log")" "2" "both backends really were killed (server log)"

# ---- immediate restart ----
as_pg "$AUTH_BINDIR/pg_ctl" -D "$FDIR/data" -l "$FDIR/server.log" -m immediate -w -t 60 restart >/dev/null
ok $? "pg_ctl restart -m immediate"
wait_up
is "$(q -c "SELECT count(*) || '/' || count(DISTINCT user_id) FROM todo.tasks")" "$((3 * U))/$U" "every task is still there"
is "$(check_all)" "$U" "every user signs in with the same password and sees exactly their own tasks"
is "$(q -c "SELECT auth.jwt_verify('${TOK[2]}')->>'email'")" "user2@t70.example" "a token issued before the crash still verifies"

# ---- pg_dump and restore into a fresh database ----
pg_dump -d $DB -Fc -f "$FDIR/t70.dump" 2>"$FDIR/dump.err"
ok $? "pg_dump"
psql -qX -d postgres -c "CREATE DATABASE ${DB}_restored" >/dev/null
pg_restore -d ${DB}_restored "$FDIR/t70.dump" 2>"$FDIR/restore.err"
ok $? "pg_restore into a fresh database" || sed 's/^/# /' "$FDIR/restore.err" | head -10
DB=${DB}_restored
is "$(q -c "SELECT count(*) || '/' || count(DISTINCT user_id) FROM todo.tasks")" "$((3 * U))/$U" "the tasks were restored"
is "$(check_all)" "$U" "in the restored database every user signs in with the same password and sees only their tasks"
ok=0
for i in $(seq $U); do
  [ "$(q -c "SELECT auth.jwt_verify('${TOK[$i]}')->>'email'" 2>/dev/null)" = "user$i@t70.example" ] && ok=$((ok + 1))
done
is "$ok" "$U" "tokens issued before the dump verify in the restored database"
is "$(q -c "BEGIN" -c "SET LOCAL ROLE t70f_app" -c "SELECT auth.jwt_verify('${TOK[3]}') IS NOT NULL" \
        -c "SELECT count(*) FILTER (WHERE user_id <> auth.uid()) FROM todo.tasks" -c "COMMIT" | tail -1)" "0" \
   "isolation holds in the restored database (no other user's row)"

psql -qX -d postgres -c "DROP ROLE IF EXISTS t70f_app" >/dev/null 2>&1
tap_done
