-- Tokens: keyring signing/verification round trip, PT401 errors, exp.
-- Deterministic output only: tokens carry random kids/jti, so only booleans
-- and error messages are printed.
\set VERBOSITY default
SET client_min_messages = warning;

-- CREATE EXTENSION left one working EdDSA signing key
SELECT count(*) AS keys, min(algorithm) AS alg, bool_and(private_key IS NOT NULL) AS has_private
  FROM auth.keys;
SELECT jsonb_array_length(auth.jwks()->'keys') AS published,
       auth.jwks()->'keys'->0 ?& '{kid,alg,use,kty,crv,x}' AS members,
       auth.jwks()->'keys'->0 ? 'd' AS leaks_private;

-- sign and verify
SELECT auth.jwt_sign('{"sub":"alice","role":"authenticated"}') AS tok \gset
SELECT auth.jwt_verify(:'tok')->>'sub' AS sub,
       auth.jwt_verify(:'tok') ?& '{iat,exp,jti}' AS added_claims,
       (auth.jwt_verify(:'tok')->>'exp')::bigint - (auth.jwt_verify(:'tok')->>'iat')::bigint AS lifetime;
SELECT auth.jwt_decode_unverified(:'tok')->'header' ?& '{alg,kid,typ}' AS header_members,
       auth.jwt_decode_unverified(:'tok')->'header'->>'alg' AS alg;
-- same C function under the pg_session_jwt name
SELECT auth.jwt_session_init(:'tok')->>'sub' AS sub;

-- every failure is PT401
\set VERBOSITY sqlstate
SELECT auth.jwt_verify(:'tok' || 'A');
\set VERBOSITY default
SELECT auth.jwt_verify('');
SELECT auth.jwt_verify('a.b');
SELECT auth.jwt_verify(:'tok' || '.x');
-- an expired token (exp in the past, beyond the 30 s leeway)
SELECT auth.jwt_sign(jsonb_build_object('sub', 'alice',
         'exp', extract(epoch from now())::bigint - 60)) AS expired \gset
SELECT auth.jwt_verify(:'expired');
-- within the leeway still valid
SELECT auth.jwt_sign(jsonb_build_object('sub', 'alice',
         'exp', extract(epoch from now())::bigint - 5)) AS leeway \gset
SELECT auth.jwt_verify(:'leeway')->>'sub' AS within_leeway;

-- rotation: a new key signs, the old one still verifies
SELECT auth.create_key('HS256') IS NOT NULL AS created;
SELECT auth.jwt_sign('{"sub":"bob"}') AS tok2 \gset
SELECT auth.jwt_decode_unverified(:'tok2')->'header'->>'alg' AS new_alg;
SELECT auth.jwt_verify(:'tok2')->>'sub' AS sub2, auth.jwt_verify(:'tok')->>'sub' AS sub1;
-- HMAC keys are never published
SELECT jsonb_array_length(auth.jwks()->'keys') AS published;
-- retiring the first key: its tokens stop verifying at once
SELECT auth.retire_key(auth.jwt_decode_unverified(:'tok')->'header'->>'kid');
SELECT auth.jwt_verify(:'tok');
SELECT auth.jwt_verify(:'tok2')->>'sub' AS sub2;
SELECT jsonb_array_length(auth.jwks()->'keys') AS published;

-- a hand-written row that does not parse is skipped with a warning; the
-- other keys keep working
INSERT INTO auth.keys (kid, algorithm, public_jwk) VALUES ('t20-broken', 'ES256', '{"kty":"EC"}');
SELECT auth.jwt_verify(:'tok2')->>'sub' AS still_verifies;
DELETE FROM auth.keys WHERE kid = 't20-broken';
SELECT auth.jwt_verify(:'tok2')->>'sub' AS sub2;

-- force_parallel_mode (PostgreSQL 15) is debug_parallel_query from 16 on
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS force_parallel \gset
-- a fresh backend that must load its caches with parallel query forced:
-- jwt_encode is PARALLEL UNSAFE, so no parallel plan is made
\c
SET :force_parallel = on;
SELECT auth.jwt_decode(auth.jwt_encode(jsonb_build_object('sub', 'par',
         'exp', extract(epoch from now())::bigint + 60), repeat('k', 32)), repeat('k', 32))->>'sub' AS sub;
-- since 1.1 the explicit-key functions are PARALLEL SAFE: under
-- forced parallel query they run in a parallel worker (Gather, Single Copy,
-- one worker launched), a fresh process that loads the settings there with
-- the query's snapshot; results are right and failures are still PT401
SELECT auth.jwt_encode(jsonb_build_object('sub', 'par', 'pad', repeat('p', 200), 'exp', extract(epoch from now())::bigint + 60),
         repeat('k', 32)) AS partok \gset
