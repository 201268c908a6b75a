#!/usr/bin/env bash
# test/sh/70_upgrade.sh: the upgrade path (issue 7 item 8).  A database made
# with CREATE EXTENSION auth_ext VERSION '1.0' and the todo app gets real data
# (a setting, users signed up, tasks, tokens, a rotated and an imported key),
# then ALTER EXTENSION auth_ext UPDATE: the version is the control file's
# default_version, the data is intact and working (old tokens verify, the same
# passwords sign in, isolation holds), the 1.1 change is in effect, and the
# upgraded extension is the same, object by object, as a fresh install.  That last comparison is what catches a
# statement forgotten in a future upgrade script: pg_dump does not dump an
# extension's member objects, so it reads them from the catalogs.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 24

OLD=t70_upgrade_old
NEW=t70_upgrade_new
APP=t70_upgrade_app
NEWEST=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$AUTH_ROOT/auth_ext.control")
cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $OLD WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $NEW WITH (FORCE)" -c "DROP ROLE IF EXISTS $APP" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
old() { psql -qAtX -v ON_ERROR_STOP=1 -d $OLD "$@"; }
app() { psql -qAtX -v ON_ERROR_STOP=1 -d $OLD -U $APP "$@"; }

psql -qX -d postgres -c "CREATE DATABASE $OLD" -c "CREATE DATABASE $NEW" -c "CREATE ROLE $APP LOGIN" >/dev/null || exit 1

# ---- 1.0, with data ----
old <<SQL >/dev/null || exit 1
CREATE EXTENSION auth_ext VERSION '1.0';
CREATE EXTENSION auth_ext_todo VERSION '1.0';
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO $APP;
SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
SELECT auth.configure('jwt.issuer', 'https://t70.example');
SQL
is "$(old -c "SELECT extversion FROM pg_extension WHERE extname = 'auth_ext'")|$(old -c "SELECT proparallel FROM pg_proc WHERE oid = 'auth.jwt_decode(text,text,text[])'::regprocedure")" \
   "1.0|u" "CREATE EXTENSION ... VERSION '1.0' installs the frozen 1.0 script"

TA=$(old -c "SELECT auth.signup('t70-ann@example.com', 'ann password 1', 'Ann')->>'token'")
TB=$(old -c "SELECT auth.signup('t70-bob@example.com', 'bob password 1', 'Bob')->>'token'")
for t in "$TA:ann1" "$TA:ann2" "$TB:bob1"; do
  app -c "BEGIN" -c "SELECT auth.jwt_verify('${t%%:*}')" -c "INSERT INTO todo.tasks (title) VALUES ('${t##*:}')" -c "COMMIT" >/dev/null || exit 1
done
KID=$(old -c "SELECT auth.create_key('ES256')")
TS=$(old -c "SELECT auth.jwt_sign(jsonb_build_object('sub', (SELECT id FROM auth.users WHERE email = 't70-ann@example.com')))")
# a verify-only HMAC key of another issuer, and a token it signed
JWK='{"kty":"oct","kid":"t70-imported","alg":"HS256","k":"dDcwLXVwZ3JhZGUtc2VjcmV0LW9mLWF0LWxlYXN0LTMyLWJ5dGVz"}'
IKID=$(old -c "SELECT auth.import_jwk('$JWK')")
TI=$(old -c "SELECT auth.jwt_encode(jsonb_build_object('sub', (SELECT id FROM auth.users WHERE email = 't70-bob@example.com'),
                'iss', 'https://t70.example', 'exp', extract(epoch from now())::bigint + 600), '$JWK', 'HS256', '{\"kid\":\"t70-imported\"}')")
is "$(old -c "SELECT auth.jwt_verify('$TI')->>'sub' = (SELECT id::text FROM auth.users WHERE email = 't70-bob@example.com')")" \
   "t" "1.0: a token of the imported key verifies before the upgrade"
before=$(old -c "SELECT (SELECT count(*) FROM auth.users) || '/' || (SELECT count(*) FROM todo.tasks) || '/' || (SELECT count(*) FROM auth.keys) || '/' || (SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM auth.config)")

# ---- the upgrade ----
old -c "ALTER EXTENSION auth_ext UPDATE" -c "ALTER EXTENSION auth_ext_todo UPDATE" >/dev/null 2>"$AUTH_WORK/t70_upgrade.err"
rc=$?
ok $rc "ALTER EXTENSION auth_ext UPDATE, then auth_ext_todo"
[ $rc = 0 ] || sed 's/^/# /' "$AUTH_WORK/t70_upgrade.err"
is "$(old -c "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname LIKE 'auth_ext%' ORDER BY 1" | tr '\n' ' ')" \
   "auth_ext $NEWEST auth_ext_todo 1.1 " "auth_ext is at $NEWEST, the todo app at 1.1"
