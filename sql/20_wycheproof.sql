-- Project Wycheproof signature/MAC vectors and RFC 4231 HMAC vectors
-- through the JWS signature layer (auth._verify_signature: the same code
-- jws_verify and jwt_verify use, on arbitrary messages).  Per file: how
-- many cases, and how many disagree with the expected result ("acceptable"
-- cases may go either way).  The vectors are the repository's copies in
-- test/vectors (see its README), read by psql (pg_regress runs it in the
-- repository's top directory), so the server needs no access to them.
SET client_min_messages = warning;
\set vec_ecdsa_secp256r1_sha256_p1363 `cat test/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363.json`
\set vec_ecdsa_secp384r1_sha384_p1363 `cat test/vectors/wycheproof/ecdsa_secp384r1_sha384_p1363.json`
\set vec_ecdsa_secp521r1_sha512_p1363 `cat test/vectors/wycheproof/ecdsa_secp521r1_sha512_p1363.json`
\set vec_ed25519 `cat test/vectors/wycheproof/ed25519.json`
\set vec_rsa_signature_2048_sha256 `cat test/vectors/wycheproof/rsa_signature_2048_sha256.json`
\set vec_rsa_pss_2048_sha256_mgf1_32 `cat test/vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32.json`
\set vec_hmac_sha256 `cat test/vectors/wycheproof/hmac_sha256.json`
\set vec_rfc4231 `cat test/vectors/jose/rfc4231.json`

CREATE TEMP TABLE w AS
SELECT f.file, f.alg, t->>'tcId' AS tc, t->>'result' AS expected, t->'flags' AS flags,
       CASE WHEN f.alg LIKE 'HS%'
            THEN jsonb_build_object('kty', 'oct', 'k',
                   rtrim(translate(encode(decode(t->>'key', 'hex'), 'base64'), E'+/\n', '-_'), '='))::text
            ELSE coalesce(g->'publicKeyJwk', g->'keyJwk')::text END AS key,
       decode(t->>'msg', 'hex') AS msg,
       decode(coalesce(t->>'sig', t->>'tag'), 'hex') AS sig
FROM (VALUES ('ecdsa_secp256r1_sha256_p1363', 'ES256', :'vec_ecdsa_secp256r1_sha256_p1363'::jsonb),
             ('ecdsa_secp384r1_sha384_p1363', 'ES384', :'vec_ecdsa_secp384r1_sha384_p1363'::jsonb),
             ('ecdsa_secp521r1_sha512_p1363', 'ES512', :'vec_ecdsa_secp521r1_sha512_p1363'::jsonb),
             ('ed25519', 'EdDSA', :'vec_ed25519'::jsonb),
             ('rsa_signature_2048_sha256', 'RS256', :'vec_rsa_signature_2048_sha256'::jsonb),
             ('rsa_pss_2048_sha256_mgf1_32', 'PS256', :'vec_rsa_pss_2048_sha256_mgf1_32'::jsonb),
             ('hmac_sha256', 'HS256', :'vec_hmac_sha256'::jsonb)) f(file, alg, j),
     jsonb_array_elements(f.j->'testGroups') g,
     jsonb_array_elements(g->'tests') t
-- HMAC: full-length tags and keys of at least 256 bits (shorter keys are refused by design)
WHERE f.alg NOT LIKE 'HS%' OR ((g->>'tagSize')::int = 256 AND (g->>'keySize')::int >= 256);

SELECT file, count(*) AS cases,
       count(*) FILTER (WHERE expected = 'valid') AS valid,
       count(*) FILTER (WHERE expected = 'invalid') AS invalid,
       count(*) FILTER (WHERE (expected = 'valid') <> auth._verify_signature(alg, key, msg, sig)
                          AND expected <> 'acceptable') AS disagreements
  FROM w GROUP BY file ORDER BY file;
-- the cases we disagree on, if any
SELECT file, tc, expected, flags FROM w
 WHERE expected <> 'acceptable' AND (expected = 'valid') <> auth._verify_signature(alg, key, msg, sig)
 ORDER BY file, tc::int;

-- RFC 4231: the cases with keys of 32+ bytes (6 and 7, 131-byte keys) verify
-- for HS256/384/512; the shorter keys (cases 1-5) are refused as HMAC keys
CREATE TEMP TABLE r AS
SELECT c->>'id' AS id, c->>'jws_alg' AS alg, (c->>'key_len')::int AS key_len,
       jsonb_build_object('kty', 'oct', 'k',
         rtrim(translate(encode(decode(c->>'key_hex', 'hex'), 'base64'), E'+/\n', '-_'), '='))::text AS key,
       decode(c->>'data_hex', 'hex') AS msg, decode(c->>'full_mac_hex', 'hex') AS mac
FROM jsonb_array_elements(:'vec_rfc4231'::jsonb->'cases') c
WHERE c->>'jws_alg' IS NOT NULL;
SELECT id, alg, auth._verify_signature(alg, key, msg, mac) AS verifies,
       auth._verify_signature(alg, key, msg, set_byte(mac, 0, get_byte(mac, 0) # 1)) AS flipped_verifies
  FROM r WHERE key_len >= 32 ORDER BY id;
SET client_min_messages = notice;
DO $$
DECLARE
  c record;
  refused int := 0;
BEGIN
  FOR c IN SELECT * FROM r WHERE key_len < 32 LOOP
    BEGIN
      PERFORM auth._verify_signature(c.alg, c.key, c.msg, c.mac);
    EXCEPTION WHEN invalid_parameter_value THEN
      refused := refused + 1;
    END;
  END LOOP;
  RAISE NOTICE 'RFC 4231 cases with keys under 32 bytes refused: % of %',
    refused, (SELECT count(*) FROM r WHERE key_len < 32);
END $$;
