#!/usr/bin/env bash
# crypt_blowfish's 8-bit vectors (bcrypt.json), which pg_regress must skip in
# a UTF8 database because their passwords are not valid UTF-8.  A SQL_ASCII
# database takes any byte string as text, so here every openwall vector and
# every wrong-password variant is checked, one TAP line each:
#   $2a$/$2b$/$2y$  -> libxcrypt's (crypt_blowfish family) answer
#   $2x$            -> refused with 22023 (bug-compatible mode, documented)
source "$AUTH_ROOT/scripts/tap.sh"
plan 47
DB=t10_sqlascii

psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" \
  -c "CREATE DATABASE $DB ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null
psql -qX -d "$DB" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE EXTENSION auth_ext;
CREATE FUNCTION t10_try(pw bytea, h text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN auth.verify_password(convert_from(pw, 'SQL_ASCII'), h)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'error:' || SQLSTATE;
END $$;
SQL
ok $? "SQL_ASCII database with auth_ext"

# The vectors are read in a UTF8 database and turned into statements here.
gen=$(psql -qAtX -d postgres -v vec="$(cat "$AUTH_ROOT/test/vectors/password/bcrypt.json")" <<'SQL'
WITH v AS (SELECT :'vec'::jsonb AS j),
cases AS (
  SELECT e->>'id' AS id, e->>'password_hex' AS hex, e->>'hash' AS h,
         CASE WHEN e->>'prefix' = '$2x$' THEN 'error:22023'
              WHEN jsonb_typeof(e->'expected_verify') = 'object' THEN e->'expected_verify'->>'crypt_blowfish_family'
              ELSE e->>'expected_verify' END AS want
  FROM v, jsonb_array_elements(j->'openwall_wrapper_c') e
  UNION ALL
  SELECT e->>'id', e->>'password_hex', e->>'hash',
         CASE e->>'expected_verify' WHEN 'false' THEN 'false' ELSE 'error:22023' END
  FROM v, jsonb_array_elements(j->'negative_and_malformed') e)
SELECT format('SELECT %L || '' '' || t10_try(decode(%L, ''hex''), %L) || '' '' || %L;', id, hex, h, want)
FROM cases ORDER BY id;
SQL
)
n=0
while read -r id got want; do
  n=$((n + 1))
  is "$got" "$want" "bcrypt vector $id (8-bit safe): $want"
done < <(printf '%s\n' "$gen" | psql -qAtX -d "$DB")
[ "$n" -ge 40 ]; ok $? "all $n bcrypt vectors ran (expected at least 40)"

# 8-bit round trip: a Latin-1 byte string hashed with bcrypt verifies, and
# differs from its 7-bit look-alike (the CVE-2011-2483 class of bug)
is "$(psql -qAtX -d "$DB" -c "SELECT auth.verify_password(convert_from('\\xa3313233'::bytea, 'SQL_ASCII'), auth.hash_password(convert_from('\\xa3313233'::bytea, 'SQL_ASCII'), 'bcrypt', '{\"cost\": 4}'))")" \
   "t" "8-bit bcrypt round trip"
is "$(psql -qAtX -d "$DB" -c "SELECT auth.verify_password(convert_from('\\x23313233'::bytea, 'SQL_ASCII'), auth.hash_password(convert_from('\\xa3313233'::bytea, 'SQL_ASCII'), 'bcrypt', '{\"cost\": 4}'))")" \
   "f" "the high bit matters"

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
tap_done
