-- Every negative class of the tokens issue, each as its own assertion,
-- through auth.jwt_verify against a verify-only HMAC key imported into the
-- keyring (so the tokens below are correctly signed and each is refused
-- for the one reason it illustrates).  Signatures are made independently
-- with pgcrypto's hmac().
SET client_min_messages = warning;
SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pgcrypto') AS t20_own_pgcrypto \gset
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE FUNCTION pg_temp.b64(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT rtrim(translate(replace(encode(b, 'base64'), E'\n', ''), '+/', '-_'), '=') $$;
CREATE FUNCTION pg_temp.unb64(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4), 'base64') $$;
-- header and payload as JSON texts, signed HS256 with the test secret
CREATE FUNCTION pg_temp.hs(header text, payload text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT si || '.' || pg_temp.b64(hmac(si::bytea, 't20-secret-0123456789abcdefghijklmnop'::bytea, 'sha256'))
  FROM (SELECT pg_temp.b64(convert_to(header, 'UTF8')) || '.' || pg_temp.b64(convert_to(payload, 'UTF8')) AS si) s $$;
-- same with raw payload bytes
CREATE FUNCTION pg_temp.hsb(header text, payload bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT si || '.' || pg_temp.b64(hmac(si::bytea, 't20-secret-0123456789abcdefghijklmnop'::bytea, 'sha256'))
  FROM (SELECT pg_temp.b64(convert_to(header, 'UTF8')) || '.' || pg_temp.b64(payload) AS si) s $$;
CREATE FUNCTION pg_temp.verify(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d text;
BEGIN
  RETURN 'ok ' || (auth.jwt_verify(t)->>'sub');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || SQLERRM || ': ' || d;
END $$;
CREATE FUNCTION pg_temp.claims(extra text DEFAULT '') RETURNS text LANGUAGE sql STABLE AS $$
  SELECT '{"sub":"t20","exp":' || (extract(epoch from now())::bigint + 3600) || extra || '}' $$;

SELECT auth.import_jwk(jsonb_build_object('kty', 'oct', 'kid', 't20-hs', 'alg', 'HS256',
         'k', pg_temp.b64('t20-secret-0123456789abcdefghijklmnop'::bytea))) AS kid;
\set H '{"alg":"HS256","kid":"t20-hs"}'
SELECT pg_temp.hs(:'H', pg_temp.claims()) AS good \gset
SELECT pg_temp.verify(:'good') AS well_formed_token;

-- signatures: wrong, truncated, extended
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"x":1')) ) AS control;
SELECT pg_temp.verify(split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2) || '.' ||
       split_part(pg_temp.hs(:'H', '{"sub":"other"}'), '.', 3)) AS wrong_signature;
SELECT pg_temp.verify(split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2) || '.' ||
       pg_temp.b64(substr(pg_temp.unb64(split_part(:'good', '.', 3)), 1, 31))) AS truncated_signature;
SELECT pg_temp.verify(:'good' || 'AAAA') AS extended_signature;
-- base64url: standard alphabet, padding, whitespace, impossible length, non-zero trailing bits
SELECT pg_temp.verify(translate(:'good', '-_', '+/') || '+') AS plus_slash;
SELECT pg_temp.verify(:'good' || '=') AS padding;
SELECT pg_temp.verify(:'good' || ' ') AS whitespace;
SELECT pg_temp.verify(split_part(:'good', '.', 1) || 'A.' || split_part(:'good', '.', 2) || '.' ||
       split_part(:'good', '.', 3)) AS header_length_1_mod_4;
SELECT pg_temp.verify(left(:'good', -1) ||
       CASE right(:'good', 1) WHEN 'A' THEN 'B' ELSE chr(ascii(right(:'good', 1)) + 1) END) AS trailing_bits;
-- correctly signed over a signing input with a byte outside the alphabet:
-- in the header ('='), in the payload (a space), the payload in standard base64 (every
-- segment a caller uses is decoded strictly; nothing else looks at the bytes)
CREATE FUNCTION pg_temp.hsraw(si text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT si || '.' || pg_temp.b64(hmac(si::bytea, 't20-secret-0123456789abcdefghijklmnop'::bytea, 'sha256')) $$;
SELECT pg_temp.verify(pg_temp.hsraw(split_part(:'good', '.', 1) || '=.' || split_part(:'good', '.', 2))) AS signed_bad_header;
SELECT pg_temp.verify(pg_temp.hsraw(split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2) || ' ')) AS signed_bad_payload;
SELECT pg_temp.verify(pg_temp.hsraw(split_part(:'good', '.', 1) || '.' ||
       translate(pg_temp.b64(convert_to(pg_temp.claims(',"pad":"??>>??>>"'), 'UTF8')), '-_', '+/'))) AS signed_standard_base64_payload;
-- segments
SELECT pg_temp.verify(split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2)) AS two_segments;
SELECT pg_temp.verify(:'good' || '.' || split_part(:'good', '.', 3)) AS four_segments;
SELECT pg_temp.verify('.' || split_part(:'good', '.', 2) || '.' || split_part(:'good', '.', 3)) AS empty_header;
SELECT pg_temp.verify(split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2) || '.') AS empty_signature;
SELECT pg_temp.verify(pg_temp.hs(:'H', '')) AS empty_payload;
SELECT pg_temp.verify('..') AS only_dots;
-- the header
SELECT pg_temp.verify(pg_temp.hs('["HS256"]', pg_temp.claims())) AS header_array;
SELECT pg_temp.verify(pg_temp.hs('"HS256"', pg_temp.claims())) AS header_string;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS256",', pg_temp.claims())) AS header_not_json;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"none","kid":"t20-hs","alg":"HS256"}', pg_temp.claims())) AS duplicate_alg;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS256","kid":"nobody","kid":"t20-hs"}', pg_temp.claims())) AS duplicate_kid;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS256","kid":"t20-hs","crit":["exp"],"exp":1}', pg_temp.claims())) AS unknown_crit;
SELECT pg_temp.verify(pg_temp.hs('{"kid":"t20-hs","typ":"JWT"}', pg_temp.claims())) AS missing_alg;
SELECT pg_temp.verify(pg_temp.hs('{"alg":["HS256"],"kid":"t20-hs"}', pg_temp.claims())) AS alg_not_string;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"none","kid":"t20-hs"}', pg_temp.claims())) AS alg_none;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"hs256","kid":"t20-hs"}', pg_temp.claims())) AS alg_wrong_case;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"RS256","kid":"t20-hs"}', pg_temp.claims())) AS alg_other_family;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS512","kid":"t20-hs"}', pg_temp.claims())) AS alg_other_size;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS256","kid":"t20-nobody"}', pg_temp.claims())) AS unknown_kid;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS256"}', pg_temp.claims())) AS no_kid_tries_active_keys;
SELECT pg_temp.verify(pg_temp.hs('{"alg":"HS256","kid":"t20-hs","x":' || repeat('[', 40) || repeat(']', 40) || '}',
       pg_temp.claims())) AS header_nested;
