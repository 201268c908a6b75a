-- test/pgtap/70_privileges.sql: privilege audit (area 70).  What an
-- application role (t70_app: LOGIN-less, no privileges, allowed to create
-- objects in public as the worst case) can and cannot do to auth_ext:
-- read private key material or password hashes, call key-management or
-- configuration functions, change a security setting, hijack a SECURITY
-- DEFINER function through objects in public or pg_temp, or switch off RLS
-- on todo.tasks.  The checks over pg_proc/pg_class are generic, so objects
-- added later are covered without editing this file.
-- (A non-superuser database owner installing and configuring the extension
-- needs a database of its own: test/sh/70_privileges.sh.)
BEGIN;
SELECT plan(41);

CREATE EXTENSION auth_ext_todo;
CREATE ROLE t70_app NOLOGIN;
GRANT CREATE ON SCHEMA public TO t70_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t70_app;
SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');

-- runs q as role r; 'ok' or the SQLSTATE it failed with
CREATE FUNCTION pg_temp.try_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    BEGIN
        EXECUTE q;
    EXCEPTION WHEN OTHERS THEN
        RESET ROLE;
        RETURN SQLSTATE;
    END;
    RESET ROLE;
    RETURN 'ok';
END
$$;
-- runs q as role r, returns its single text result
CREATE FUNCTION pg_temp.val_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE q INTO v;
    RESET ROLE;
    RETURN v;
END
$$;
CREATE TEMP VIEW ext_functions AS
    SELECT p.oid, p.oid::regprocedure AS sig, p.prosecdef, p.proconfig
    FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid
    WHERE e.extname IN ('auth_ext', 'auth_ext_todo');
CREATE TEMP VIEW ext_tables AS
    SELECT c.oid, c.oid::regclass AS tbl
    FROM pg_class c
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid
    WHERE e.extname = 'auth_ext' AND c.relkind IN ('r', 'p', 'v', 'm');
GRANT SELECT ON ext_functions, ext_tables TO t70_app;

-- ---- secrets ----
SELECT is(pg_temp.try_as('t70_app', 'SELECT private_key FROM auth.keys'), '42501',
          'app role cannot read private key material');
SELECT is(pg_temp.try_as('t70_app', 'SELECT kid, public_jwk FROM auth.keys'), '42501',
          'app role cannot read auth.keys at all (it reads auth.jwks())');
SELECT is(pg_temp.try_as('t70_app', 'SELECT password_hash FROM auth.users'), '42501',
          'app role cannot read password hashes');
SELECT is(pg_temp.try_as('t70_app', 'SELECT email FROM auth.users'), '42501',
          'app role cannot list the users');
SELECT is((SELECT count(*) FROM ext_tables
           WHERE has_table_privilege('t70_app', oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
              OR has_any_column_privilege('t70_app', oid, 'SELECT, INSERT, UPDATE, REFERENCES')), 0::bigint,
          'no table of auth_ext grants the app role any privilege, on any column');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.jwks()::text$$), 'ok',
          'the public JWKS stays readable');
SELECT is(pg_temp.val_as('t70_app', $$SELECT count(*) FROM jsonb_array_elements(auth.jwks()->'keys') k
                                     WHERE k ?| ARRAY['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']$$), '0',
          'auth.jwks() publishes no private or symmetric member');
SELECT is(pg_temp.try_as('t70_app', $$INSERT INTO auth.keys (kid, algorithm, public_jwk) VALUES ('evil', 'HS256', '{}')$$),
          '42501', 'app role cannot plant a key');

-- ---- key management and configuration ----
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.create_key('HS256')$$), '42501', 'create_key refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.import_jwk('{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","alg":"HS256"}')$$),
          '42501', 'import_jwk refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.import_jwks('{"keys":[]}')$$), '42501', 'import_jwks refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.retire_key((SELECT 'x'))$$), '42501', 'retire_key refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.jwt_sign('{"sub":"me","role":"service_role"}')$$), '42501',
          'jwt_sign (tokens from the keyring for any sub) refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.configure('jwt.leeway_seconds', '3600')$$), '42501',
          'configure refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT * FROM auth.settings()$$), '42501', 'settings() refused');
