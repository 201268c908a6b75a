#!/usr/bin/env bash
# test/sh/70_attacks.sh: the attack suite of issue 13 ("no role below
# superuser gains anything through the extension"), driven by the catalog.
#
# Attackers: an unprivileged login role (app), PostgREST's anonymous role
# reached by SET ROLE from a NOINHERIT authenticator (anon), and the database
# owner who is not a superuser and installs the extensions (owner).
#
#   1. The issue's exploit, verbatim (it made the caller superuser up to 1.1).
#   2. pg_temp shadowing: every name used by our SQL and PL/pgSQL functions
#      (tokens of pg_proc.prosrc, argument and result types) and by the
#      installed scripts (auth_ext--V.sql, auth_ext_todo--V.sql) becomes a
#      pg_temp domain (pg_catalog types) or a pg_temp view (anything else,
#      which also shadows pseudo-types as a row type) whose use calls
#      pg_temp.evil(); then every function of both extensions is called with
#      sample arguments, plus the real flows (sign-up, sign-in right/wrong/
#      unknown, a verified token, sign-out, refresh, sessions, sign-out
#      everywhere, a task), as
#      app, as anon and as the owner.
#   3. The owner plants better-matching overloads and objects in auth and
#      todo (after install), plants pg_temp shadows and public overloads
#      between the two installs and before them, pre-creates the schemas.
#   4. GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth, todo TO app: app then
#      calls every function it could not call before.
#
# pg_temp.evil() leaves non-transactional evidence (nextval of a sequence,
# which no rollback undoes) whenever it runs as another role than the
# attacker's own, tries to make the attacker superuser and to mint a token.
# The suite asserts the sequence was never used, nobody became superuser or
# gained a role, no token was minted, no setting or key changed.  A new
# function, type or table is covered without editing this file.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 50

P=t70a
DB=${P}_db
OWNER=${P}_owner APP=${P}_app ANON=${P}_anon AUTHN=${P}_authenticator
W=$AUTH_WORK/$P
mkdir -p "$W"
dbs() { psql -qAtX -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${P}_%'"; }
cleanup() {
  for d in $(dbs); do psql -qX -d postgres -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done
  for r in $APP $ANON $AUTHN $OWNER; do psql -qX -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
}
trap cleanup EXIT
cleanup
psql -qX -d postgres -c "CREATE ROLE $OWNER LOGIN" -c "CREATE ROLE $APP LOGIN" -c "CREATE ROLE $ANON NOLOGIN" \
  -c "CREATE ROLE $AUTHN LOGIN NOINHERIT" -c "GRANT $ANON TO $AUTHN" >/dev/null || bail "setup step at line 48 failed"

su() { psql -qAtX -v ON_ERROR_STOP=1 -d "$1" "${@:2}"; }
# a database owned by the owner, with the evidence table and sequence
newdb() {
  psql -qX -d postgres -c "CREATE DATABASE $1 OWNER $OWNER" >/dev/null || bail "setup step at line 53 failed"
  su "$1" >/dev/null <<SQL || bail "setup step at line 54 failed"
CREATE TABLE public.${P}_hits (cu text, su text, token text);
CREATE SEQUENCE public.${P}_seq;
GRANT INSERT ON public.${P}_hits TO PUBLIC;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.${P}_seq TO PUBLIC;
SQL
}
# the attacker's session prelude: evil() and who "me" is
prelude() {
  cat <<SQL
SELECT pg_catalog.set_config('${P}.me', '$1', false);
CREATE FUNCTION pg_temp.evil() RETURNS pg_catalog.bool LANGUAGE plpgsql AS \$e\$
BEGIN
    IF current_user::pg_catalog.text OPERATOR(pg_catalog.<>) pg_catalog.current_setting('${P}.me') THEN
        PERFORM pg_catalog.nextval('public.${P}_seq'::pg_catalog.regclass);
        INSERT INTO public.${P}_hits VALUES (current_user, session_user, NULL);
        IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user) THEN
            EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', session_user);
        END IF;
        BEGIN
            INSERT INTO public.${P}_hits VALUES (current_user, session_user,
                auth.jwt_sign('{"sub":"evil","role":"service_role"}'::pg_catalog.jsonb));
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END IF;
    RETURN true;
END
\$e\$;
SQL
}
# no evidence, no superuser, no new membership
clean() { # clean DB DESCRIPTION
  local db=$1
  is "$(su "$db" -c "SELECT is_called FROM public.${P}_seq")|$(su "$db" -c "SELECT count(*) FROM public.${P}_hits")" \
     "f|0" "$2: no planted object ran as another role"
  is "$(su postgres -c "SELECT count(*) FROM pg_roles WHERE rolname LIKE '${P}_%' AND (rolsuper OR rolcreaterole OR rolbypassrls)")|$(su postgres -c "SELECT string_agg(roleid::regrole || '>' || member::regrole, ',') FROM pg_auth_members WHERE member::regrole::text LIKE '${P}_%'")" \
     "0|${ANON}>${AUTHN}" "$2: nobody became superuser or gained a role"
  # undo any escalation, so that each scenario stands on its own
  for r in $APP $ANON $AUTHN $OWNER; do
    su postgres -c "ALTER ROLE $r NOSUPERUSER NOCREATEROLE NOBYPASSRLS" >/dev/null
  done
}

