#!/usr/bin/env bash
# test/sh/30_identity.sh: the identity of the current transaction, seen from
# real client connections.  Every way SQL offers to set a setting must fail
# to change auth.user_id(); the identity lives exactly as long as its
# transaction; pre_request takes it from PostgREST's request.headers/cookies.
# Each case runs in its own psql session (several need a fresh backend, where
# the library is not loaded yet) as a non-superuser login role.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 45

DB=t30_identity
ROLE=t30_spoofer
A=3b1f0a8e-58f0-4e5e-9a57-0d6a1c4b3a01
B=3b1f0a8e-58f0-4e5e-9a57-0d6a1c4b3a02
export PGDATABASE=$DB

su_sql() { psql -qAtX -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
  psql -qX -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
psql -qX -d postgres -c "CREATE DATABASE $DB" -c "CREATE ROLE $ROLE LOGIN" >/dev/null || bail "create database $DB and role $ROLE"
su_sql -c "CREATE EXTENSION auth_ext" || bail "CREATE EXTENSION auth_ext"

TA=$(su_sql -c "SELECT auth.jwt_sign(jsonb_build_object('sub', '$A', 'role', 'authenticated', 'email', 'a@example.com'))")
TNOUUID=$(su_sql -c "SELECT auth.jwt_sign(jsonb_build_object('sub', 'github|42'))")
# B's claims under A's header and signature: what an attacker can make
FORGED=$(su_sql -v ta="$TA" -v b="$B" <<'SQL'
SELECT split_part(:'ta', '.', 1) || '.' ||
       translate(encode(convert_to(jsonb_build_object('sub', :'b', 'exp', 4102444800)::text, 'UTF8'), 'base64'), E'+/=\n', '-_') ||
       '.' || split_part(:'ta', '.', 3);
SQL
)
[ -n "$TA" ] && [ -n "$FORGED" ] && [ "$TA" != "$FORGED" ] || bail "setup: a token for A and a forged token for B"

# who [psql args...] < script: runs the script as the spoofer in a new
# session, errors do not stop it; prints the last "who=" line it produced or,
# when there is none, "ERROR" and the SQLSTATE of every error in order
# (e.g. "ERROR 42501 25P02"): a refusal is named, never just "no output".
who() {
  local out
  out=$(psql -qAtX -U "$ROLE" -v VERBOSITY=verbose -v ta="$TA" -v forged="$FORGED" -v tnouuid="$TNOUUID" "$@" 2>&1)
  if printf '%s\n' "$out" | grep -q '^who='; then
    printf '%s\n' "$out" | sed -n 's/^who=//p' | tail -1
  else
    echo "ERROR$(printf '%s\n' "$out" | sed -n 's/^\(psql:[^ ]* \)\{0,1\}ERROR: *\([0-9A-Z]\{5\}\):.*/ \2/p' | tr -d '\n')"
  fi
}
READ="SELECT 'who=' || coalesce(auth.user_id(), '<anon>');"

# ---- spoofing: each must fail to change auth.user_id() ----

got=$(who <<SQL
SET auth_ext.claims = '{"sub": "$B"}';
$READ
SQL
)
is "$got" "<anon>" "SET auth_ext.claims is refused"

got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SAVEPOINT s;
SET LOCAL auth_ext.claims = '{"sub": "$B"}';
ROLLBACK TO s;
$READ
COMMIT;
SQL
)
is "$got" "$A" "SET LOCAL auth_ext.claims is refused (A stays A)"

got=$(who <<SQL
SELECT set_config('auth_ext.claims', '{"sub": "$B"}', false);
$READ
SQL
)
is "$got" "<anon>" "set_config(..., false) is refused"

got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SAVEPOINT s;
SELECT set_config('auth_ext.claims', '{"sub": "$B"}', true);
ROLLBACK TO s;
$READ
COMMIT;
SQL
)
is "$got" "$A" "set_config(..., true) is refused (A stays A)"

# PostgreSQL 15's GRANT SET ON PARAMETER lets a role pass the privilege check
# of a superuser-only setting; the check hook still refuses the value.
su_sql -c "GRANT SET ON PARAMETER auth_ext.claims TO $ROLE"
got=$(who <<SQL
SELECT auth.user_id();
BEGIN;
SET LOCAL auth_ext.claims = '{"sub": "$B"}';
$READ
COMMIT;
SQL
)
is "$got" "ERROR 42501 25P02" "even with GRANT SET ON PARAMETER, SET auth_ext.claims is refused (42501; the transaction is aborted, 25P02)"
got=$(psql -qAtX -U "$ROLE" -c "SELECT auth.user_id()" -c "SET auth_ext.claims = '{\"sub\": \"$B\"}'" 2>&1 | grep -c 'can only be set by auth.jwt_verify')
is "$got" "1" "... by the check hook (the privilege check passed)"
su_sql -c "REVOKE SET ON PARAMETER auth_ext.claims FROM $ROLE"

