-- test/pgtap/27_session_jwt_compat.sql: Neon's pg_session_jwt vocabulary
-- (issue 15, item 5; src/identity/session_jwt.c, src/sql/27_session_jwt.sql): the
-- functions an app written for pg_session_jwt calls exist here with their
-- volatility and parallel labels, auth.init() is a setup check (a key in the
-- setting pg_session_jwt.jwk is refused, never read; no usable key is 55000),
-- auth.jwt_session_init() is auth.jwt_verify(), and where the two differ on
-- purpose (README "Moving from pg_session_jwt") the difference is pinned:
-- no request.jwt.claims fallback, SQL NULL when anonymous.
BEGIN;
SELECT plan(35);

CREATE ROLE t27_app NOLOGIN;
GRANT USAGE ON SCHEMA auth TO t27_app;

\ir include/state.sql
GRANT EXECUTE ON FUNCTION pg_temp.state(text) TO t27_app;
CREATE FUNCTION pg_temp.labels(sig regprocedure) RETURNS text LANGUAGE sql AS $$
    SELECT p.provolatile::text || p.proparallel::text || CASE WHEN p.prosecdef THEN ' definer' ELSE '' END
      FROM pg_proc p WHERE p.oid = sig
$$;

-- the names, with pg_session_jwt's labels (STABLE PARALLEL SAFE readers)
SELECT is(pg_temp.labels('auth.init()'), 'ss', 'auth.init(): STABLE, PARALLEL SAFE, SECURITY INVOKER');
SELECT is((SELECT prorettype::regtype::text FROM pg_proc WHERE oid = 'auth.init()'::regprocedure), 'void',
          'auth.init() returns void, as in pg_session_jwt');
SELECT is(pg_temp.labels('auth.user_id()'), 'ss', 'auth.user_id(): STABLE, PARALLEL SAFE');
SELECT is(pg_temp.labels('auth.session()'), 'ss', 'auth.session(): STABLE, PARALLEL SAFE');
SELECT is(pg_temp.labels('auth.uid()'), 'ss', 'auth.uid(): STABLE, PARALLEL SAFE');
SELECT is((SELECT prosrc FROM pg_proc WHERE oid = 'auth.jwt_session_init(text)'::regprocedure),
          (SELECT prosrc FROM pg_proc WHERE oid = 'auth.jwt_verify(text)'::regprocedure),
          'auth.jwt_session_init is auth.jwt_verify under its pg_session_jwt name');

-- auth.init(): a setup check, for everyone
SELECT lives_ok('SELECT auth.init()', 'auth.init() passes on a fresh install (its keyring has a key)');
SET LOCAL ROLE t27_app;
SELECT is(pg_temp.state('SELECT auth.init()'), 'ok', 'an application role may call it');
SET LOCAL pg_session_jwt.jwk = '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}';
SELECT is(pg_temp.state('SELECT auth.init()'), '22023', 'a key in pg_session_jwt.jwk: 22023 (never read)');
RESET ROLE;
SELECT throws_ok('SELECT auth.init()', '22023', 'setting "pg_session_jwt.jwk" is not read by auth_ext',
                 'with a message naming the setting');
SELECT is(auth.user_id(), NULL, 'and the key in the setting gave nobody an identity');
SET LOCAL pg_session_jwt.jwk = '';
SELECT lives_ok('SELECT auth.init()', 'an empty pg_session_jwt.jwk is no key: passes');

-- PARALLEL SAFE is true: it runs in a parallel worker (keyring and issuers load there)
CREATE TABLE t27_rows AS SELECT g FROM generate_series(1, 3000) g;
ANALYZE t27_rows;
\ir include/workers.sql
SELECT matches(pg_temp.plan($$SELECT count(*) FROM t27_rows WHERE auth.init()::text = ''$$),
               'Gather.*Workers Launched: [1-9].*One-Time Filter: \(\(auth.init\(\)\)::text = ',
               'auth.init() runs in a parallel worker');
SELECT is((SELECT count(*)::int FROM t27_rows WHERE auth.init()::text = ''), 3000, 'and passes there');
RESET parallel_leader_participation;
RESET :force_parallel;

-- no key could verify a token: 55000, until an issuer is trusted
SAVEPOINT no_keys;
SELECT auth.retire_key(kid) FROM auth.keys WHERE retired_at IS NULL;
SELECT throws_ok('SELECT auth.init()', '55000', 'auth_ext has no key to verify tokens with',
                 'every key retired and no issuer: 55000');
SELECT auth.create_key('ES256') AS es_kid \gset
SELECT auth.trust_issuer('https://idp.example',
         jsonb_build_object('keys', jsonb_build_array(
           (SELECT k FROM jsonb_array_elements(auth.jwks()->'keys') k WHERE k->>'kid' = :'es_kid'))));