# ---- 1. the issue's exploit, verbatim ----
newdb ${P}_verbatim
psql -qX -d ${P}_verbatim -U $OWNER -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" >/dev/null || bail "setup step at line 99 failed"
psql -qX -d ${P}_verbatim -U $APP >"$W/verbatim.out" 2>&1 <<'SQL'
CREATE FUNCTION pg_temp.evil() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
  EXECUTE 'ALTER ROLE ' || session_user || ' SUPERUSER'; END IF; RETURN true; END $$;
CREATE DOMAIN pg_temp.jsonb AS pg_catalog.jsonb CHECK (pg_temp.evil());
SELECT auth.signout();   -- the caller is now superuser
SQL
is "$(su postgres -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$APP'")" "f" \
   "the issue's exploit (a pg_temp.jsonb domain, then auth.signout()) no longer makes the caller superuser"
su postgres -c "ALTER ROLE $APP NOSUPERUSER" >/dev/null
grep -q "Signed out successfully" "$W/verbatim.out"; ok $? "and auth.signout() still answers normally"

# ---- the names to shadow, from the catalog and the installed scripts ----
newdb $DB
psql -qX -d $DB -U $OWNER -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" >/dev/null || bail "setup step at line 114 failed"
su $DB -c "SELECT auth.configure('password.argon2_memory_kib', '64')" -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null
cat >"$W/members.sql" <<'SQL'
CREATE TEMP VIEW members AS
SELECT p.* FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
 WHERE e.extname IN ('auth_ext', 'auth_ext_todo');
SQL
SHARE=$(pg_config --sharedir)/extension
V=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$SHARE/auth_ext.control")
TV=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$SHARE/auth_ext_todo.control")
{ cat "$W/members.sql"; echo "SELECT prosrc FROM members;"
  echo "SELECT t::regtype::text FROM members, unnest(proargtypes::oid[] || coalesce(proallargtypes, '{}') || prorettype) t;"
  echo "SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e';"
} | su $DB >"$W/names.raw"
cat "$SHARE/auth_ext--$V.sql" "$SHARE/auth_ext_todo--$TV.sql" >>"$W/names.raw"
tr 'A-Z' 'a-z' <"$W/names.raw" | grep -oE '[a-z_][a-z0-9_]*' | sort -u | grep -vxE 'pg_temp|pg_catalog|evil|auth|todo|public' >"$W/names"
NNAMES=$(wc -l <"$W/names")
[ "$NNAMES" -gt 200 ] && grep -qx jsonb "$W/names" && grep -qx users "$W/names" && grep -qx record "$W/names"
ok $? "names to shadow from the catalog and the install scripts: $NNAMES (jsonb, users, record among them)"
# a pg_temp domain for each pg_catalog base type, a pg_temp view for every other name
su $DB -c "SELECT CASE WHEN EXISTS (SELECT FROM pg_type t WHERE t.typname = n AND t.typnamespace = 'pg_catalog'::regnamespace
                                     AND t.typtype IN ('b', 'e', 'r', 'm') AND t.typcategory <> 'A')
                   THEN format('CREATE DOMAIN pg_temp.%I AS pg_catalog.%I CHECK (pg_temp.evil());', n, n)
                   ELSE format('CREATE VIEW pg_temp.%I AS SELECT pg_temp.evil() AS evil;', n) END
             FROM unnest(string_to_array(\$n\$$(tr '\n' ' ' <"$W/names")\$n\$, ' ')) n WHERE n <> ''" >"$W/shadow.sql"