# A function with a SET clause: refused at CREATE for the spoofer; a superuser
# can only create it before the library is loaded, and calling it then fails.
got=$(who <<SQL
CREATE FUNCTION public.t30_as_b() RETURNS text LANGUAGE sql
    SET auth_ext.claims = '{"sub": "$B"}' AS 'SELECT auth.user_id()';
SELECT 'who=' || coalesce(public.t30_as_b(), '<anon>');
SQL
)
is "$got" "ERROR 42501 42883" "a function with SET auth_ext.claims cannot be created by an application role (42501, so it does not exist: 42883)"
su_sql <<SQL
CREATE FUNCTION public.t30_as_b() RETURNS text LANGUAGE sql
    SET auth_ext.claims = '{"sub": "$B"}' AS 'SELECT auth.user_id()';
SQL
got=$(who <<SQL
SELECT 'who=' || coalesce(public.t30_as_b(), '<anon>');
SQL
)
is "$got" "<anon>" "a function with a SET clause, called before the library loads: the placeholder is discarded"
got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SELECT 'who=' || coalesce(public.t30_as_b(), '<anon>');
SQL
)
is "$got" "ERROR 42501" "a function with a SET clause, called after the library loaded: refused (42501)"
su_sql -c "DROP FUNCTION public.t30_as_b()"

# ALTER ROLE / DATABASE ... SET: refused to the role itself; a superuser's
# (made before the library loaded) is discarded when the library loads.
got=$(who <<SQL
ALTER ROLE CURRENT_USER SET auth_ext.claims = '{"sub": "$B"}';
SQL
)
n=$(su_sql -c "SELECT count(*) FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '$ROLE'")
is "$n" "0" "ALTER ROLE CURRENT_USER SET auth_ext.claims is refused"
su_sql -c "ALTER ROLE $ROLE SET auth_ext.claims = '{\"sub\": \"$B\"}'"
got=$(who <<<"$READ")
is "$got" "<anon>" "ALTER ROLE ... SET auth_ext.claims (by a superuser) does not make B"
su_sql -c "ALTER ROLE $ROLE RESET ALL"
su_sql -c "ALTER DATABASE $DB SET auth_ext.claims = '{\"sub\": \"$B\"}'"
got=$(who <<<"$READ")
is "$got" "<anon>" "ALTER DATABASE ... SET auth_ext.claims does not make B"
su_sql -c "ALTER DATABASE $DB RESET ALL"

got=$(PGOPTIONS="-c auth_ext.claims={\"sub\":\"$B\"}" who <<<"$READ")
is "$got" "<anon>" "PGOPTIONS=-c auth_ext.claims=... at connect does not make B"
got=$(PGOPTIONS="-c auth_ext.claims={\"sub\":\"$B\"}" psql -qAtX -d "$DB" -c "$READ" 2>/dev/null | sed -n 's/^who=//p')
is "$got" "<anon>" "... not even for a superuser's connection"

# A placeholder set before the library is loaded is discarded when it loads
# (the readers are C functions of the library, so reading loads it first).
got=$(who <<SQL
BEGIN;
SET LOCAL auth_ext.claims = '{"sub": "$B"}';
$READ
COMMIT;
SQL
)
is "$got" "<anon>" "a placeholder set before the library loads is discarded"
got=$(who <<SQL
SET auth_ext.claims = '{"sub": "$B"}';
SELECT auth.user_id();
SELECT 'who=' || coalesce(current_setting('auth_ext.claims', true), '<none>');
SQL
)
is "$got" "ERROR 42501" "after loading, current_setting() of the claims is refused to application roles (42501)"

got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SAVEPOINT s;
RESET auth_ext.claims;
ROLLBACK TO s;
RESET ALL;
$READ
COMMIT;
SQL
)
is "$got" "$A" "RESET is refused and RESET ALL leaves the identity alone"
got=$(who <<SQL
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
DISCARD ALL;
$READ
SQL
)
is "$got" "<anon>" "DISCARD ALL then reading: anonymous"

got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SELECT auth.jwt_verify(:'forged') IS NOT NULL;
$READ
ROLLBACK;
$READ
SQL
)
is "$got" "<anon>" "a forged second token after a good one: error, and nothing survives the transaction"
got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SAVEPOINT s;
SELECT auth.jwt_verify(:'forged') IS NOT NULL;
$READ
ROLLBACK TO s;
$READ
COMMIT;
SQL
)
is "$got" "$A" "ROLLBACK TO SAVEPOINT after a forged token: back to the identity verified before the savepoint, never B"
got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SELECT 1 / 0;
COMMIT;
$READ
SQL
)
is "$got" "<anon>" "the identity does not survive an error that aborts the transaction"