\c
SET :force_parallel = on;
-- the plan's nodes and worker counts, without the "(actual rows=...)" figures
-- (PostgreSQL 18 prints rows=1.00 where 15 and 17 print rows=1)
CREATE FUNCTION pg_temp.plan_nodes(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || q LOOP
    RETURN NEXT regexp_replace(line, ' \(actual [^)]*\)', '');
  END LOOP;
END $$;
SELECT pg_temp.plan_nodes(format('SELECT auth.jwt_decode(%L, repeat(''k'', 32)), auth.jws_verify(%L, repeat(''k'', 32), ''{HS256}''),
       auth.jwt_decode_unverified(%L)', :'partok', :'partok', :'partok')) AS plan;
SELECT auth.jwt_decode(:'partok', repeat('k', 32))->>'sub' AS decoded,
       convert_from(auth.jws_verify(:'partok', repeat('k', 32), '{HS256}'), 'UTF8')::jsonb->>'sub' AS verified,
       auth.jwt_decode_unverified(:'partok')->'header'->>'alg' AS unverified_alg;
SELECT auth.jwt_decode(:'partok', repeat('x', 32));
\echo :LAST_ERROR_SQLSTATE
SELECT auth.jws_verify(:'partok', repeat('k', 32), '{HS512}');
\echo :LAST_ERROR_SQLSTATE
SELECT auth.jwt_decode_unverified('not.a-token');
\echo :LAST_ERROR_SQLSTATE
-- the worker reads the settings in auth.config, not defaults: a smaller
-- jwt.max_token_bytes refuses the same token there
RESET :force_parallel;
SELECT auth.configure('jwt.max_token_bytes', '256');
SET :force_parallel = on;
SELECT length(:'partok') > 256 AS longer;
SELECT auth.jwt_decode_unverified(:'partok');
\echo :LAST_ERROR_SQLSTATE
RESET :force_parallel;
SELECT auth.configure('jwt.max_token_bytes', NULL);
\c
SET :force_parallel = on;
SELECT jsonb_typeof(auth.jwks()->'keys') AS jwks;
\c
SET :force_parallel = on;
SELECT auth.jwt_verify(:'tok2')->>'sub' AS sub2;
RESET :force_parallel;

-- the verified-token cache still checks time claims and settings on every hit
SELECT auth.jwt_sign(jsonb_build_object('sub', 'carol',
         'exp', extract(epoch from now())::bigint - 10)) AS grace \gset
SELECT auth.jwt_verify(:'grace')->>'sub' AS first, auth.jwt_verify(:'grace')->>'sub' AS cached;
SELECT auth.configure('jwt.leeway_seconds', '0');
SELECT auth.jwt_verify(:'grace');
SELECT auth.configure('jwt.leeway_seconds', NULL);
SELECT auth.jwt_verify(:'grace')->>'sub' AS back_in_leeway;
SELECT auth.configure('jwt.issuer', 'https://t20.example');
SELECT auth.jwt_verify(:'grace');
SELECT auth.configure('jwt.issuer', NULL);
-- a hit needs the whole token to match, not only its hash: the cached
-- token's signature (its last bytes pick the slot) under another payload
SELECT split_part(:'tok2', '.', 1) || '.' ||
       rtrim(translate(encode(convert_to('{"sub":"mallory","exp":4102444800}', 'UTF8'), 'base64'), '+/', '-_'), '=') ||
       '.' || split_part(:'tok2', '.', 3) AS forged \gset
SELECT auth.jwt_verify(:'tok2')->>'sub' AS cached_original;
SELECT auth.jwt_verify(:'forged');
-- many distinct tokens: 2,000 tokens of about 1.5 KiB each are more than
-- the cache's 4 MiB budget holds (about 1,000 of them), so the second pass
-- verifies both evicted and cached tokens; all give the same claims
SELECT auth.create_key('HS256') AS many_kid \gset
CREATE TEMP TABLE t20_many AS
  SELECT i, auth.jwt_sign(jsonb_build_object('sub', 'u' || i, 'pad', repeat('p', 1000))) AS tok
  FROM generate_series(1, 2000) i;
CREATE TEMP TABLE t20_pass1 AS SELECT i, auth.jwt_verify(tok) AS claims FROM t20_many;
SELECT count(*) FILTER (WHERE claims->>'sub' = 'u' || i) AS first_pass FROM t20_pass1;
SELECT count(*) FILTER (WHERE auth.jwt_verify(m.tok) = p.claims) AS second_pass,
       count(*) FILTER (WHERE auth.jwt_verify(m.tok) = p.claims) AS third_pass
  FROM t20_many m JOIN t20_pass1 p USING (i);
-- the cache's memory stays within its bound (4 MiB budget, 8 MiB for its
-- whole context) after these 2,000 large tokens (about 8 MiB of
-- entries)
SELECT total_bytes > 1024 * 1024 AS cache_used, total_bytes <= 8 * 1024 * 1024 AS cache_bounded
  FROM pg_backend_memory_contexts WHERE name = 'auth_ext token cache';
-- a retired key makes every one of them fail, cached or not
CREATE FUNCTION pg_temp.t20_refused(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM auth.jwt_verify(t);
  RETURN false;
EXCEPTION WHEN SQLSTATE 'PT401' THEN
  RETURN true;
END $$;
SELECT auth.retire_key(:'many_kid');
SELECT count(*) FILTER (WHERE pg_temp.t20_refused(tok)) AS refused FROM t20_many;
DROP TABLE t20_many, t20_pass1;
-- a cached token is still checked for revocation on every call: with
-- auth.revocations empty no probe is made, and a revocation (here written
-- directly) reaches the cached token at once; removing it restores it
SELECT auth.jwt_sign('{"sub":"t20-rev"}') AS revtok \gset
SELECT count(*) AS revocations FROM auth.revocations;
SELECT auth.jwt_verify(:'revtok')->>'sub' AS first, auth.jwt_verify(:'revtok')->>'sub' AS cached;
INSERT INTO auth.revocations (key, expires_at)
  VALUES ('jti:' || (auth.jwt_decode_unverified(:'revtok')->'payload'->>'jti'), now() + interval '1 day');
SELECT auth.jwt_verify(:'revtok');
SELECT pg_temp.t20_refused(:'revtok') AS refused_again;
DELETE FROM auth.revocations
  WHERE key = 'jti:' || (auth.jwt_decode_unverified(:'revtok')->'payload'->>'jti');
SELECT auth.jwt_verify(:'revtok')->>'sub' AS after_delete;
