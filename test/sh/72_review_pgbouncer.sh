#!/usr/bin/env bash
# Review of issues 15 and 16, attacker (d): a client behind PgBouncer in
# transaction mode (docs/70_findings.md, "Review of issues 15 and 16").  One
# server connection; client A uses the new functions (sessions, refresh, a
# provisioning issuer's token) and client B's next transaction, on the same
# backend, must see none of it: no identity, no session list, no linked
# user, no response.status.  The one session-level input the new code reads,
# request.headers (the user-agent of a new session), is shown both ways: set
# transaction-locally (as PostgREST does) it does not reach B; left at
# session level by A it does (the documented limit of R1).
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 9
source "$AUTH_ROOT/scripts/lib.sh"

DIR=$AUTH_WORK/t72_pgbouncer
source "$AUTH_ROOT/test/sh/pgbouncer.bash"
stop_bouncer() { pgbouncer_stop "$DIR"; }

source "$AUTH_ROOT/test/sh/30_fixture.bash"
T30_CLEANUP=stop_bouncer
t30_fixture t72_pool t72_pool_user

su_sql -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
       -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null || bail "settings"
# a session of C (a sign-up), and a provisioning issuer whose token names a new subject
SIGNUP=$(su_sql -c "SELECT auth.signup('t72_c@example.com', 'password-c', 'C')")
TC=$(su_sql -v body="$SIGNUP" <<<"SELECT (:'body'::jsonb)->>'token'")
RC=$(su_sql -v body="$SIGNUP" <<<"SELECT (:'body'::jsonb)->>'refresh_token'")
su_sql -c "SELECT auth.create_key('ES256') IS NULL" \
       -c "SELECT count(*) FROM auth.trust_issuer('https://p.t72pool.example', jsonb_build_object('keys', auth.jwks()->'keys'), NULL, '{\"provision\": true}')" >/dev/null \
  || bail "a provisioning issuer"
TX=$(su_sql -c "SELECT auth.jwt_sign(jsonb_build_object('iss', 'https://p.t72pool.example', 'sub', 't72-external'))")
[ ${#RC} = 43 ] && [ -n "$TX" ] || bail "tokens"

pgbouncer_start "$DIR" "$DB" "$ROLE"

# through the pooler, as the application role
bsql() { psql -qAtX -h "$DIR" -p "$BPORT" -U "$ROLE" -d "$DB" -v ON_ERROR_STOP=1 "$@"; }
# what client B's transaction sees: pid, uid, sessions() body, response.status
b_sees() { bsql -c "SELECT pg_backend_pid() || ' ' || coalesce(auth.uid()::text, '<none>') || ' ' || auth.sessions()::text || ' ' || coalesce(nullif(current_setting('response.status', true), ''), '<unset>')"; }

out=$(bsql -v t="$TC" <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT jsonb_array_length(auth.sessions());
SELECT pg_backend_pid();
COMMIT;
SQL
)
read -r a_ok a_n a_pid <<<"$out"
is "$a_ok $a_n" "t 1" "client A lists its session in a transaction"
is "$(b_sees)" "$a_pid <none> {\"error\": \"Not signed in\"} 401" \
   "client B's next transaction, same backend: no identity, sessions() is 401 (its own status, not A's 200)"

out=$(bsql -v t="$TX" <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT auth.uid() IS NOT NULL;
COMMIT;
SQL
)
is "$out" "t t " "client A's provisioning issuer token: linked to a new local user (auth.uid() set)"
out=$(bsql -c "SELECT pg_backend_pid() || ' ' || coalesce(auth.uid()::text, '<none>') || ' ' || coalesce(auth.user_id(), '<none>')")
is "$out" "$a_pid <none> <none>" "client B's next transaction: neither the linked user nor the subject"

out=$(bsql -v r="$RC" <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.refresh(:'r') ? 'refresh_token';
SELECT current_setting('response.status');
COMMIT;
SQL
)
is "$out" "t 200 " "client A refreshes through the pooler"
out=$(bsql -c "SELECT coalesce(nullif(current_setting('response.status', true), ''), '<unset>') || ' ' || pg_backend_pid()")
is "$out" "<unset> $a_pid" "client B's next statement: A's response.status is gone"

# request.headers, transaction-local (PostgREST's way): not B's
bsql -v h='{"user-agent": "A-local/1.0"}' >/dev/null <<'SQL'
BEGIN;
SELECT set_config('request.headers', :'h', true);
COMMIT;
SQL
out=$(bsql -c "SELECT pg_backend_pid() || ' ' || coalesce((auth.signin('t72_c@example.com', 'password-c')->>'refresh_token') IS NOT NULL, false)")
is "$out" "$a_pid true" "client B signs in on the same backend after A's transaction-local headers"
is "$(su_sql -c "SELECT count(*) FROM auth.sessions WHERE user_agent = 'A-local/1.0'")" "0" \
   "B's session does not carry A's transaction-local user-agent"

# request.headers left at session level by A: B's sign-in takes it (documented limit)
bsql -v h='{"user-agent": "A-session/1.0"}' >/dev/null <<<"SELECT set_config('request.headers', :'h', false);"
bsql -c "SELECT auth.signin('t72_c@example.com', 'password-c') IS NOT NULL" >/dev/null
is "$(su_sql -c "SELECT count(*) FROM auth.sessions WHERE user_agent = 'A-session/1.0'")" "1" \
   "documented limit (R1): a session-level request.headers left by A names B's new session's user-agent"

tap_done
