-- test/pgtap/25_issuers.sql: the SQL API of trusted issuers (issue 15;
-- src/sql/25_issuers.sql, src/identity/issuers.c): what auth.trust_issuer() refuses,
-- with which SQLSTATE, what auth.issuers() shows, and that a role without
-- the extension owner's privileges can neither call the functions (even
-- after an over-broad EXECUTE grant) nor read the table.  Live tokens of
-- four providers are in test/interop/20_issuers.test.mjs.
BEGIN;
SELECT plan(48);

CREATE ROLE t25_app NOLOGIN;

-- public JWKs to trust: our own keys' public halves (auth.jwks())
SELECT auth.create_key('RS256'::text) AS rsa_kid \gset
SELECT auth.create_key('ES256'::text) AS ec_kid \gset
CREATE TEMP TABLE jwk AS
    SELECT (SELECT k FROM jsonb_array_elements(auth.jwks()->'keys') k WHERE k->>'kid' = :'rsa_kid') AS rsa,
           (SELECT k FROM jsonb_array_elements(auth.jwks()->'keys') k WHERE k->>'kid' = :'ec_kid') AS ec;
GRANT SELECT ON jwk TO t25_app;

\ir include/state.sql
CREATE FUNCTION pg_temp.msg(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLERRM;
END $$;
CREATE FUNCTION pg_temp.trust(jwks jsonb, options jsonb DEFAULT '{}', aud text[] DEFAULT NULL) RETURNS text
    LANGUAGE sql AS $$
    SELECT pg_temp.state(format('SELECT auth.trust_issuer(%L, %L::jsonb, %L::text[], %L::jsonb)',
                                'https://idp.example', jwks, aud, options))
$$;
CREATE FUNCTION pg_temp.keys(VARIADIC k jsonb[]) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('keys', to_jsonb(k))
$$;

-- accepted
SELECT is(pg_temp.trust(pg_temp.keys(rsa, ec), '{"role_claim": "app_metadata.role"}', '{api}'), 'ok',
          'an RSA and an EC public key are trusted') FROM jwk;
SELECT is((SELECT kids FROM auth.issuers()), ARRAY[:'rsa_kid', :'ec_kid'],
          'auth.issuers() lists the kids in JWKS order');
SELECT is((SELECT audience FROM auth.issuers()), '{api}'::text[], 'and the audiences');
SELECT is((SELECT options->>'user_id_claim' FROM auth.issuers()), 'sub', 'user_id_claim defaults to sub');
SELECT is((SELECT options->'algorithms' ? 'HS256' FROM auth.issuers()), false, 'HMAC is never among the default algorithms');
SELECT is(pg_temp.trust(pg_temp.keys(rsa - 'alg')), 'ok', 'an RSA key without "alg" is accepted (Entra ID)') FROM jwk;
SELECT is((SELECT keys->0->'algorithms' FROM auth.issuers()),
          '["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]'::jsonb,
          'it serves the RSA family');
SELECT is(pg_temp.trust(pg_temp.keys(rsa - 'alg' - 'kid'), '{"algorithms": ["RS256"]}'), 'ok',
          'without "kid" too (its RFC 7638 thumbprint is its kid)') FROM jwk;
SELECT is((SELECT keys->0->'algorithms' FROM auth.issuers()), '["RS256"]'::jsonb,
          'and only the issuer''s algorithms');
SELECT is((SELECT count(*)::int FROM auth.issuers()), 1, 'trusting again replaces the issuer''s key set');

-- refused
SELECT is(pg_temp.state($$SELECT auth.trust_issuer(NULL, '{"keys":[]}')$$), '22004', 'a NULL issuer: 22004');
SELECT is(pg_temp.state($$SELECT auth.trust_issuer('x', NULL)$$), '22004', 'a NULL JWKS: 22004');
SELECT is(pg_temp.state(format('SELECT auth.trust_issuer(%L, %L)', '', pg_temp.keys(rsa))), '22023', 'an empty issuer: 22023') FROM jwk;
SELECT is(pg_temp.trust('{"keys": []}'), '22023', 'a JWKS without keys: 22023');
SELECT is(pg_temp.trust('[]'), '22023', 'not a JWKS: 22023');
SELECT is(pg_temp.trust(pg_temp.keys(rsa || '{"d": "AAAA"}')), '22023', 'private material (d): 22023') FROM jwk;
SELECT is(pg_temp.msg(format('SELECT auth.trust_issuer(%L, %L)', 'x', pg_temp.keys(ec || '{"d": "AAAA"}'))),
          'the JWKS holds private key material', 'with a message saying so') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys('{"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldC0", "alg": "HS256"}')),
          '22023', 'an HMAC (oct) key: 22023');
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"algorithms": ["none"]}'), '22023', 'algorithm none: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa - 'alg'), '{"algorithms": ["HS256"]}'), '22023', 'an HMAC algorithm: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"algorithms": ["ES256"]}'), '22023',
          'a key whose "alg" the issuer does not allow: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(jsonb_set(rsa, '{use}', '"enc"'))), '22023', 'use "enc": 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa || '{"key_ops": ["encrypt"]}')), '22023', 'key_ops without verify: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa, rsa)), '22023', 'two keys with one kid: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"user_claim": "oid"}'), '22023', 'an unknown option: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"role_claim": "a..b"}'), '22023', 'a bad role_claim path: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"leeway_seconds": -1}'), '22023', 'a negative leeway: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{}', '{}'), '22023', 'an empty audience list: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"leeway_seconds": 1e30}'), '22023', 'a huge leeway: 22023') FROM jwk;