# ---- scope ----
got=$(psql -qAtX -U "$ROLE" -v ta="$TA" 2>/dev/null <<SQL | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SELECT auth.user_id();
SELECT auth.uid();
SELECT auth.role(), auth.email();
SELECT auth.jwt()->>'sub' = auth.session()->>'sub';
COMMIT;
SELECT coalesce(auth.user_id(), '<anon>');
SQL
)
is "$got" "t $A $A authenticated|a@example.com t <anon> " "visible in every statement of its transaction, gone after COMMIT"
got=$(who <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
ROLLBACK;
$READ
SQL
)
is "$got" "<anon>" "gone after ROLLBACK"
got=$(who <<SQL
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
$READ
SQL
)
is "$got" "<anon>" "outside a transaction block: gone after the statement"
got=$(psql -qAtX -U "$ROLE" -v t="$TNOUUID" 2>/dev/null <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT auth.user_id(), coalesce(auth.uid()::text, '<null>');
COMMIT;
SQL
)
is "$got" "t github|42|<null> " "a sub that is not a uuid: user_id() has it, uid() is NULL"
TODD=$(su_sql -c "SELECT auth.jwt_sign(jsonb_build_object('sub', '{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}'))")
got=$(psql -qAtX -U "$ROLE" -v t="$TODD" 2>/dev/null <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT auth.uid(), auth.user_id();
COMMIT;
SQL
)
# one identity per user, the sub as signed (issue 13 finding 10): another
# spelling of a uuid is another string, so it has no uid
is "$got" "t |{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11} " "uid() is NULL for a non-canonical spelling of a uuid, which user_id() gives as signed"

got=$(who <<SQL
BEGIN;
SELECT auth.jwt_session_init(:'ta') IS NOT NULL;
$READ
COMMIT;
SQL
)
is "$got" "$A" "jwt_session_init (pg_session_jwt's name) sets the identity too"
su_sql <<'SQL'
CREATE FUNCTION public.t30_login(t text) RETURNS void LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = '' AS $$ BEGIN PERFORM auth.jwt_verify(t); END $$;
GRANT EXECUTE ON FUNCTION public.t30_login(text) TO PUBLIC;
SQL
got=$(who <<SQL
BEGIN;
SELECT public.t30_login(:'ta');
$READ
COMMIT;
SQL
)
is "$got" "$A" "verified inside a SECURITY DEFINER function with a SET clause: the identity outlives the call"
su_sql -c "DROP FUNCTION public.t30_login(text)"

# ---- read-only transactions (PostgREST runs every GET this way) ----
got=$(who <<SQL
START TRANSACTION READ ONLY;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
$READ
COMMIT;
SQL
)
is "$got" "$A" "jwt_verify and the readers work in START TRANSACTION READ ONLY"

# ---- pre_request ----
pre() { # pre HEADERS_JSON [COOKIES_JSON]
  who -v h="$1" -v c="${2:-}" <<SQL
START TRANSACTION READ ONLY;
SELECT set_config('request.headers', :'h', true), set_config('request.cookies', :'c', true);
SELECT auth.pre_request();
$READ
COMMIT;
SQL
}
got=$(pre "{\"authorization\": \"Bearer $TA\"}")
is "$got" "$A" "pre_request: Authorization: Bearer <token> (in a read-only transaction)"
got=$(pre "{\"authorization\": \"bEaReR   $TA\"}")
is "$got" "$A" "pre_request: the scheme is case-insensitive"
got=$(pre '{"accept": "application/json"}')
is "$got" "<anon>" "pre_request: no Authorization header = anonymous"
got=$(pre '{"authorization": "Basic dXNlcjpwYXNz"}')
is "$got" "<anon>" "pre_request: another scheme = anonymous"
got=$(pre "{\"authorization\": \"Bearer $FORGED\"}")
is "$got" "ERROR PT401 25P02" "pre_request: forged token = error PT401 (then the transaction is aborted, 25P02)"
got=$(psql -qAtX -U "$ROLE" -v VERBOSITY=sqlstate 2>&1 <<SQL
SELECT set_config('request.headers', '{"authorization": "Bearer $FORGED"}', false) IS NULL;
SELECT auth.pre_request();
SQL
)
is "$got" "f
ERROR:  PT401" "pre_request: a bad token raises SQLSTATE PT401"
got=$(psql -qAtX -U "$ROLE" -v VERBOSITY=sqlstate 2>&1 <<'SQL'
SELECT set_config('request.headers', '{"authorization": "Bearer "}', false) IS NULL;
SELECT auth.pre_request();
SQL
)
is "$got" "f
ERROR:  PT401" "pre_request: Bearer without a token raises PT401"
got=$(who -v h="{\"authorization\": \"Bearer $TA\"}" <<SQL
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SELECT set_config('request.headers', '{}', true);
SELECT auth.pre_request();
$READ
COMMIT;
SQL
)
is "$got" "<anon>" "pre_request without a token clears an identity verified earlier in the transaction"
got=$(pre '{}' "{\"session\": \"$TA\"}")
is "$got" "<anon>" "pre_request: cookies are ignored until identity.cookie_name is configured"
su_sql -c "SELECT auth.configure('identity.cookie_name', 'session')" >/dev/null
got=$(pre '{}' "{\"session\": \"$TA\"}")
is "$got" "$A" "pre_request: the token from the configured cookie"
got=$(pre '{}' "{\"other\": \"$TA\"}")
is "$got" "<anon>" "pre_request: another cookie = anonymous"
is "$(su_sql -v VERBOSITY=sqlstate -c "SELECT auth.configure('identity.cookie_name', 'bad name;')" 2>&1)" "ERROR:  22023" \
  "identity.cookie_name refuses a value that is not a cookie name (22023)"