after=$(old -c "SELECT (SELECT count(*) FROM auth.users) || '/' || (SELECT count(*) FROM todo.tasks) || '/' || (SELECT count(*) FROM auth.keys) || '/' || (SELECT string_agg(name || '=' || value, ',' ORDER BY name) FROM auth.config)")
is "$after" "$before" "users, tasks, keys and settings are intact"
is "$(old -c "SELECT issuer FROM (SELECT auth.jwt_sign('{\"sub\":\"x\"}') t) s, LATERAL (SELECT auth.jwt_decode_unverified(t)->'payload'->>'iss' AS issuer) i")" \
   "https://t70.example" "the configured setting is still in effect"

# ---- old tokens, passwords, keys ----
for t in "TA:sign-up token (1.0 EdDSA key)" "TS:jwt_sign token (key rotated to ES256)" "TI:token of the imported key"; do
  v=${t%%:*}
  is "$(old -c "SELECT auth.jwt_verify('${!v}') ? 'sub'" 2>&1)" "t" "a ${t#*:} minted under 1.0 verifies after the upgrade"
done
is "$(old -c "SELECT algorithm FROM auth.keys WHERE kid = '$KID'")|$(old -c "SELECT verify_only FROM auth.keys WHERE kid = '$IKID'")" \
   "ES256|t" "the rotated key and the imported key are still there"
is "$(old -c "SELECT auth.jwt_verify(auth.jwt_sign('{\"sub\":\"t70\"}'))->>'iss'")" "https://t70.example" \
   "new tokens are signed and verify"
is "$(old -c "SELECT auth.signin('t70-ann@example.com', 'ann password 1') ? 'token'")" "t" \
   "sign-in works with the password set under 1.0"
is "$(old -c "SELECT auth.signin('t70-ann@example.com', 'wrong password 1')->>'error'")" "Invalid email or password" \
   "and a wrong password is still refused"

# ---- isolation ----
is "$(app -c "BEGIN" -c "SELECT auth.jwt_verify('$TA') IS NOT NULL" -c "SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks" -c "COMMIT" | tr '\n' ' ')" \
   "t ann1,ann2 " "Ann's old token sees only Ann's tasks"
is "$(app -c "BEGIN" -c "SELECT auth.jwt_verify('$TI') IS NOT NULL" -c "SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks" \
          -c "UPDATE todo.tasks SET title = 'taken' WHERE title = 'ann1'" -c "COMMIT" 2>&1 | tr '\n' ' ')" \
   "t bob1 " "Bob sees only Bob's tasks and cannot touch Ann's"
is "$(old -c "SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks")" "ann1,ann2,bob1" "Ann's tasks were not changed by Bob"
is "$(app -c "SELECT count(*) FROM todo.tasks")" "0" "without a token no task is visible"
out=$(app -c "SET auth_ext.identity.user_id = 'x'" -c "SELECT set_config('request.jwt.claims', '{\"sub\":\"x\"}', false)" -c "SELECT count(*) FROM todo.tasks" 2>&1 | tail -1)
is "$out" "0" "forged settings still give no identity"

# ---- the 1.1 change ----
is "$(old -c "SELECT string_agg(proname || '=' || proparallel::text, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'auth'::regnamespace
               AND proname IN ('jws_verify', 'jwt_decode', 'jwt_decode_unverified', 'jwt_verify', 'jwt_session_init')")" \
   "jws_verify=s,jwt_decode=s,jwt_decode_unverified=s,jwt_session_init=u,jwt_verify=u" \
   "1.1: the explicit-key functions are PARALLEL SAFE, the identity setters are not"
# force_parallel_mode (PostgreSQL 15) is debug_parallel_query from 16 on
FP=$(old -c "SELECT CASE WHEN current_setting('server_version_num')::int >= 160000 THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END")
is "$(old -c "SET $FP = on" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT auth.jwt_decode_unverified('$TS')" | grep -c 'Workers Launched: 1')|$(old -c "SET $FP = on" -c "SELECT auth.jwt_decode_unverified('$TS')->'header'->>'kid' = '$KID'")" \
   "1|t" "and run in a parallel worker in the upgraded database"

# ---- the upgraded extension equals a fresh install ----
psql -qAtX -v ON_ERROR_STOP=1 -d $NEW -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" \
  -c "GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO $APP" >/dev/null || exit 1
# Every member object of both extensions, by name (never by OID): functions in
# full (pg_get_functiondef: language, volatility, strictness, parallel safety,
# SECURITY DEFINER, SET search_path, body) with their owner and ACL; the schemas
# auth and todo with their owner and ACL; tables with their
# columns, defaults, constraints, indexes, triggers, policies, RLS flags and
# ACLs; sequences, views, types, schemas; comments; initial privileges; and
# the extension's configuration tables.
cat >"$AUTH_WORK/t70_catalog.sql" <<'SQL'
WITH m AS (
  SELECT e.extname, d.classid, d.objid FROM pg_depend d
  JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
  WHERE d.deptype = 'e' AND e.extname IN ('auth_ext', 'auth_ext_todo')
), rels AS (
  SELECT c.* FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
)
SELECT 'extension ' || extname || ' ' || extversion || ' relocatable=' || extrelocatable || ' schema=' || extnamespace::regnamespace
       || ' config=' || coalesce((SELECT string_agg(x::regclass::text, ',' ORDER BY x::regclass::text) FROM unnest(extconfig) x), '')
       || ' conditions=' || coalesce(array_to_string(extcondition, '|'), '')
  FROM pg_extension WHERE extname IN ('auth_ext', 'auth_ext_todo')
