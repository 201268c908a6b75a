-- Step 20: tokens.  JWTs minted and verified inside the database.
\echo '--- CREATE EXTENSION left a working EdDSA signing key; its public half is published as a JWKS:'
SELECT kid, algorithm, verify_only, created_at IS NOT NULL AS dated FROM auth.keys;
SELECT jsonb_pretty(auth.jwks());

\echo '--- auth.jwt_sign adds iat, exp (7 days by default), a random jti; the header names the key:'
SELECT auth.jwt_sign('{"sub":"7d3c1e2a-0000-4000-8000-000000000001","role":"authenticated","email":"alice@example.com"}') AS token \gset
SELECT jsonb_pretty(auth.jwt_decode_unverified(:'token'));

\echo '--- auth.jwt_verify checks signature, exp/nbf/iat, iss/aud, revocation, and returns the claims:'
SELECT auth.jwt_verify(:'token') ->> 'email' AS verified_email;

\echo '--- every failure is SQLSTATE PT401 (PostgREST answers 401), with the reason in the detail:'
\set ON_ERROR_STOP off
\set VERBOSITY default
SELECT auth.jwt_verify(:'token' || 'x');
SELECT auth.jwt_verify(auth.jwt_sign(jsonb_build_object('sub', 'bob', 'exp', extract(epoch from now())::bigint - 3600)));
SELECT auth.jwt_verify('eyJhbGciOiJub25lIn0.eyJzdWIiOiJldmUifQ.AAAA');
\set ON_ERROR_STOP on

\echo '--- rotation: a new key signs from now on; tokens of the old key keep verifying until it is retired:'
SELECT auth.create_key('ES256') AS new_kid \gset
SELECT auth.jwt_sign('{"sub":"carol"}') AS token2 \gset
SELECT auth.jwt_decode_unverified(:'token2') -> 'header' ->> 'alg' AS new_alg,
       auth.jwt_verify(:'token') ->> 'email' AS old_token_still_ok;
SELECT auth.retire_key(auth.jwt_decode_unverified(:'token') -> 'header' ->> 'kid');
\set ON_ERROR_STOP off
SELECT auth.jwt_verify(:'token');
\set ON_ERROR_STOP on

\echo '--- explicit keys: HS256 with a shared secret (32+ bytes), for tokens of another system:'
SELECT auth.jwt_encode(jsonb_build_object('sub', 'dave', 'exp', extract(epoch from now())::bigint + 60),
                       'a shared secret of at least 32 bytes!!', 'HS256') AS hs \gset
SELECT auth.jwt_decode(:'hs', 'a shared secret of at least 32 bytes!!') ->> 'sub' AS decoded_sub;

\echo '--- admin settings (not GUCs: SET cannot touch them): issuer, audience, leeway, lifetime, size cap:'
SELECT name, value, description FROM auth.settings() WHERE name LIKE 'jwt.%' ORDER BY name;