# ---- a superuser's value in postgresql.auto.conf, seen by backends and parallel workers ----
# (ALTER SYSTEM accepts a placeholder in a session where the library is not
# loaded; no SQL can remove it once the prefix is reserved, so the file is
# edited back by hand.)
DATA=$AUTH_WORK/main/data
unset_auto_conf() {
  as_pg sed -i '/^auth_ext\.claims/d' "$DATA/postgresql.auto.conf"
  psql -qAtX -d postgres -c "SELECT pg_reload_conf()" >/dev/null
}
source "$AUTH_ROOT/scripts/lib.sh"
trap 'unset_auto_conf; cleanup' EXIT
su_sql <<SQL
CREATE TABLE public.t30_rows AS SELECT g FROM generate_series(1, 20000) g;
ANALYZE public.t30_rows;
GRANT SELECT ON public.t30_rows TO $ROLE;
SQL
loaded0=$(psql -qAtX -d postgres -c "SELECT pg_conf_load_time()")
psql -qAtX -d postgres -c "SET auth_ext.claims = '{\"sub\": \"$B\"}'" \
  -c "ALTER SYSTEM SET auth_ext.claims = '{\"sub\": \"$B\"}'" -c "SELECT pg_reload_conf()" >/dev/null
grep -q '^auth_ext.claims' "$DATA/postgresql.auto.conf" || bail "setup: a superuser writes auth_ext.claims into postgresql.auto.conf"
# new sessions see the reload once the postmaster has read the file again:
# polled (bounded), not slept
for _ in $(seq 100); do
  [ "$(psql -qAtX -d postgres -c "SELECT pg_conf_load_time() > '$loaded0'")" = t ] && break; sleep 0.1
done
[ "$(psql -qAtX -d postgres -c "SELECT pg_conf_load_time() > '$loaded0'")" = t ] || bail "setup: the configuration was not reloaded within 10 s"
got=$(who <<<"$READ")
is "$got" "<anon>" "a value in postgresql.auto.conf is discarded when the library loads"
PAR="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off; SET max_parallel_workers_per_gather = 2;"
got=$(psql -qAtX -U "$ROLE" -v ta="$TA" 2>/dev/null <<SQL | tr '\n' ' '
$PAR
SELECT count(*) FROM public.t30_rows WHERE coalesce(auth.user_id(), '<anon>') = '<anon>';
BEGIN;
SELECT auth.jwt_verify(:'ta') IS NOT NULL;
SELECT count(*) FROM public.t30_rows WHERE auth.user_id() = '$A';
COMMIT;
SQL
)
is "$got" "20000 t 20000 " "parallel workers (which load the library too) see the leader's identity, never the file's"
got=$(psql -qAtX -U "$ROLE" 2>/dev/null <<SQL | grep -c 'Parallel Seq Scan on t30_rows'
$PAR
EXPLAIN (COSTS OFF) SELECT count(*) FROM public.t30_rows WHERE auth.user_id() = '$A';
SQL
)
is "$got" "1" "... and that plan is parallel"
unset_auto_conf
! grep -q '^auth_ext.claims' "$DATA/postgresql.auto.conf"
ok $? "cleanup: postgresql.auto.conf restored"

tap_done