SELECT is(pg_temp.try_as('t70_app', $$INSERT INTO auth.config VALUES ('jwt.leeway_seconds', '3600')$$), '42501',
          'app role cannot write auth.config');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth._make_key('HS256', NULL)$$), '42501', 'internal _make_key refused');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth._check_setting('jwt.leeway_seconds', '1')$$), '42501',
          'internal _check_setting refused');
SELECT is((SELECT string_agg(sig::text, ', ' ORDER BY sig::text) FROM ext_functions
           WHERE prosecdef AND has_function_privilege('t70_app', oid, 'EXECUTE')),
          'auth.change_password(text,text), auth.refresh(text), auth.request_email_verification(), '
          'auth.request_password_reset(text), auth.reset_password(text,text), auth.revoke_session(uuid), '
          'auth.sessions(), auth.signin(text,text), auth.signout(), auth.signout_everywhere(), '
          'auth.signup(text,text,text), auth.verify_email(text)',
          'the only SECURITY DEFINER functions an app role may call are the account, session and recovery endpoints');

-- ---- settings out of reach of SET / set_config ----
SELECT is(pg_temp.try_as('t70_app', $$SET auth_ext.claims = '{"sub":"admin"}'$$) <> 'ok', true,
          'SET of the reserved auth_ext prefix fails');
SELECT lives_ok($$SELECT pg_temp.val_as('t70_app', $q$SELECT set_config('jwt.leeway_seconds', '100000', false)$q$)$$,
                'set_config of a name like a setting is accepted (it is only a placeholder)');
SELECT is(pg_temp.try_as('t70_app',
          format('SELECT auth.jwt_verify(%L)', auth.jwt_sign(jsonb_build_object('sub', 'late', 'exp', extract(epoch FROM now())::bigint - 120)))),
          'PT401', '...and changes nothing: a token expired 120 s ago is still refused (leeway 30 s)');
SELECT is((SELECT value FROM auth.settings() WHERE name = 'jwt.leeway_seconds'), '30',
          'the leeway setting is unchanged');
SELECT is(pg_temp.try_as('t70_app', $$ALTER ROLE t70_app SET jwt.leeway_seconds = '100000'$$), '42501',
          'app role cannot ALTER ROLE itself');

-- ---- SECURITY DEFINER hygiene (generic, over pg_proc) ----
SELECT cmp_ok((SELECT count(*) FROM ext_functions WHERE prosecdef), '>=', 4::bigint,
              'the extensions have SECURITY DEFINER functions to audit');
SELECT is((SELECT string_agg(sig::text, ', ') FROM ext_functions
           WHERE prosecdef AND proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp']), NULL,
          'every SECURITY DEFINER function has search_path=pg_catalog, pg_temp in proconfig');
SELECT is((SELECT string_agg(sig::text, ', ') FROM ext_functions f JOIN pg_proc p ON p.oid = f.oid
           WHERE f.prosecdef AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
             AND p.prosrc ~* '\m(from|join|into|update)\s+(users|keys|config|revocations|signin_failures|tasks|outbox|recovery_tokens|recovery_requests)\M'), NULL,
          'SECURITY DEFINER bodies name our tables schema-qualified');

-- ---- hijack attempts: objects planted in public and pg_temp ----
CREATE TABLE public.t70_trap (hits int);
INSERT INTO public.t70_trap VALUES (0);
GRANT UPDATE, SELECT ON public.t70_trap TO t70_app;
SET LOCAL ROLE t70_app;
-- more specific argument types than pg_catalog's: they would win an
-- unqualified call with a varchar/unknown argument if public were searched
CREATE FUNCTION public.lower(varchar) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN UPDATE public.t70_trap SET hits = hits + 1; RETURN 'hijacked@example.com'; END $$;
CREATE FUNCTION public.btrim(varchar, varchar) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN UPDATE public.t70_trap SET hits = hits + 1; RETURN 'x'; END $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
    $$ BEGIN UPDATE public.t70_trap SET hits = hits + 1; RETURN '2000-01-01'; END $$;
CREATE FUNCTION public.gen_random_uuid() RETURNS uuid LANGUAGE plpgsql AS
    $$ BEGIN UPDATE public.t70_trap SET hits = hits + 1; RETURN '00000000-0000-0000-0000-000000000001'; END $$;
CREATE FUNCTION public.t70_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN UPDATE public.t70_trap SET hits = hits + 1; RETURN true; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.t70_eq);
CREATE OPERATOR pg_temp.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.t70_eq);
CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN UPDATE public.t70_trap SET hits = hits + 1; RETURN 'x'; END $$;
-- unqualified table names would resolve to pg_temp first with search_path ''
-- (1.1); 1.2 pins pg_catalog, pg_temp and qualifies them anyway
CREATE TEMP TABLE users (id uuid, email text, name text, password_hash text, created_at timestamptz, updated_at timestamptz);
CREATE TEMP TABLE keys (kid text, algorithm text, public_jwk jsonb, private_key bytea, verify_only boolean, created_at timestamptz, retired_at timestamptz);
CREATE TEMP TABLE config (name text, value text);
CREATE TEMP TABLE revocations (key text);
CREATE TEMP TABLE signin_failures (user_id uuid);
SET LOCAL search_path = pg_temp, public, pg_catalog;
CREATE TEMP TABLE t70_out AS
    SELECT auth.signup('Mallory@Example.com', 'correct horse battery', 'Mallory') AS up;
