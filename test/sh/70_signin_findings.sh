#!/usr/bin/env bash
# test/sh/70_signin_findings.sh: findings 4, 5 and 11 of issue 13 (docs/70_findings.md).
#
#  4. Sign-in denial of service: a raw-SQL session runs BEGIN; a failed
#     sign-in of Ann; and keeps its transaction open.  Ann's correct sign-in
#     must not wait for it: it runs with lock_timeout = 100ms and must succeed
#     (up to 1.1 it waited on the failure counter's row lock until the other
#     session ended).  A wrong password does wait, so that concurrent guesses
#     are still counted one at a time (it hits the lock_timeout here).
#  5. Enumeration by timing: an unknown email is verified against the stored
#     hash of a real account (auth._decoy_hash), so it costs what a real
#     account costs whatever the stored hashes' parameters are.  Asserted
#     without clocks: the hash the decoy path verifies has the stored
#     parameters (all accounts bcrypt, or Argon2 at old parameters) and not
#     the current ones, and sign-in of an unknown email calls the decoy and
#     exactly one verification (track_functions counts the calls).  The
#     timing itself is measured by bench/ (make bench).
# 11. The defaults: sign-in and sign-up executable by PUBLIC; the documented
#     limit (a raw-SQL role undoes its failures with ROLLBACK); the documented
#     recipe (revoke from PUBLIC, grant to the frontend's anonymous role).
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 20

DB=t70_signin
W=$AUTH_WORK/t70_signin
mkdir -p "$W"
cleanup() {
  exec 7>&- 2>/dev/null
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
psql -qX -d postgres -c "CREATE DATABASE $DB" >/dev/null || bail "setup step at line 34 failed"
q() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB "$@"; }
q -c "CREATE EXTENSION auth_ext" -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" \
  -c "SELECT auth.signup('ann@example.com', 'ann password 1', 'Ann')" >/dev/null || bail "setup step at line 38 failed"

# ---- finding 4 ----
rm -f "$W/a.in"; mkfifo "$W/a.in"
psql -qAtX -d "dbname=$DB application_name=t70_holder" <"$W/a.in" >"$W/a.out" 2>&1 &
HOLDER=$!
exec 7>"$W/a.in"
echo "BEGIN; SELECT auth.signin('ann@example.com', 'wrong password') ->> 'error';" >&7
for _ in $(seq 300); do
  [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 't70_holder' AND state = 'idle in transaction'")" = 1 ] && break
  sleep 0.1
done
is "$(q -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE a.application_name = 't70_holder' AND l.locktype = 'advisory' AND l.granted")" "1" \
   "a raw-SQL session left a failed sign-in of Ann open (it holds her sign-in lock)"
out=$(q -c "SET lock_timeout = '100ms'" -c "SELECT auth.signin('ann@example.com', 'ann password 1') ? 'token'" 2>&1)
is "$out" "t" "Ann's correct sign-in succeeds at once meanwhile (lock_timeout 100ms: it waited for nothing)"
out=$(psql -qAtX -d $DB -v VERBOSITY=verbose -c "SET lock_timeout = '100ms'" -c "SELECT auth.signin('ann@example.com', 'another wrong one')" 2>&1)
[[ "$out" == *55P03* ]]; ok $? "a wrong password does wait for the open attempt (it is counted after it; 55P03 here)"
is "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 't70_holder' AND state = 'idle in transaction'")" "1" \
   "the other session was still open during both"
echo "COMMIT;" >&7
exec 7>&-
wait $HOLDER
is "$(q -c "SELECT failures FROM auth.signin_failures WHERE email = 'ann@example.com'")" "1" \
   "the held failure is counted once the other session commits"
is "$(q -c "SELECT auth.signin('ann@example.com', 'ann password 1') ? 'token'")|$(q -c "SELECT count(*) FROM auth.signin_failures WHERE email = 'ann@example.com'")" \
   "t|0" "a later correct sign-in resets the count"
# the lockout still counts concurrent-looking guesses one at a time
q -c "SELECT auth.configure('accounts.max_failures', '3')" >/dev/null
for i in 1 2 3; do q -c "SELECT auth.signin('ann@example.com', 'guess $i')" >/dev/null; done
is "$(q -c "SELECT auth.signin('ann@example.com', 'ann password 1') ->> 'error'")" "Invalid email or password" \
   "after max_failures wrong guesses the right password is refused (locked), as before"
q -c "DELETE FROM auth.signin_failures" >/dev/null

# ---- finding 5 ----
# Every account holds an imported bcrypt hash (cost 4); the current parameters are Argon2id m=64 t=1.
q >/dev/null <<'SQL' || bail "setup step at line 75 failed"
DELETE FROM auth.users;
INSERT INTO auth.users (email, name, password_hash)
SELECT 'b' || i || '@example.com', 'B' || i, auth.hash_password('bcrypt password ' || i, 'bcrypt', '{"cost":4}')
  FROM generate_series(1, 5) i;
INSERT INTO auth.users (email, name, password_hash) VALUES ('nopass@example.com', 'No password', NULL);
SQL
is "$(q -c "SELECT count(DISTINCT auth._decoy_hash('nobody' || i || '@example.com')) > 1
                AND bool_and(auth._decoy_hash('nobody' || i || '@example.com') LIKE '\$2b\$04\$%')
                AND bool_and(auth._decoy_hash('nobody' || i || '@example.com') IN (SELECT password_hash FROM auth.users))
             FROM generate_series(1, 50) i")" "t" \
   "an unknown email is verified against a stored hash (bcrypt cost 4 here), spread over the accounts"