NDOM=$(grep -c 'CREATE DOMAIN' "$W/shadow.sql")

# ---- every function, with sample arguments ----
cat >"$W/calls.gen.sql" <<'SQL'
SELECT format('SELECT %s(%s);', p.oid::regproc::text, coalesce((
         SELECT string_agg(CASE format_type(t, NULL)
             WHEN 'text' THEN quote_literal('t70a-nobody@example.com') || '::pg_catalog.text'
             WHEN 'jsonb' THEN quote_literal('{"sub":"t70a","keys":[],"kty":"oct","k":"AAAA"}') || '::pg_catalog.jsonb'
             WHEN 'uuid' THEN 'pg_catalog.gen_random_uuid()'
             WHEN 'regclass' THEN quote_literal('public.t70a_hits') || '::pg_catalog.regclass'
             WHEN 'name' THEN quote_literal('cu') || '::pg_catalog.name'
             WHEN 'integer' THEN '400'
             WHEN 'bytea' THEN quote_literal('\x00') || '::pg_catalog.bytea'
             WHEN 'text[]' THEN quote_literal('{HS256}') || '::pg_catalog.text[]'
             ELSE 'NULL::' || format_type(t, NULL) END, ', ' ORDER BY o)
         FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, o)), ''))
  FROM members p
 WHERE p.prorettype <> 'trigger'::regtype AND p.proname NOT IN ('_claim_schema')
   AND (:'who' = 'owner' OR has_function_privilege(:'role', p.oid, 'EXECUTE'))
 ORDER BY 1;
SQL
calls_for() { # calls_for owner|other ROLE
  { cat "$W/members.sql"; cat "$W/calls.gen.sql"; } | su $DB -v who="$1" -v role="$2"
}
# the real flows of the HTTP contract
flows() { # flows TAG
  cat <<SQL
SELECT auth.signup('t70a-$1@example.com'::pg_catalog.text, 'password-$1'::pg_catalog.text, 'T70 $1'::pg_catalog.text);
SELECT auth.signin('t70a-$1@example.com'::pg_catalog.text, 'wrong-password'::pg_catalog.text);
SELECT auth.signin('t70a-unknown@example.com'::pg_catalog.text, 'password-$1'::pg_catalog.text);
SELECT todo.signin('t70a-$1@example.com'::pg_catalog.text, 'password-$1'::pg_catalog.text);
SELECT pg_catalog.set_config('${P}.token', auth.signin('t70a-$1@example.com'::pg_catalog.text, 'password-$1'::pg_catalog.text)
       OPERATOR(pg_catalog.->>) 'token'::pg_catalog.text, false);
BEGIN;
SELECT auth.jwt_verify(pg_catalog.current_setting('${P}.token'));
INSERT INTO todo.tasks (title) VALUES ('  task of $1  ');
UPDATE todo.tasks SET completed = true;
SELECT auth.signout();
COMMIT;
SELECT pg_catalog.set_config('${P}.token', todo.signin('t70a-$1@example.com'::pg_catalog.text, 'password-$1'::pg_catalog.text)
       OPERATOR(pg_catalog.->>) 'token'::pg_catalog.text, false);
SELECT pg_catalog.set_config('${P}.refresh', auth.signin('t70a-$1@example.com'::pg_catalog.text, 'password-$1'::pg_catalog.text)
       OPERATOR(pg_catalog.->>) 'refresh_token'::pg_catalog.text, false);
SELECT auth.refresh(pg_catalog.current_setting('${P}.refresh'));
SELECT todo.refresh(pg_catalog.current_setting('${P}.refresh'));
BEGIN;
SELECT auth.jwt_verify(pg_catalog.current_setting('${P}.token'));
SELECT todo.sessions();
SELECT auth.revoke_session(pg_catalog.gen_random_uuid());
SELECT todo.signout_everywhere();
COMMIT;
SQL
}
su $DB -c "GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO $APP, $ANON" >/dev/null
KEYS0=$(su $DB -c "SELECT count(*) || ':' || string_agg(kid, ',' ORDER BY kid) FROM auth.keys")
CONF0=$(su $DB -c "SELECT coalesce(string_agg(name || '=' || value, ',' ORDER BY name), '') FROM auth.config")