UNION ALL
SELECT 'member ' || extname || ': ' || pg_describe_object(classid, objid, 0)
       || ' comment=' || coalesce(obj_description(objid, classid::regclass::text), '') FROM m
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' owner=' || p.proowner::regrole || ' acl=' || coalesce(p.proacl::text, '') || E'\n'
       || CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
  FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
UNION ALL
SELECT 'relation ' || oid::regclass || ' kind=' || relkind::text || ' rls=' || relrowsecurity || '/' || relforcerowsecurity
       || ' acl=' || coalesce(relacl::text, '') || ' options=' || coalesce(reloptions::text, '')
       || ' persistence=' || relpersistence::text || ' replident=' || relreplident::text FROM rels
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '')
       || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text || ' collation=' || a.attcollation::regcollation
       || ' acl=' || coalesce(a.attacl::text, '') || ' comment=' || coalesce(col_description(a.attrelid, a.attnum), '')
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
  FROM pg_constraint c WHERE conrelid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || tgenabled::text
  FROM pg_trigger t WHERE tgrelid IN (SELECT oid FROM rels) AND NOT tgisinternal
UNION ALL
SELECT 'policy ' || polrelid::regclass || ' ' || polname || ' cmd=' || polcmd::text || ' permissive=' || polpermissive
       || ' roles=' || (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ',' ORDER BY 1) FROM unnest(polroles) r)
       || ' using=' || coalesce(pg_get_expr(polqual, polrelid), '') || ' check=' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
  FROM pg_policy WHERE polrelid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'sequence ' || seqrelid::regclass || ' ' || format_type(seqtypid, NULL) || ' ' || seqstart || ' ' || seqincrement
       || ' ' || seqmax || ' ' || seqmin || ' ' || seqcache || ' ' || seqcycle FROM pg_sequence WHERE seqrelid IN (SELECT oid FROM rels)
UNION ALL
SELECT 'view ' || oid::regclass || ' ' || pg_get_viewdef(oid) FROM rels WHERE relkind IN ('v', 'm')
UNION ALL
SELECT 'type ' || format_type(t.oid, NULL) || ' ' || t.typtype::text || ' acl=' || coalesce(t.typacl::text, '')
       || ' labels=' || coalesce((SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '')
  FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
UNION ALL
SELECT 'schema ' || nspname || ' acl=' || coalesce(nspacl::text, '')
  FROM m JOIN pg_namespace n ON m.classid = 'pg_namespace'::regclass AND n.oid = m.objid
UNION ALL
SELECT 'extension schema ' || nspname || ' owner=' || nspowner::regrole || ' acl=' || coalesce(nspacl::text, '')
  FROM pg_namespace WHERE nspname IN ('auth', 'todo')
UNION ALL
SELECT 'initpriv ' || pg_describe_object(i.classoid, i.objoid, i.objsubid) || ' ' || i.initprivs::text
  FROM pg_init_privs i JOIN m ON m.classid = i.classoid AND m.objid = i.objoid
ORDER BY 1;
SQL
described=0
for db in "$OLD:upgraded" "$NEW:fresh"; do
  psql -qAtX -v ON_ERROR_STOP=1 -d "${db%%:*}" -f "$AUTH_WORK/t70_catalog.sql" >"$AUTH_WORK/t70_${db#*:}.txt" 2>&1
  rc=$?
  ok $rc "catalog description of the ${db#*:} database"
  [ $rc = 0 ] || { sed 's/^/# /' "$AUTH_WORK/t70_${db#*:}.txt"; described=1; }
done
F=$AUTH_WORK/t70_fresh.txt
[ "$(grep -c '^function ' "$F")" -gt 30 ] && [ "$(grep -c '^policy ' "$F")" -ge 4 ] && [ "$(grep -c '^column ' "$F")" -gt 20 ]
ok $? "the description covers functions, columns and policies ($(grep -c '^function ' "$F") functions, $(wc -l <"$F") lines)"
[ $described = 0 ] && diff -u "$F" "$AUTH_WORK/t70_upgraded.txt" >"$AUTH_WORK/t70_schema.diff"
rc=$?
ok $rc "the upgraded extension equals a fresh $NEWEST install (todo 1.1), object by object"
[ $rc = 0 ] || sed 's/^/# /' "$AUTH_WORK/t70_schema.diff" 2>/dev/null | head -60

tap_done
