-- Known-answer tests of the JWS layer (auth.jws_verify) with the RFC
-- vectors of test/vectors/jose (read by psql, which pg_regress runs in the
-- repository's top directory); each valid
-- vector also with one flipped signature bit, which must be refused.
SET client_min_messages = warning;
\set vec_rfc7515_appendix_a `cat test/vectors/jose/rfc7515_appendix_a.json`
\set vec_rfc7520_section4_compact `cat test/vectors/jose/rfc7520_section4_compact.json`
\set vec_rfc8037_ed25519 `cat test/vectors/jose/rfc8037_ed25519.json`
\set vec_rfc7517_jwk_examples `cat test/vectors/jose/rfc7517_jwk_examples.json`

CREATE FUNCTION pg_temp.b64url_dec(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4), 'base64') $$;
CREATE FUNCTION pg_temp.b64url_enc(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT rtrim(translate(replace(encode(b, 'base64'), E'\n', ''), '+/', '-_'), '=') $$;
-- the token with bit 0 of the signature's first byte flipped
CREATE FUNCTION pg_temp.flip_sig(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT split_part(t, '.', 1) || '.' || split_part(t, '.', 2) || '.' ||
         pg_temp.b64url_enc(set_byte(pg_temp.b64url_dec(split_part(t, '.', 3)), 0,
                            get_byte(pg_temp.b64url_dec(split_part(t, '.', 3)), 0) # 1)) $$;
-- 'ok' or the SQLSTATE, message and detail of the error
CREATE FUNCTION pg_temp.jws(t text, k text, a text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d text;
BEGIN
  PERFORM auth.jws_verify(t, k, a);
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || SQLERRM || ': ' || d;
END $$;

CREATE TEMP TABLE v AS
  SELECT c->>'id' AS id, c->>'alg' AS alg, c->>'compact' AS compact,
         -- oct public JWKs carry no secret: use the full JWK there
         CASE WHEN c->'jwk'->>'kty' = 'oct' THEN c->'jwk' ELSE c->'public_jwk' END AS jwk,
         c->>'payload_utf8' AS payload
  FROM jsonb_array_elements(:'vec_rfc7515_appendix_a'::jsonb->'cases') c
  UNION ALL
  SELECT c->>'id', c->>'alg', c->>'compact',
         CASE WHEN c->'jwk'->>'kty' = 'oct' THEN c->'jwk' ELSE c->'public_jwk' END,
         c->>'payload_utf8'
  FROM jsonb_array_elements(:'vec_rfc7520_section4_compact'::jsonb->'cases') c
  UNION ALL
  SELECT c->>'id', c->>'alg', c->>'compact_A4', c->'public_jwk_A2', c->>'payload_utf8'
  FROM jsonb_array_elements(:'vec_rfc8037_ed25519'::jsonb->'cases') c;

-- valid vectors: the signature verifies and the payload comes back byte for byte
SELECT id, alg,
       convert_from(auth.jws_verify(compact, jwk::text, ARRAY[alg]), 'UTF8') = payload AS payload_matches,
       pg_temp.jws(pg_temp.flip_sig(compact), jwk::text, ARRAY[alg]) AS flipped_bit
  FROM v WHERE id NOT IN ('rfc7515-A.5', 'rfc7520-4.5') ORDER BY id;

-- the private JWKs verify too (their public part is used)
SELECT c->>'id' AS id,
       auth.jws_verify(c->>'compact', (c->'jwk')::text, ARRAY[c->>'alg']) IS NOT NULL AS verified
  FROM jsonb_array_elements(:'vec_rfc7515_appendix_a'::jsonb->'cases') c
 WHERE c ? 'jwk' ORDER BY 1;

-- A.5 (unsecured, alg none) is refused, with any key and any allowed list
SELECT pg_temp.jws(compact, (SELECT jwk::text FROM v WHERE id = 'rfc7515-A.1'), '{HS256}') AS a5
  FROM v WHERE id = 'rfc7515-A.5';
-- ... also when it carries a signature segment
SELECT pg_temp.jws(compact || 'AAAA', (SELECT jwk::text FROM v WHERE id = 'rfc7515-A.1'), '{HS256}') AS a5_with_sig
  FROM v WHERE id = 'rfc7515-A.5';
-- RFC 7520 4.5: detached content (empty payload segment) does not verify on its own
SELECT pg_temp.jws(compact, jwk::text, ARRAY[alg]) AS detached FROM v WHERE id = 'rfc7520-4.5';

-- A.1 through jwt_decode: a valid signature on claims that expired in 2011
SELECT auth.jwt_decode(compact, jwk::text, '{HS256}') FROM v WHERE id = 'rfc7515-A.1';
-- ... while a flipped bit is reported as a bad signature, not as expired
SELECT auth.jwt_decode(pg_temp.flip_sig(compact), jwk::text, '{HS256}') FROM v WHERE id = 'rfc7515-A.1';

-- the algorithm must be allowed by the caller and fit the key
SELECT pg_temp.jws(compact, jwk::text, '{HS512}') AS not_allowed FROM v WHERE id = 'rfc7515-A.1';
SELECT pg_temp.jws(compact, (jwk || '{"alg":"PS256"}')::text, '{RS256,PS256}') AS rs256_token_ps256_jwk
  FROM v WHERE id = 'rfc7515-A.2';
SELECT pg_temp.jws(compact, (SELECT jwk::text FROM v WHERE id = 'rfc7515-A.3'), '{ES512}') AS p256_key_for_es512
  FROM v WHERE id = 'rfc7515-A.4';

-- RFC 8037 A.3: the RFC 7638 thumbprint becomes the kid of an imported JWK without kid
SELECT auth.import_jwk(c->'public_jwk_A2') = c->>'thumbprint_A3_sha256' AS thumbprint_kid
  FROM jsonb_array_elements(:'vec_rfc8037_ed25519'::jsonb->'cases') c;
-- RFC 7638 3.1 example (an RSA key)
SELECT auth.import_jwk(((c->'value') || '{"alg":"RS256"}'::jsonb) - 'kid') = c->>'thumbprint' AS thumbprint_kid
  FROM jsonb_array_elements(:'vec_rfc7517_jwk_examples'::jsonb->'cases') c
 WHERE c->>'id' = 'rfc7638-3.1';
-- RFC 7517 A.1: the EC key is for encryption ("use": "enc"): the set is refused
SELECT auth.import_jwks(c->'value')
  FROM jsonb_array_elements(:'vec_rfc7517_jwk_examples'::jsonb->'cases') c
 WHERE c->>'id' = 'rfc7517-A.1';
-- ... its RSA key alone is fine (and re-importing the same key is a no-op)
SELECT auth.import_jwk(c->'value'->'keys'->1) AS kid, auth.import_jwk(c->'value'->'keys'->1) AS again
  FROM jsonb_array_elements(:'vec_rfc7517_jwk_examples'::jsonb->'cases') c
 WHERE c->>'id' = 'rfc7517-A.1';
-- imported keys never sign and hold no private material
SELECT kid, algorithm, verify_only, private_key IS NULL AS no_private
  FROM auth.keys WHERE verify_only ORDER BY kid;
DELETE FROM auth.keys WHERE verify_only;