attack() { # attack LOGIN ROLE-ACTING TAG [SET ROLE]
  local login=$1 role=$2 tag=$3 setrole=${4:-}
  { [ -n "$setrole" ] && echo "SET ROLE $role;"
    prelude "$role"; cat "$W/shadow.sql"; flows "$tag"
    calls_for "$([ "$role" = "$OWNER" ] && echo owner || echo other)" "$role"
    flows "$tag-again"
  } >"$W/attack-$tag.sql"
  psql -qAtX -d $DB -U "$login" -f "$W/attack-$tag.sql" >"$W/attack-$tag.out" 2>&1
  local created calls
  created=$(grep -cE '^CREATE (DOMAIN|VIEW)' "$W/attack-$tag.sql")
  calls=$(grep -cE '^SELECT (auth|todo)\.' "$W/attack-$tag.sql")
  [ "$calls" -gt 40 ]; ok $? "$tag: $created shadows planted ($NDOM domains), $calls calls of our functions"
  grep -q '"token"' "$W/attack-$tag.out"; ok $? "$tag: the flows ran for real (sign-up and sign-in answered with tokens)"
  clean $DB "$tag"
}
attack $APP $APP app
attack $AUTHN $ANON anon setrole
attack $OWNER $OWNER owner

is "$(su $DB -c "SELECT count(*) FROM todo.tasks WHERE title LIKE 'task of %'")" "6" \
   "the tasks written through the shadowed session are there, trimmed by the real trigger"
is "$(su $DB -c "SELECT coalesce(string_agg(name || '=' || value, ',' ORDER BY name), '') FROM auth.config")" "$CONF0" \
   "no setting changed except by the owner's own calls (which use the sample value and fail)"

# ---- 3a. the owner plants overloads and objects in auth and todo after install ----
su $DB -c "SELECT format('CREATE FUNCTION %s.%I(%s) RETURNS pg_catalog.text LANGUAGE sql AS %L;', n.nspname, p.proname,
                          coalesce((SELECT string_agg('pg_catalog.text', ', ') FROM generate_series(0, greatest(p.pronargs, 1) - 1)), ''),
                          'SELECT pg_temp.evil()::pg_catalog.text')
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('auth', 'todo')
            UNION ALL SELECT 'CREATE OPERATOR auth.= (LEFTARG = pg_catalog.text, RIGHTARG = pg_catalog.text, FUNCTION = pg_catalog.texteq);'
            UNION ALL SELECT 'CREATE TABLE auth.planted (x int);'
            UNION ALL SELECT 'CREATE TABLE todo.planted (x int);'
            UNION ALL SELECT 'CREATE DOMAIN auth.text AS pg_catalog.text;'" >"$W/plant.sql"
NPLANT=$(wc -l <"$W/plant.sql")
{ prelude $OWNER; cat "$W/plant.sql"; } | psql -qAtX -d $DB -U $OWNER -v VERBOSITY=verbose >"$W/plant.out" 2>&1
is "$(grep -c 'ERROR:  42501' "$W/plant.out")" "$NPLANT" \
   "the owner can plant none of $NPLANT overloads, operators, tables or types in auth and todo (42501 each)"
is "$(su $DB -c "SELECT n.nspname || '=' || n.nspowner::regrole || ' ' || n.nspacl::text FROM pg_namespace n WHERE nspname IN ('auth', 'todo') ORDER BY 1" | tr '\n' ' ')" \
   "auth=postgres {postgres=UC/postgres,=U/postgres} todo=postgres {postgres=UC/postgres,=U/postgres} " \
   "the schemas belong to the bootstrap superuser; everyone else has USAGE only"