-- the payload
SELECT pg_temp.verify(pg_temp.hs(:'H', '[1,2]')) AS payload_array;
SELECT pg_temp.verify(pg_temp.hs(:'H', 'not json')) AS payload_not_json;
SELECT pg_temp.verify(pg_temp.hsb(:'H', '\x7b22737562223a22ff227d'::bytea)) AS payload_bad_utf8;
SELECT pg_temp.verify(pg_temp.hsb(:'H', convert_to(pg_temp.claims(), 'UTF8') || '\x00'::bytea)) AS payload_nul;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":' || (extract(epoch from now())::bigint + 3600) ||
       ',"deep":' || repeat('[', 5000) || repeat(']', 5000) || '}')) AS claims_nested_5000;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":' || (extract(epoch from now())::bigint + 3600) ||
       ',"deep":' || repeat('{"a":', 20) || '1' || repeat('}', 20) || '}')) AS claims_nested_20_ok;
-- the limit exactly (the object itself is level 1), one past it, and brackets
-- inside strings, which count for nothing (more of them than the limit: the
-- bracket-count shortcut must fall back to the scan, not refuse)
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"deep":' || repeat('[', 31) || repeat(']', 31)))) AS claims_nested_32_ok;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"deep":' || repeat('[', 32) || repeat(']', 32)))) AS claims_nested_33;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"s":"' || repeat('[{', 40) || '","t":["{[{["]'))) AS brackets_in_strings_ok;
-- size cap (default 16 KiB)
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"pad":"' || repeat('x', 16400) || '"'))) AS over_16k;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"pad":"' || repeat('x', 8000) || '"'))) AS under_16k;
-- time claims: numbers only, in range
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20"}')) AS missing_exp;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":"' || (extract(epoch from now())::bigint + 3600) || '"}')) AS exp_string;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":null}')) AS exp_null;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":true}')) AS exp_boolean;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":1e400}')) AS exp_huge;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":99999999999999999999}')) AS exp_beyond_9999;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":-1}')) AS exp_negative;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":' || (extract(epoch from now())::bigint + 3600) || '.75}')) AS exp_fraction_ok;
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":' || (extract(epoch from now())::bigint - 31) || '}')) AS expired;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"nbf":' || (extract(epoch from now())::bigint + 600)))) AS nbf_future;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"nbf":' || (extract(epoch from now())::bigint + 10)))) AS nbf_within_leeway;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"nbf":"0"'))) AS nbf_string;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iat":' || (extract(epoch from now())::bigint + 600)))) AS iat_future;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iat":"yesterday"'))) AS iat_string;

