#!/usr/bin/env bash
# test/sh/70_privileges.sh: the Neon case (area 70).  A database owner who is
# not a superuser installs auth_ext and auth_ext_todo (trusted extensions),
# configures them and manages keys; an application role in the same database
# can do none of that.  Needs a database and roles of its own, so it is a
# shell suite (the rest of the privilege audit is test/pgtap/70_privileges.sql).
source "$AUTH_ROOT/scripts/tap.sh"
plan 14
set -u
DB=t70_priv
cleanup() {
  psql -qX -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS t70_owner" -c "DROP ROLE IF EXISTS t70_user" >/dev/null 2>&1
}
cleanup
psql -qX -c "CREATE ROLE t70_owner LOGIN NOSUPERUSER NOCREATEROLE" -c "CREATE ROLE t70_user LOGIN" \
     -c "CREATE DATABASE $DB OWNER t70_owner" >/dev/null
q() { psql -qXAt -v ON_ERROR_STOP=1 -d $DB "$@"; }
# SQLSTATE of a failing statement, or ok
st() { local out; out=$(psql -qXAt -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d $DB "$@" 2>&1) && echo ok || echo "$out" | sed -n 's/^ERROR: *\([0-9A-Z]\{5\}\):.*/\1/p' | head -1; }

is "$(q -U t70_owner -c "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")" "f" "the owner is not a superuser"
q -U t70_owner -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" >/dev/null
ok $? "the owner installs auth_ext and auth_ext_todo (trusted)"
q -U t70_owner -c "SELECT auth.configure('jwt.leeway_seconds', '5')" -c "SELECT auth.configure('accounts.max_failures', '3')" >/dev/null
ok $? "the owner configures security settings"
is "$(q -U t70_owner -c "SELECT value FROM auth.settings() WHERE name = 'jwt.leeway_seconds'")" "5" "the setting took effect"
kid=$(q -U t70_owner -c "SELECT auth.create_key('ES256')")
ok $? "the owner creates a key"
q -U t70_owner -c "SELECT auth.retire_key('$kid')" >/dev/null
ok $? "the owner retires a key"

is "$(st -U t70_user -c "SELECT auth.configure('jwt.leeway_seconds', '3600')")" "42501" "another role cannot configure"
is "$(st -U t70_user -c "SELECT auth.create_key('HS256')")" "42501" "another role cannot create keys"
is "$(st -U t70_user -c "SELECT private_key FROM auth.keys")" "42501" "another role cannot read private keys"
is "$(st -U t70_user -c "SELECT password_hash FROM auth.users")" "42501" "another role cannot read password hashes"
is "$(st -U t70_user -c "ALTER TABLE todo.tasks DISABLE ROW LEVEL SECURITY")" "42501" "another role cannot disable RLS"
is "$(st -U t70_user -c "ALTER DATABASE $DB SET jwt.leeway_seconds = '3600'")" "42501" \
   "another role cannot set per-database defaults"
is "$(st -U t70_user -c "DROP EXTENSION auth_ext_todo")" "42501" "another role cannot drop the extensions"
is "$(q -U t70_owner -c "SELECT value FROM auth.settings() WHERE name = 'jwt.leeway_seconds'")" "5" \
   "the setting is still the owner's"

cleanup
tap_done