out=$(psql -qAtX -d $DB -U $OWNER -v VERBOSITY=verbose -c "ALTER SCHEMA auth OWNER TO $OWNER" 2>&1)
[[ "$out" == *42501* ]]; ok $? "the owner cannot take the schema back"
# nor hook into our tables: triggers, rules, policies, indexes (with a planted
# operator class or expression), column changes, on every member table
su $DB -c "SELECT format('CREATE TRIGGER t70a BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION pg_catalog.suppress_redundant_updates_trigger();', c.oid::regclass)
             || format(E'\\nCREATE RULE t70a AS ON INSERT TO %s DO ALSO SELECT 1;', c.oid::regclass)
             || format(E'\\nCREATE POLICY t70a ON %s USING (true);', c.oid::regclass)
             || format(E'\\nCREATE INDEX t70a ON %s ((1));', c.oid::regclass)
             || format(E'\\nALTER TABLE %s ADD COLUMN t70a int;', c.oid::regclass)
             FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
            WHERE c.relkind = 'r'" >"$W/hook.sql"
NHOOK=$(grep -c . "$W/hook.sql")
psql -qAtX -d $DB -U $OWNER -v VERBOSITY=verbose -f "$W/hook.sql" >"$W/hook.out" 2>&1
[ "$NHOOK" -ge 30 ] && [ "$(grep -c 'ERROR:  42501' "$W/hook.out")" = "$NHOOK" ]
ok $? "the owner can add no trigger, rule, policy, index or column to any of our tables ($NHOOK attempts, 42501 each)"

# ---- 3b. between the two installs; 3d. before them ----
newdb ${P}_between
{ prelude $OWNER; echo "CREATE EXTENSION auth_ext;"; cat "$W/shadow.sql"
  echo "CREATE FUNCTION public.enable_user_isolation(pg_catalog.text, pg_catalog.text) RETURNS pg_catalog.void LANGUAGE plpgsql AS \$f\$ BEGIN PERFORM pg_temp.evil(); END \$f\$;"
  echo "CREATE FUNCTION public._claim_schema(pg_catalog.text) RETURNS pg_catalog.void LANGUAGE plpgsql AS \$f\$ BEGIN PERFORM pg_temp.evil(); END \$f\$;"
  echo "SET search_path = public, auth;"
  echo "CREATE EXTENSION auth_ext_todo;"
  echo "SELECT 'todo installed';"
} | psql -qAtX -d ${P}_between -U $OWNER >"$W/between.out" 2>&1
grep -qx 'todo installed' "$W/between.out" && [ "$(su ${P}_between -c "SELECT count(*) FROM pg_extension WHERE extname LIKE 'auth_ext%'")" = 2 ]
ok $? "between the installs: pg_temp shadows of every name and public overloads planted, auth_ext_todo still installs"
clean ${P}_between "between the installs"

newdb ${P}_before
{ prelude $OWNER; cat "$W/shadow.sql"
  echo "ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO $APP;"
  echo "ALTER DEFAULT PRIVILEGES GRANT ALL ON FUNCTIONS TO $APP;"
  echo "CREATE EXTENSION auth_ext;"; echo "CREATE EXTENSION auth_ext_todo;"; echo "SELECT 'installed';"
} | psql -qAtX -d ${P}_before -U $OWNER >"$W/before.out" 2>&1
grep -qx 'installed' "$W/before.out" && [ "$(su ${P}_before -c "SELECT count(*) FROM pg_extension WHERE extname LIKE 'auth_ext%'")" = 2 ]
ok $? "before the installs: with every name shadowed in pg_temp both extensions install"
is "$(su ${P}_before -c "SELECT count(*) FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
                          WHERE has_table_privilege('$APP', c.oid, 'SELECT') OR has_table_privilege('$APP', c.oid, 'INSERT')")|$(su ${P}_before -c "SELECT count(*) FROM pg_proc
                          WHERE pronamespace = 'auth'::regnamespace AND proname IN ('jwt_sign', 'create_key', 'configure', '_session')
                            AND has_function_privilege('$APP', oid, 'EXECUTE')")" "0|0" \
   "default privileges the owner set before installing grant app nothing on our tables or privileged functions"