-- iss and aud, when configured
SELECT auth.configure('jwt.issuer', 'https://t20.example');
SELECT auth.configure('jwt.audience', 't20-app');
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims())) AS no_iss;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iss":"https://evil.example","aud":"t20-app"'))) AS wrong_iss;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iss":"https://t20.example"'))) AS no_aud;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iss":"https://t20.example","aud":"other"'))) AS wrong_aud;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iss":"https://t20.example","aud":["other","t20-app"]'))) AS aud_array_ok;
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"iss":"https://t20.example","aud":"t20-app"'))) AS iss_aud_ok;
-- jwt_sign adds them
SELECT auth.jwt_verify(auth.jwt_sign('{"sub":"t20"}')) @> '{"iss":"https://t20.example","aud":"t20-app"}' AS sign_adds_iss_aud;
SELECT auth.configure('jwt.issuer', NULL), auth.configure('jwt.audience', NULL);

-- a configured leeway
SELECT auth.configure('jwt.leeway_seconds', '0');
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"nbf":' || (extract(epoch from now())::bigint + 10)))) AS nbf_no_leeway;
SELECT auth.configure('jwt.leeway_seconds', NULL);
SELECT auth.configure('jwt.leeway_seconds', '-1');
-- a configured size cap
SELECT auth.configure('jwt.max_token_bytes', '300');
SELECT pg_temp.verify(pg_temp.hs(:'H', pg_temp.claims(',"pad":"' || repeat('x', 200) || '"'))) AS over_300;
SELECT auth.configure('jwt.max_token_bytes', NULL);

-- ECDSA: DER instead of raw R||S, r or s zero, wrong lengths; Ed25519 non-canonical S
\set vec_rfc7515_appendix_a `cat test/vectors/jose/rfc7515_appendix_a.json`
\set vec_rfc8037_ed25519 `cat test/vectors/jose/rfc8037_ed25519.json`
CREATE TEMP TABLE kat AS SELECT c FROM jsonb_array_elements(
  :'vec_rfc7515_appendix_a'::jsonb->'cases') c WHERE c->>'id' = 'rfc7515-A.3';
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
-- DER INTEGER of an unsigned big-endian value
CREATE FUNCTION pg_temp.der_int(b bytea) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  WHILE length(b) > 1 AND get_byte(b, 0) = 0 LOOP b := substr(b, 2); END LOOP;
  IF get_byte(b, 0) >= 128 THEN b := '\x00'::bytea || b; END IF;
  RETURN '\x02'::bytea || set_byte('\x00'::bytea, 0, length(b)) || b;