INSERT INTO t70_out SELECT auth.signin('mallory@example.com', 'correct horse battery');
INSERT INTO t70_out SELECT auth.signin('mallory@example.com', 'wrong password!');
RESET ROLE;
RESET search_path;

SELECT is((SELECT hits FROM public.t70_trap), 0, 'no planted function or operator was called');
SELECT is((SELECT count(*) FROM pg_temp.users), 0::bigint, 'no planted temp table was written');
SELECT is((SELECT count(*) FROM auth.users WHERE email = 'mallory@example.com' AND name = 'Mallory'
             AND id <> '00000000-0000-0000-0000-000000000001'), 1::bigint,
          'sign-up wrote the real auth.users, with the real lower() and gen_random_uuid()');
SELECT is((SELECT count(*) FROM t70_out WHERE up ? 'token'), 2::bigint,
          'sign-up and the right sign-in got tokens');
SELECT is((SELECT count(*) FROM t70_out WHERE up->>'error' = 'Invalid email or password'), 1::bigint,
          'the wrong password was refused (the planted = did not make it equal)');
SELECT is((SELECT count(*) FROM auth.users WHERE created_at > '2001-01-01'), (SELECT count(*) FROM auth.users),
          'timestamps come from pg_catalog.now()');

-- ---- RLS on todo.tasks ----
SELECT is((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = 'todo.tasks'::regclass), true,
          'RLS is enabled and forced on todo.tasks');
SELECT is(pg_temp.try_as('t70_app', 'ALTER TABLE todo.tasks DISABLE ROW LEVEL SECURITY'), '42501',
          'app role cannot disable RLS');
SELECT is(pg_temp.try_as('t70_app', 'ALTER TABLE todo.tasks NO FORCE ROW LEVEL SECURITY'), '42501',
          'app role cannot un-force RLS');
SELECT is(pg_temp.try_as('t70_app', (SELECT format('DROP POLICY %I ON todo.tasks', min(policyname)) FROM pg_policies
                                     WHERE schemaname = 'todo' AND tablename = 'tasks')), '42501',
          'app role cannot drop a policy');
SELECT is(pg_temp.try_as('t70_app', $$CREATE POLICY t70_all ON todo.tasks USING (true)$$), '42501',
          'app role cannot add a permissive policy');
INSERT INTO todo.tasks (user_id, title) SELECT id, 'secret task' FROM auth.users WHERE email = 'mallory@example.com';
SELECT is(pg_temp.try_as('t70_app', $$SET LOCAL row_security = off; SELECT * FROM todo.tasks$$), '42501',
          'row_security = off makes the app role''s query fail, not bypass RLS');
SELECT is(pg_temp.val_as('t70_app', 'SELECT count(*) FROM todo.tasks'), '0',
          'anonymous app role sees no task');
SELECT is(pg_temp.try_as('t70_app', $$SELECT auth.enable_user_isolation('todo.tasks', 'user_id')$$), '42501',
          'app role cannot re-point the isolation policies of a table it does not own');

SELECT * FROM finish();
ROLLBACK;