clean ${P}_before "before the installs"
out=$(psql -qAtX -d ${P}_before -U $OWNER -v VERBOSITY=verbose -c "DROP EXTENSION auth_ext CASCADE" -c "CREATE EXTENSION auth_ext VERSION '1.0'" 2>&1)
[[ "$out" == *42501* ]]; ok $? "the owner cannot install the frozen 1.0 script (it predates this hardening): 42501"

newdb ${P}_preschema
out=$(psql -qAtX -d ${P}_preschema -U $OWNER -v VERBOSITY=verbose 2>&1 <<'SQL'
CREATE SCHEMA auth;
CREATE FUNCTION auth._make_key(algorithm text, jwk text, OUT kid text, OUT alg text, OUT public_jwk jsonb, OUT private_key bytea)
    LANGUAGE sql AS $$ SELECT 'planted', 'HS256', '{}'::jsonb, '\x00'::bytea $$;
CREATE EXTENSION auth_ext;
SQL
)
[[ "$out" == *"42P06"*"schema \"auth\" holds objects that are not part of auth_ext"* && "$out" == *"_make_key"* ]]
ok $? "a schema auth created beforehand with a planted function: CREATE EXTENSION fails (42P06, naming it)"
out=$(psql -qAtX -d ${P}_preschema -U $OWNER -v VERBOSITY=verbose -c "DROP SCHEMA auth CASCADE" -c "CREATE SCHEMA auth" \
        -c "GRANT CREATE ON SCHEMA auth TO $APP" -c "CREATE EXTENSION auth_ext" -c "CREATE SCHEMA todo" \
        -c "CREATE TABLE todo.tasks (id int)" -c "CREATE EXTENSION auth_ext_todo" 2>&1)
[[ "$out" == *"42P06"*"schema \"todo\" holds objects"* ]]; ok $? "a schema todo created beforehand with a table: CREATE EXTENSION auth_ext_todo fails"
is "$(su ${P}_preschema -c "SELECT nspowner::regrole || ' ' || nspacl::text || ' ' || has_schema_privilege('$APP', oid, 'CREATE') FROM pg_namespace WHERE nspname = 'auth'")" \
   "postgres {postgres=UC/postgres,=U/postgres} false" \
   "an empty schema auth created beforehand is taken over: bootstrap superuser's, the grant to app gone"
clean ${P}_preschema "pre-created schemas"

# ---- 4. the over-broad grant ----
su $DB -c "SELECT string_agg(p.oid::regprocedure::text, ' ') FROM pg_proc p WHERE p.pronamespace IN ('auth'::regnamespace, 'todo'::regnamespace)
             AND NOT has_function_privilege('$APP', p.oid, 'EXECUTE')" >"$W/before_grant"
su $DB -c "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth, todo TO $APP" >/dev/null
st() { local out; out=$(psql -qXAt -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -d $DB -U $APP "$@" 2>&1) && echo ok || echo "$out" | sed -n 's/^ERROR: *\([0-9A-Z]\{5\}\):.*/\1/p' | head -1; }
is "$(st -c "SELECT auth.jwt_sign('{\"sub\":\"anyone\"}')")" "42501" "broad grant: app cannot sign a token (jwt_sign)"
is "$(st -c "SELECT auth.import_jwk('{\"kty\":\"oct\",\"alg\":\"HS256\",\"k\":\"dDcwYS1hLWtleS10aGUtYXR0YWNrZXIta25vd3MtMzItYnl0ZXM\"}')")" "42501" \
   "broad grant: app cannot import an HMAC key it knows (import_jwk)"
