#!/usr/bin/env bash
# Password settings and privileges with real roles and connections:
#  - a database owner WITHOUT superuser installs auth_ext (trusted) and
#    changes the hash cost with auth.configure(); new hashes use it;
#  - an application role gets 42501 on configure / auth.config / settings(),
#    and nothing it can SET or set_config() changes the hash cost.
# Roles are cluster-wide: named t10_*, created idempotently, dropped at the end.
source "$AUTH_ROOT/scripts/tap.sh"
plan 19
DB=t10_owner_db

# psql as ROLE in DB; prints the SQLSTATE instead of a message on error
q() { # q ROLE SQL...
  local role=$1; shift
  local args=()
  for s in "$@"; do args+=(-c "$s"); done
  psql -qAtX -U "$role" -d "$DB" -c '\set VERBOSITY sqlstate' "${args[@]}" 2>&1
}

cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS t10_app" \
       -c "DROP ROLE IF EXISTS t10_owner" >/dev/null 2>&1
}
cleanup
psql -qX -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE t10_owner LOGIN NOSUPERUSER NOCREATEROLE" \
  -c "CREATE ROLE t10_app LOGIN NOSUPERUSER" \
  -c "CREATE DATABASE $DB OWNER t10_owner" >/dev/null
ok $? "roles t10_owner (not superuser) and t10_app, database owned by t10_owner"

is "$(q t10_owner "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")" "f" "t10_owner is not a superuser"
is "$(q t10_owner "CREATE EXTENSION auth_ext" "SELECT extname FROM pg_extension WHERE extname = 'auth_ext'")" \
   "auth_ext" "the database owner installs the trusted extension"
is "$(q t10_owner "SELECT auth.configure('password.argon2_iterations', '3')")" "" \
   "the owner changes password.argon2_iterations"
is "$(q t10_owner "SELECT value FROM auth.settings() WHERE name = 'password.argon2_iterations'")" "3" \
   "the owner sees the new value in auth.settings()"
h=$(q t10_owner "SELECT auth.hash_password('s3cret')")
[[ "$h" == '$argon2id$v=19$m=19456,t=3,p=1$'* ]]; ok $? "new hashes use t=3 (got ${h:0:32}...)"
is "$(q t10_app "SELECT auth.hash_password('s3cret') LIKE '\$argon2id\$v=19\$m=19456,t=3,p=1\$%'")" "t" \
   "the application role's hashes use t=3 too"
is "$(q t10_owner "SELECT auth.configure('password.argon2_iterations', '0')")" "ERROR:  22023" \
   "the owner cannot set a value out of range"
is "$(q t10_owner "SELECT auth.configure('password.bcrypt_max_cost', '15')" "SELECT value FROM auth.settings() WHERE name = 'password.bcrypt_max_cost'" | tail -1)" "15" \
   "the owner changes a cap"

# the application role
is "$(q t10_app "SELECT auth.configure('password.argon2_iterations', '1')")" "ERROR:  42501" \
   "app: auth.configure() is refused (42501)"
is "$(q t10_app "SELECT * FROM auth.config")" "ERROR:  42501" "app: cannot SELECT auth.config (42501)"
is "$(q t10_app "UPDATE auth.config SET value = '1'")" "ERROR:  42501" "app: cannot UPDATE auth.config (42501)"
is "$(q t10_app "SELECT * FROM auth.settings()")" "ERROR:  42501" "app: cannot call auth.settings() (42501)"
is "$(q t10_app "SELECT auth._check_setting('password.argon2_iterations', '1')")" "ERROR:  42501" \
   "app: cannot call auth._check_setting() (42501)"
# after the library is loaded, auth_ext.* is a reserved prefix
out=$(q t10_app "SELECT auth.verify_password('x', '\$2b\$04\$' || repeat('A', 53))" "SET auth_ext.argon2_iterations = '1'")
[[ "$out" == *"ERROR:"* ]]; ok $? "app: SET auth_ext.* is refused once the library is loaded"
# placeholders set before the library loads, and look-alike names, change nothing
h=$(q t10_app "SET auth_ext.argon2_iterations = '1'" "SELECT set_config('password.argon2_iterations', '1', false)" \
      "SELECT auth.hash_password('x')" 2>/dev/null | grep '^\$argon2id')
[[ "$h" == '$argon2id$v=19$m=19456,t=3,p=1$'* ]]; ok $? "app: SET / set_config() before loading do not change the cost"
h=$(PGOPTIONS="-c auth_ext.argon2_iterations=1" q t10_app "SELECT auth.hash_password('x')" | grep '^\$argon2id')
[[ "$h" == '$argon2id$v=19$m=19456,t=3,p=1$'* ]]; ok $? "app: PGOPTIONS placeholders do not change the cost"
is "$(q t10_app "ALTER ROLE t10_owner SET auth_ext.x = '1'")" "ERROR:  42501" "app: cannot ALTER another role"

# the owner restores the default
is "$(q t10_owner "SELECT auth.configure('password.argon2_iterations', NULL)" "SELECT auth.hash_password('x') LIKE '\$argon2id\$v=19\$m=19456,t=2,p=1\$%'" | tail -1)" "t" \
   "configure(name, NULL) restores the default"

cleanup
tap_done
