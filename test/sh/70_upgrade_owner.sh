#!/usr/bin/env bash
# test/sh/70_upgrade_owner.sh: upgrading the installation of a database owner
# who is not a superuser (Neon) to 1.2, by the owner itself and by a
# superuser.  The 1.0 state is made as it was when 1.0 was trusted: the owner
# ran CREATE EXTENSION (made a superuser for that moment only, since 1.0 now
# needs one), so it owns the extensions and, as PostgreSQL then did, the
# schemas.  After the update the schemas are the bootstrap superuser's, the
# account functions the owner's, and the owner still configures, manages
# keys and signs in users whoever ran the update (the update script grants
# to the extension's owner, not to the role running it).  An object of the
# owner's own left in auth stops the update until it is moved out.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 17

P=t70u
OWNER=${P}_owner APP=${P}_app
cleanup() {
  for d in ${P}_self ${P}_super; do psql -qX -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done
  psql -qX -d postgres -c "DROP ROLE IF EXISTS $APP" -c "DROP ROLE IF EXISTS $OWNER" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
psql -qX -d postgres -c "CREATE ROLE $OWNER LOGIN" -c "CREATE ROLE $APP LOGIN" >/dev/null || bail "setup step at line 24 failed"

for how in self super; do
  DB=${P}_$how
  psql -qX -d postgres -c "CREATE DATABASE $DB OWNER $OWNER" -c "ALTER ROLE $OWNER SUPERUSER" >/dev/null || bail "setup step at line 28 failed"
  psql -qAtX -v ON_ERROR_STOP=1 -d $DB -U $OWNER -c "CREATE EXTENSION auth_ext VERSION '1.0'" \
    -c "CREATE EXTENSION auth_ext_todo VERSION '1.0'" >/dev/null || bail "setup step at line 30 failed"
  psql -qX -d postgres -c "ALTER ROLE $OWNER NOSUPERUSER" >/dev/null || bail "setup step at line 31 failed"
  owner() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB -U $OWNER "$@"; }
  is "$(owner -c "SELECT string_agg(nspname || '=' || nspowner::regrole, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname IN ('auth', 'todo')")" \
     "auth=$OWNER,todo=$OWNER" "$how: the 1.0 installation's schemas belong to the owner"
  owner -c "SELECT auth.signup('ann@example.com', 'ann password 1', 'Ann')" >/dev/null
  if [ $how = self ]; then
    # an object of the owner's own in auth (possible up to 1.1) stops the update, by name
    owner -c "CREATE FUNCTION auth.my_helper() RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
    out=$(owner -v VERBOSITY=verbose -c "ALTER EXTENSION auth_ext UPDATE" 2>&1)
    [[ "$out" == *42P06*"function auth.my_helper()"* ]]
    ok $? "self: an object of the owner's in auth stops the update (42P06, naming it)"
    owner -c "ALTER FUNCTION auth.my_helper() SET SCHEMA public" >/dev/null
    owner -c "ALTER EXTENSION auth_ext UPDATE" -c "ALTER EXTENSION auth_ext_todo UPDATE" >/dev/null
    ok $? "self: the owner (not a superuser) updates both extensions"
  else
    psql -qAtX -v ON_ERROR_STOP=1 -d $DB -c "ALTER EXTENSION auth_ext UPDATE" -c "ALTER EXTENSION auth_ext_todo UPDATE" >/dev/null
    ok $? "super: a superuser updates the owner's extensions"
  fi
  is "$(owner -c "SELECT string_agg(extname || '=' || extversion || '/' || extowner::regrole, ',' ORDER BY extname) FROM pg_extension WHERE extname LIKE 'auth_ext%'")" \
     "auth_ext=1.2/$OWNER,auth_ext_todo=1.1/$OWNER" "$how: at 1.2 / 1.1, still the owner's"
  is "$(owner -c "SELECT string_agg(nspname || '=' || nspowner::regrole || ' ' || nspacl::text, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname IN ('auth', 'todo')")" \
     "auth=postgres {postgres=UC/postgres,=U/postgres},todo=postgres {postgres=UC/postgres,=U/postgres}" \
     "$how: the schemas now belong to the bootstrap superuser, USAGE only for everyone else"
  is "$(owner -c "SELECT string_agg(DISTINCT proowner::regrole::text, ',') FROM pg_proc WHERE prosecdef AND pronamespace = 'auth'::regnamespace")" \
     "$OWNER" "$how: the SECURITY DEFINER functions are the owner's"
  out=$(owner -c "SELECT auth.configure('accounts.max_failures', '7')" -c "SELECT auth.create_key('ES256') IS NOT NULL" \
          -c "SELECT auth.signin('ann@example.com', 'ann password 1') ? 'token'" \
          -c "SELECT auth.signin('ann@example.com', 'wrong password') ->> 'error'" 2>&1 | tr '\n' '|')
  is "$out" "|t|t|Invalid email or password|" "$how: the owner configures, creates a key; sign-in works and counts failures"
  out=$(psql -qAtX -d $DB -U $APP -v VERBOSITY=verbose -c "SELECT auth.configure('accounts.max_failures', '100')" 2>&1)
  [[ "$out" == *42501* ]]; ok $? "$how: another role still cannot configure"
  out=$(owner -v VERBOSITY=verbose -c "CREATE FUNCTION auth.signin(text) RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb'" 2>&1)
  [[ "$out" == *42501* ]]; ok $? "$how: the owner can no longer create objects in auth"
done

tap_done