SELECT is(pg_temp.trust(pg_temp.keys(rsa), '{"leeway_seconds": 1.5}'), '22023', 'a fractional leeway: 22023') FROM jwk;
SELECT auth.configure('jwt.issuer'::text, 'https://idp.example'::text);
SELECT is(pg_temp.trust(pg_temp.keys(rsa)), '22023', 'our own issuer (jwt.issuer): 22023') FROM jwk;
SELECT auth.configure('jwt.issuer'::text, ''::text);
SELECT is(pg_temp.state($$SELECT auth.distrust_issuer('https://nobody.example')$$), '42704',
          'distrusting an unknown issuer: 42704');

-- a row the owner broke by hand is skipped with a warning; our own tokens
-- (and the other issuers) keep working
SELECT is(pg_temp.trust(pg_temp.keys(rsa)), 'ok', 'trusted again') FROM jwk;
UPDATE auth.trusted_issuers SET options = '{"bogus": 1}';
SET LOCAL client_min_messages = error;
SELECT is(pg_temp.state(format('SELECT auth.jwt_verify(%L)', auth.jwt_sign('{"sub": "me"}'))), 'ok',
          'a broken issuer row does not stop our own tokens');
RESET client_min_messages;

-- leeway: the jwt.leeway_seconds setting (30 s) unless the issuer has its own
SELECT is(pg_temp.trust(pg_temp.keys(rsa, ec)), 'ok', 'trusted without options') FROM jwk;
SELECT is((SELECT options->'leeway_seconds' FROM auth.issuers()), 'null'::jsonb, 'leeway_seconds: null, the setting');
SELECT auth.jwt_sign(jsonb_build_object('iss', 'https://idp.example', 'sub', 'x',
                                        'iat', extract(epoch FROM now())::bigint + 10)) AS ahead \gset
SELECT is(pg_temp.state(format('SELECT auth.jwt_verify(%L)', :'ahead')), 'ok', 'iat 10 s ahead: within jwt.leeway_seconds');
SELECT is(pg_temp.trust(pg_temp.keys(rsa, ec), '{"leeway_seconds": 0}'), 'ok', 'trusted with leeway 0') FROM jwk;
SELECT is(pg_temp.state(format('SELECT auth.jwt_verify(%L)', :'ahead')), 'PT401', 'refused with the issuer''s leeway 0');

-- a trusted issuer's identity, mapped, reaches parallel workers as it is
SELECT is(pg_temp.trust(pg_temp.keys(rsa, ec), '{"user_id_claim": "oid", "role_claim": "r.x"}'), 'ok',
          'trusted with a claim mapping') FROM jwk;
SELECT auth.jwt_sign(jsonb_build_object('sub', gen_random_uuid()::text, 'iss', 'https://idp.example',
                                        'oid', 'ext-7', 'r', '{"x": "editor"}'::jsonb)) AS ext \gset
SELECT is(auth.jwt_verify(:'ext') ->> 'oid', 'ext-7', 'its token verifies');
SELECT is(ARRAY[auth.user_id(), auth.role(), auth.uid()::text], ARRAY['ext-7', 'editor', NULL],
          'user_id from oid, role from r.x, no uid');
CREATE TABLE t25_rows AS SELECT g FROM generate_series(1, 3000) g;
ANALYZE t25_rows;
\ir include/workers.sql
SELECT matches(pg_temp.plan($$SELECT count(*) FROM t25_rows WHERE auth.user_id() = 'ext-7'$$),
               'Gather.*Workers Launched: [1-9].*One-Time Filter: \(auth.user_id\(\) =',
               'the readers run in parallel workers');
SELECT is((SELECT count(*)::int FROM t25_rows
            WHERE auth.user_id() = 'ext-7' AND auth.role() = 'editor' AND auth.uid() IS NULL), 3000,
          'and see the mapped identity there');
RESET parallel_leader_participation;
RESET :force_parallel;

-- not for application roles, whatever EXECUTE grants say
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO t25_app;
SET LOCAL ROLE t25_app;
SELECT is(pg_temp.state(format('SELECT auth.trust_issuer(%L, %L)', 'https://evil.example', pg_temp.keys(rsa))),
          '42501', 'trust_issuer: 42501 for a non-owner with EXECUTE') FROM jwk;
SELECT is(pg_temp.state($$SELECT auth.distrust_issuer('https://idp.example')$$), '42501', 'distrust_issuer: 42501');
SELECT is(pg_temp.state($$SELECT * FROM auth.issuers()$$), '42501', 'issuers(): 42501');
SELECT is(pg_temp.state($$SELECT * FROM auth.trusted_issuers$$), '42501', 'the table: 42501');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