is "$(st -c "SELECT auth.import_jwks('{\"keys\":[]}')")" "42501" "broad grant: app cannot import a JWKS"
is "$(st -c "SELECT auth.create_key('HS256')")" "42501" "broad grant: app cannot create a key"
is "$(st -c "SELECT auth.retire_key((SELECT 'x'))")" "42501" "broad grant: app cannot retire a key"
is "$(st -c "SELECT auth.configure('jwt.leeway_seconds', '3600')")" "42501" "broad grant: app cannot configure"
is "$(st -c "SELECT auth._session(gen_random_uuid(), 'x@example.com', 'x', 200)")" "42501" \
   "broad grant: app cannot mint a session through the internal _session"
is "$(st -c "SELECT count(*) FROM auth.settings()")|$(st -c "SELECT auth._accounts_policy()")" "42501|42501" \
   "broad grant: app cannot read the cost and lockout settings (settings(), _accounts_policy())"
msg=$(psql -qXAt -d $DB -U $APP -c "SELECT auth.jwt_sign('{}')" 2>&1)
[[ "$msg" == *"permission denied to sign tokens with the keyring"* ]]; ok $? "and the error says why: $(echo "$msg" | head -1)"
# every function app could not call before, now called with sample arguments
{ cat "$W/members.sql"; echo "CREATE TEMP TABLE before_grant AS SELECT unnest(string_to_array('$(cat "$W/before_grant")', ' ')) AS sig;"
  sed 's/AND (:.who. = .owner. OR has_function_privilege(:.role., p.oid, .EXECUTE.))/AND p.oid::regprocedure::text IN (SELECT sig FROM before_grant)/' "$W/calls.gen.sql"
} | su $DB >"$W/granted.sql"
NG=$(grep -c '^SELECT' "$W/granted.sql")
psql -qAtX -d $DB -U $APP -f "$W/granted.sql" >"$W/granted.out" 2>&1
[ "$NG" -ge 10 ] && ! grep -qE 'ey[A-Za-z0-9_-]+\.ey[A-Za-z0-9_-]+\.' "$W/granted.out"
ok $? "broad grant: none of the $NG functions app could not call before returns a token"
is "$(su $DB -c "SELECT count(*) || ':' || string_agg(kid, ',' ORDER BY kid) FROM auth.keys")" "$KEYS0" \
   "no key was created, imported or removed by any attacker"
clean $DB "broad grant"

# ---- finding 12: guessing another user's task id ----
# With INSERT on the whole table, OVERRIDING SYSTEM VALUE lets a caller choose the
# id, and ON CONFLICT (id) DO NOTHING then tells whether someone's task has it
# (the documented side channel); the recommended grant leaves the id column out.
TOK=$(su $DB -c "SELECT auth.signup('t70a-prober@example.com', 'prober password', 'Prober') ->> 'token'")
VICTIM=$(su $DB -c "SELECT min(id) FROM todo.tasks")
probe() { # probe ID: rows inserted by the probe, or the SQLSTATE
  psql -qAtX -d $DB -U $APP -v VERBOSITY=verbose -c "BEGIN" -c "SELECT auth.jwt_verify('$TOK') IS NULL" \
    -c "WITH i AS (INSERT INTO todo.tasks (id, title) OVERRIDING SYSTEM VALUE VALUES ($1, 'probe') ON CONFLICT (id) DO NOTHING RETURNING 1)
        SELECT count(*) FROM i" -c "ROLLBACK" 2>&1 | sed -n 's/^ERROR: *\([0-9A-Z]\{5\}\):.*/\1/p;/^[0-9]*$/p' | tail -1
}
is "$(probe "$VICTIM")/$(probe 999999999)" "0/1" \
   "with INSERT on every column, ON CONFLICT (id) tells another user's task id from a free one (documented)"
su $DB -c "REVOKE INSERT ON todo.tasks FROM $APP" -c "GRANT INSERT (user_id, title, description, completed) ON todo.tasks TO $APP" >/dev/null
is "$(probe "$VICTIM")" "42501" "with the recommended column grant (no id) the probe is refused"
is "$(psql -qAtX -d $DB -U $APP -c "BEGIN" -c "SELECT auth.jwt_verify('$TOK') IS NULL" \
        -c "INSERT INTO todo.tasks (title) VALUES ('mine') RETURNING title" -c "COMMIT" 2>&1 | tail -1)" "mine" \
   "and tasks are still created normally"

tap_done