is "$(q -c "SELECT auth._decoy_hash('nobody1@example.com') = auth._decoy_hash('nobody1@example.com')")" "t" \
   "always the same one for the same email (no extra variance to tell unknown from known)"
calls() { # calls EMAIL PASSWORD: "decoy/verify" calls made by one sign-in
  q -c "SET track_functions = 'all'" -c "BEGIN" -c "SELECT auth.signin('$1', '$2') IS NOT NULL" \
    -c "SELECT coalesce(sum(calls) FILTER (WHERE funcname = '_decoy_hash'), 0) || '/' || coalesce(sum(calls) FILTER (WHERE funcname = 'verify_password'), 0)
          FROM pg_stat_xact_user_functions WHERE schemaname = 'auth'" -c "COMMIT" | tail -1
}
is "$(calls nobody1@example.com 'some password')" "1/1" "sign-in of an unknown email: the decoy hash, one verification"
is "$(calls nopass@example.com 'some password')" "1/1" "sign-in of an account without a password: the same"
is "$(calls b1@example.com 'wrong password')" "0/1" "a wrong password of a real account: its own hash, one verification"
# Argon2 at old parameters: after raising the memory cost, the decoy keeps the stored (old) ones
q >/dev/null <<'SQL' || bail "setup step at line 98 failed"
DELETE FROM auth.users;
INSERT INTO auth.users (email, name, password_hash)
SELECT 'a' || i || '@example.com', 'A' || i, auth.hash_password('argon2 password ' || i) FROM generate_series(1, 3) i;
SELECT auth.configure('password.argon2_memory_kib', '128');
SQL
is "$(q -c "SELECT auth._decoy_hash('nobody@example.com') LIKE '\$argon2id\$v=19\$m=64,t=1,%'")|$(q -c "SELECT auth._dummy_hash() LIKE '\$argon2id\$v=19\$m=128,%'")" \
   "t|t" "after raising argon2_memory_kib the decoy has the accounts' old m=64, not the current m=128"
is "$(q -c "DELETE FROM auth.users" -c "SELECT auth._decoy_hash('nobody@example.com') IS NULL")" "t" \
   "without any account the decoy is NULL (sign-in then uses the dummy hash at the current parameters)"
is "$(q -c "SELECT auth.signin('nobody@example.com', 'some password') ->> 'error'")" "Invalid email or password" \
   "and sign-in still answers"

# ---- finding 11: the defaults, their limit, and the documented recipe ----
q -c "DELETE FROM auth.users" -c "DELETE FROM auth.signin_failures" -c "SELECT auth.configure('accounts.max_failures', '2')" \
  -c "SELECT auth.signup('cy@example.com', 'cy password 1', 'Cy')" -c "CREATE EXTENSION auth_ext_todo" >/dev/null
psql -qX -d postgres -c "DROP ROLE IF EXISTS t70s_raw" -c "DROP ROLE IF EXISTS t70s_anon" -c "DROP ROLE IF EXISTS t70s_authenticator" \
  -c "CREATE ROLE t70s_raw LOGIN" -c "CREATE ROLE t70s_anon NOLOGIN" -c "CREATE ROLE t70s_authenticator LOGIN NOINHERIT" \
  -c "GRANT t70s_anon TO t70s_authenticator" >/dev/null
raw() { psql -qAtX -d $DB -U t70s_raw -v VERBOSITY=verbose "$@" 2>&1; }
is "$(q -c "SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY p.oid::regprocedure::text) FROM pg_proc p
             WHERE p.pronamespace IN ('auth'::regnamespace, 'todo'::regnamespace) AND p.proname IN ('signin', 'signup')
               AND has_function_privilege('public', p.oid, 'EXECUTE')")" \
   "auth.signin(text,text), auth.signup(text,text,text), todo.signin(text,text), todo.signup(text,text,text)" \
   "by default sign-in and sign-up are executable by PUBLIC (the HTTP contract's anonymous entry point)"
raw -c "BEGIN" -c "SELECT auth.signin('cy@example.com', 'guess 1')" -c "SELECT auth.signin('cy@example.com', 'guess 2')" \
    -c "SELECT auth.signin('cy@example.com', 'guess 3')" -c "ROLLBACK" >/dev/null
is "$(q -c "SELECT count(*) FROM auth.signin_failures")|$(raw -c "SELECT auth.signin('cy@example.com', 'cy password 1') ? 'token'")" "0|t" \
   "the documented limit: a raw-SQL role undoes its failures with ROLLBACK (3 guesses, max_failures 2, not locked)"
q -c "REVOKE EXECUTE ON FUNCTION auth.signin(text, text), todo.signin(text, text) FROM PUBLIC" \
  -c "GRANT EXECUTE ON FUNCTION auth.signin(text, text), todo.signin(text, text) TO t70s_anon" >/dev/null
out=$(raw -c "SELECT auth.signin('cy@example.com', 'guess 4')")
[[ "$out" == *42501* ]]; ok $? "with the documented recipe the raw-SQL role cannot call auth.signin (42501)"
out=$(raw -c "SELECT todo.signin('cy@example.com', 'guess 4')")
[[ "$out" == *42501* ]]; ok $? "nor todo.signin"
is "$(psql -qAtX -d $DB -U t70s_authenticator -c "SET ROLE t70s_anon" -c "SELECT todo.signin('cy@example.com', 'cy password 1') ? 'token'")" "t" \
   "while the frontend's anonymous role still signs in"
psql -qX -d postgres -c "DROP DATABASE $DB WITH (FORCE)" -c "DROP ROLE t70s_raw" -c "DROP ROLE t70s_anon" -c "DROP ROLE t70s_authenticator" >/dev/null 2>&1

tap_done