SELECT auth.retire_key(:'es_kid');
SELECT lives_ok('SELECT auth.init()', 'a trusted issuer is enough');
SELECT auth.distrust_issuer('https://idp.example');
SELECT throws_ok('SELECT auth.init()', '55000', NULL, 'distrusted again: 55000');
ROLLBACK TO SAVEPOINT no_keys;
SELECT lives_ok('SELECT auth.init()', 'the keyring back: passes');

-- jwt_session_init(token): verifies and sets the identity of the transaction
SELECT auth.jwt_sign('{"sub":"5f0c7a52-52a5-4f86-9d6c-3a1e0c9b8d11","role":"authenticated","email":"a@example.com"}') AS tok \gset
SELECT is(auth.session(), NULL, 'anonymous: auth.session() is SQL NULL (pg_session_jwt: JSON null)');
SET LOCAL request.jwt.claims = '{"sub":"forged","role":"service_role"}';
SELECT is(auth.user_id(), NULL, 'no request.jwt.claims fallback: auth.user_id() stays NULL');
SELECT is(auth.session(), NULL, 'and auth.session() too');
SELECT is(auth.jwt_session_init(:'tok')->>'sub', '5f0c7a52-52a5-4f86-9d6c-3a1e0c9b8d11',
          'jwt_session_init returns the claims (pg_session_jwt: void)');
SELECT is(auth.user_id(), '5f0c7a52-52a5-4f86-9d6c-3a1e0c9b8d11', 'auth.user_id() is the sub claim');
SELECT is(auth.uid(), '5f0c7a52-52a5-4f86-9d6c-3a1e0c9b8d11'::uuid, 'auth.uid() is sub as a uuid');
SELECT is(auth.session(), auth.jwt(), 'auth.session() is auth.jwt()');
SELECT is(auth.session()->>'email', 'a@example.com', 'all the claims');
SELECT is(pg_temp.state(format('SELECT auth.jwt_session_init(%L)', :'tok' || 'x')), 'PT401',
          'a bad token: PT401');

-- no request.jwt.claims fallback: anybody can set that setting
SET LOCAL ROLE t27_app;
SET LOCAL request.jwt.claims = '{"sub":"forged","role":"service_role"}';
SELECT is(auth.user_id(), '5f0c7a52-52a5-4f86-9d6c-3a1e0c9b8d11',
          'request.jwt.claims does not replace the verified identity');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'auth'::regnamespace
             AND prosrc ~ 'request\.jwt\.claims'), 0,
          'no function of schema auth reads request.jwt.claims');
SELECT is(pg_temp.state('SELECT auth.jwt_session_init(NULL)'), 'ok', 'jwt_session_init(NULL) is NULL (STRICT)');
SELECT is(auth.jwt_session_init(NULL), NULL, 'and sets nothing');

-- tokens made for pg_session_jwt: an integer jti (its replay counter) and
-- no exp are accepted there, refused here (README "Moving from pg_session_jwt")
SELECT 'a shared secret of at least 32 bytes for t27' AS secret \gset
SELECT auth.import_jwk(jsonb_build_object('kty', 'oct', 'alg', 'HS256', 'kid', 't27-hs',
         'k', rtrim(translate(encode(convert_to(:'secret', 'UTF8'), 'base64'), '+/', '-_'), '=')));
CREATE TEMP TABLE t27_tokens AS SELECT
    auth.jwt_encode(jsonb_build_object('sub', 'app-user-1', 'jti', 7, 'exp', extract(epoch FROM now())::int + 300),
                    :'secret', 'HS256', '{"kid":"t27-hs"}') AS int_jti,
    auth.jwt_encode(jsonb_build_object('sub', 'app-user-1', 'jti', '7', 'exp', extract(epoch FROM now())::int + 300),
                    :'secret', 'HS256', '{"kid":"t27-hs"}') AS text_jti,
    auth.jwt_encode('{"sub":"app-user-1","jti":"8"}', :'secret', 'HS256', '{"kid":"t27-hs"}') AS no_exp;
SELECT throws_ok(format('SELECT auth.jwt_session_init(%L)', int_jti), 'PT401', 'Invalid token',
                 'an integer jti (pg_session_jwt''s counter): PT401') FROM t27_tokens;
SELECT throws_ok(format('SELECT auth.jwt_session_init(%L)', no_exp), 'PT401', 'Invalid token',
                 'no exp: PT401') FROM t27_tokens;
SELECT is(auth.jwt_session_init(text_jti)->>'sub', 'app-user-1', 'the same token with a string jti verifies')
  FROM t27_tokens;
SELECT is(auth.user_id(), 'app-user-1', 'and names its sub');

SELECT * FROM finish();
ROLLBACK;