END $$;
CREATE FUNCTION pg_temp.with_sig(t text, sig bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT split_part(t, '.', 1) || '.' || split_part(t, '.', 2) || '.' || pg_temp.b64(sig) $$;
SELECT c->>'compact' AS es, (c->'public_jwk')::text AS eskey, pg_temp.unb64(split_part(c->>'compact', '.', 3)) AS rs
  FROM kat \gset
SELECT pg_temp.jws(:'es', :'eskey', '{ES256}') AS es256_raw_ok;
SELECT pg_temp.jws(pg_temp.with_sig(:'es', '\x30'::bytea || set_byte('\x00'::bytea, 0, length(i)) || i), :'eskey', '{ES256}') AS es256_der
  FROM (SELECT pg_temp.der_int(substr(:'rs'::bytea, 1, 32)) || pg_temp.der_int(substr(:'rs'::bytea, 33, 32)) AS i) d;
SELECT pg_temp.jws(pg_temp.with_sig(:'es', '\x'::bytea || decode(repeat('00', 64), 'hex')), :'eskey', '{ES256}') AS r_and_s_zero;
SELECT pg_temp.jws(pg_temp.with_sig(:'es', decode(repeat('00', 32), 'hex') || substr(:'rs'::bytea, 33)), :'eskey', '{ES256}') AS r_zero;
SELECT pg_temp.jws(pg_temp.with_sig(:'es', substr(:'rs'::bytea, 1, 32) || decode(repeat('00', 32), 'hex')), :'eskey', '{ES256}') AS s_zero;
SELECT pg_temp.jws(pg_temp.with_sig(:'es', substr(:'rs'::bytea, 1, 63)), :'eskey', '{ES256}') AS es256_63_bytes;
SELECT pg_temp.jws(pg_temp.with_sig(:'es', :'rs'::bytea || '\x00'::bytea), :'eskey', '{ES256}') AS es256_65_bytes;
-- Ed25519 (RFC 8037 A.4): S + L (the group order) is the same signature in non-canonical form
CREATE TEMP TABLE ed AS SELECT c FROM jsonb_array_elements(
  :'vec_rfc8037_ed25519'::jsonb->'cases') c;
SELECT c->>'compact_A4' AS ed, (c->'public_jwk_A2')::text AS edkey, pg_temp.unb64(split_part(c->>'compact_A4', '.', 3)) AS edsig
  FROM ed \gset
-- little-endian 32-byte S + L, as numeric arithmetic
CREATE FUNCTION pg_temp.add_l(s bytea) RETURNS bytea LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  n numeric := 0;
  l numeric := 2::numeric ^ 252 + 27742317777372353535851937790883648493;
  out bytea := decode(repeat('00', 32), 'hex');
BEGIN
  FOR i IN REVERSE 31..0 LOOP n := n * 256 + get_byte(s, i); END LOOP;
  n := n + l;
  FOR i IN 0..31 LOOP out := set_byte(out, i, (n % 256)::int); n := div(n, 256); END LOOP;
  RETURN out;
END $$;
SELECT pg_temp.jws(:'ed', :'edkey', '{EdDSA}') AS ed25519_ok;
SELECT pg_temp.jws(pg_temp.with_sig(:'ed', substr(:'edsig'::bytea, 1, 32) || pg_temp.add_l(substr(:'edsig'::bytea, 33))),
       :'edkey', '{EdDSA}') AS ed25519_s_plus_l;
SELECT pg_temp.jws(pg_temp.with_sig(:'ed', substr(:'edsig'::bytea, 1, 63)), :'edkey', '{EdDSA}') AS ed25519_63_bytes;

-- algorithm confusion: an RSA public key (PEM) used as an HMAC secret
SELECT auth._make_key('RS256', NULL) AS rsa \gset
SELECT pg_temp.jws(pg_temp.hs('{"alg":"HS256"}', pg_temp.claims()), '{"kty":"oct","k":"' ||
       pg_temp.b64('t20-secret-0123456789abcdefghijklmnop'::bytea) || '"}', '{HS256}') AS oct_jwk_ok;
SELECT pg_temp.jws(si || '.' || pg_temp.b64(hmac(si::bytea, convert_to(k, 'UTF8'), 'sha256')), k, '{HS256,RS256}') AS rsa_jwk_as_hmac_secret
  FROM (SELECT (auth._make_key('RS256', NULL)).public_jwk::text AS k,
               pg_temp.b64('{"alg":"HS256"}'::bytea) || '.' || pg_temp.b64(convert_to(pg_temp.claims(), 'UTF8')) AS si) s;

-- bad keys from an admin: 22023
SELECT auth.jwt_encode('{"a":1}', 'short secret', 'HS256');
SELECT auth.jwt_encode('{"a":1}', repeat('x', 32), 'HS512');
SELECT auth.import_jwk('{"kty":"oct","alg":"HS256","k":"c2hvcnQ"}');
SELECT auth.import_jwk('{"kty":"EC","crv":"P-256","use":"enc","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}');
SELECT auth.import_jwk('{"kty":"EC","crv":"P-256","key_ops":["encrypt"],"x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}');
SELECT auth.import_jwk('{"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyA"}');
SELECT auth.import_jwk(('{"kty":"RSA","alg":"RS256","n":"' || pg_temp.b64('\xff'::bytea || gen_random_bytes(127)) || '","e":"AQAB"}')::jsonb);
SELECT auth.import_jwk('{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}');
SELECT auth.import_jwk('{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}');
SELECT auth.import_jwk(('{"kty":"oct","alg":"none","k":"' || pg_temp.b64(gen_random_bytes(32)) || '"}')::jsonb);
SELECT auth.jwt_encode('{"a":1}', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----', 'EdDSA');
SELECT auth.create_key('none');

-- application roles: no access to private material, no minting, no settings
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 't20_app') THEN CREATE ROLE t20_app; END IF;
END $$;
SET ROLE t20_app;
SELECT count(*) FROM auth.keys;
SELECT auth.jwt_sign('{"sub":"t20"}');
SELECT auth.create_key();
SELECT auth.retire_key('t20-hs');
SELECT auth.configure('jwt.leeway_seconds', '100000');
-- SET and set_config cannot widen the leeway: the expired token stays expired
SET jwt.leeway_seconds = '100000';
SELECT set_config('auth_ext.jwt.leeway_seconds', '100000', false);
SELECT pg_temp.verify(pg_temp.hs(:'H', '{"sub":"t20","exp":' || (extract(epoch from now())::bigint - 60) || '}')) AS expired_despite_set;
-- but the app role can verify, read the JWKS and decode
SELECT pg_temp.verify(:'good') AS app_verifies;
SELECT jsonb_typeof(auth.jwks()->'keys') AS app_reads_jwks;
RESET ROLE;
RESET jwt.leeway_seconds;
DROP ROLE t20_app;

-- verification is STABLE, never IMMUTABLE; signing with a random jti is VOLATILE
SELECT proname, provolatile, proparallel, proisstrict FROM pg_proc
 WHERE pronamespace = 'auth'::regnamespace
   AND proname IN ('jwt_verify', 'jwt_session_init', 'jwt_decode', 'jws_verify', 'jwt_sign',
                   'jwt_encode', 'jwt_decode_unverified', 'jwks', 'create_key', 'import_jwk',
                   'import_jwks', 'retire_key')
 ORDER BY proname;
-- key management runs as its caller (checked inside: the extension owner's
-- privileges) with search_path pinned to pg_catalog, pg_temp
SELECT proname, prosecdef, proconfig FROM pg_proc
 WHERE pronamespace = 'auth'::regnamespace
   AND proname IN ('create_key', 'import_jwk', 'import_jwks', 'retire_key') ORDER BY proname;

DELETE FROM auth.keys WHERE kid = 't20-hs';
\if :t20_own_pgcrypto
DROP EXTENSION pgcrypto;
\endif
