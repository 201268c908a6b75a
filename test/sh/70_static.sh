#!/usr/bin/env bash
# test/sh/70_static.sh: the static check of issue 13 over the catalog.
# Every function of auth_ext and auth_ext_todo that is SECURITY DEFINER or
# has a SQL/PL/pgSQL body (those run as a SECURITY DEFINER function's owner
# when it calls them, or as the bootstrap superuser during the install) goes
# through test/static/check_functions.pl: search_path pinned to exactly
# pg_catalog, pg_temp; every type, relation, function and operator
# schema-qualified; no unknown-typed literal passed to a function of ours.
# Then functions that break one rule each are checked too, so that every
# rule is shown to fail when it should.  A function added later is checked
# without editing this file.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 18

DB=t70_static
CHECK="perl $AUTH_ROOT/test/static/check_functions.pl"
cleanup() { psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1; }
trap cleanup EXIT
cleanup
psql -qX -d postgres -c "CREATE DATABASE $DB" >/dev/null || bail "setup step at line 21 failed"
q() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB "$@"; }
q -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" >/dev/null || bail "setup step at line 23 failed"

# select WHERE-clause -> the checker's JSON input
select_json() {
  q -c "SELECT coalesce(json_agg(json_build_object('sig', p.oid::regprocedure::text, 'secdef', p.prosecdef,
          'lang', l.lanname, 'config', p.proconfig, 'src', p.prosrc,
          'types', (SELECT array_agg(DISTINCT typname) FROM pg_type)) ORDER BY p.oid::regprocedure::text), '[]')
        FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE $1"
}
EXT="p.oid IN (SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
               WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
                 AND e.extname IN ('auth_ext', 'auth_ext_todo'))
     AND (p.prosecdef OR l.lanname IN ('sql', 'plpgsql'))"

n=$(q -c "SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE $EXT")
d=$(q -c "SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE $EXT AND p.prosecdef")
[ "$n" -ge 15 ] && [ "$d" -ge 4 ]; ok $? "functions to check: $n with a SQL/PL/pgSQL body, $d of them SECURITY DEFINER"
out=$(select_json "$EXT" | $CHECK)
rc=$?
ok $rc "every one pins search_path = pg_catalog, pg_temp and qualifies every name"
[ $rc = 0 ] || echo "$out" | sed 's/^/# /'
is "$(q -c "SELECT count(*) FROM pg_proc p WHERE p.prosecdef AND p.pronamespace IN ('auth'::regnamespace, 'todo'::regnamespace)
             AND p.prolang NOT IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))")" "0" \
   "no SECURITY DEFINER function in C (their table access would escape the check)"

# ---- the rules fail when they should ----
q >/dev/null <<'SQL' || bail "setup step at line 49 failed"
CREATE SCHEMA t70_bad;
CREATE FUNCTION t70_bad.r1_empty() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = '' AS $$ SELECT 1 $$;
CREATE FUNCTION t70_bad.r1_none() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;
CREATE FUNCTION t70_bad.r1_order() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_temp, pg_catalog AS $$ SELECT 1 $$;
CREATE FUNCTION t70_bad.r2a() RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN RETURN 1::text; END $$;
CREATE FUNCTION t70_bad.r2b() RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE v jsonb; BEGIN NULL; END $$;
CREATE FUNCTION t70_bad.r2b_record() RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE r record; BEGIN NULL; END $$;
CREATE FUNCTION t70_bad.r2c() RETURNS interval LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT interval '1 day' $$;
CREATE FUNCTION t70_bad.r2d() RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT count(*) FROM pg_class $$;
CREATE FUNCTION t70_bad.r2e() RETURNS timestamptz LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+) pg_catalog.make_interval(0) WHERE now() IS NOT NULL $$;
CREATE FUNCTION t70_bad.r2f() RETURNS bool LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT 1 = 1 $$;
CREATE FUNCTION t70_bad.r2f_like() RETURNS bool LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT 'a'::pg_catalog.text LIKE 'a'::pg_catalog.text $$;
CREATE FUNCTION t70_bad.r2f_distinct() RETURNS bool LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT 'a'::pg_catalog.text IS DISTINCT FROM 'b'::pg_catalog.text $$;
CREATE FUNCTION t70_bad.r3() RETURNS text LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT auth.create_key('HS256') $$;
CREATE FUNCTION t70_bad.r3_null() RETURNS record LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
SELECT auth._make_key('HS256'::pg_catalog.text, NULL) $$;
CREATE FUNCTION t70_bad.good() RETURNS pg_catalog.bool LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE v pg_catalog.jsonb := '{}'::pg_catalog.jsonb;
BEGIN
    RETURN (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.=) 'x'::pg_catalog.name)
           OPERATOR(pg_catalog.>=) 0
       AND auth.create_key IS NOT NULL;
END $$;
SQL
want() { # want FUNCTION RULE-PREFIX
  local out
  out=$(select_json "p.pronamespace = 't70_bad'::regnamespace AND p.proname = '$1'" | $CHECK)
  local rc=$?
  [ $rc = 1 ] && [[ "$out" == *": $2"* ]]
  ok $? "a function breaking $2 is refused ($1: $(echo "$out" | head -1 | sed 's/^[^:]*: //'))"
}
want r1_empty R1
want r1_none R1
want r1_order R1
want r2a R2a
want r2b R2b
want r2b_record R2b
want r2c R2c
want r2d R2d
want r2e R2e
want r2f "R2f operator ="
want r2f_like "R2f keyword operator LIKE"
want r2f_distinct "R2f IS DISTINCT FROM"
want r3 R3
want r3_null "R3 unknown-typed literal NULL"
out=$(select_json "p.pronamespace = 't70_bad'::regnamespace AND p.proname = 'good'" | $CHECK)
ok $? "a function that follows every rule passes${out:+: $out}"

tap_done
