-- Known answers for auth.verify_password, from the repository's copies in
-- test/vectors/password (see test/vectors/README.md), read by psql
-- (pg_regress runs it in the repository's top directory).
-- Each row of a vector file becomes one case (category, id, password, hash,
-- expected result); the output is a per-category count, plus the ids of any
-- case that did not give the expected result (none, when all is well).
--
-- Expected results:  'true' / 'false', or 'error:22023' (refused).
-- Rows whose password_hex is not valid UTF-8 cannot be passed as text (our
-- API takes text) and are counted as skipped_non_utf8.
-- Argon2 vectors at exactly 256 MiB are skipped for cost (skipped_cost);
-- those above the 256 MiB cap must be refused (error:22023).
-- RFC 9106 §5 raw known answers use a secret key and associated data, which
-- no password hash string carries: they are covered by the PHC vectors of
-- the same implementation instead (see docs/10_passwords.md).
\set vec_argon2 `cat test/vectors/password/argon2.json`
\set vec_bcrypt `cat test/vectors/password/bcrypt.json`
\set vec_scrypt `cat test/vectors/password/scrypt.json`
\set vec_pbkdf2_sha256 `cat test/vectors/password/pbkdf2_sha256.json`
SET client_min_messages = warning;

CREATE TEMP TABLE vec AS
SELECT file, j
FROM (VALUES ('argon2.json', :'vec_argon2'::jsonb),
             ('bcrypt.json', :'vec_bcrypt'::jsonb),
             ('scrypt.json', :'vec_scrypt'::jsonb),
             ('pbkdf2_sha256.json', :'vec_pbkdf2_sha256'::jsonb)) AS f(file, j);

-- password bytes as text, NULL when they are not valid UTF-8
CREATE FUNCTION pg_temp.utf8(b bytea) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN convert_from(b, 'UTF8');
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
    RETURN NULL;
END $$;

-- 'true' / 'false' / 'error:SQLSTATE'
CREATE FUNCTION pg_temp.try_verify(pw text, h text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN auth.verify_password(pw, h)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'error:' || SQLSTATE;
END $$;

-- PHC base64: standard alphabet, no padding, no line breaks
CREATE FUNCTION pg_temp.b64(b bytea) RETURNS text LANGUAGE sql AS $$
    SELECT rtrim(translate(encode(b, 'base64'), E'\n', ''), '=')
$$;

CREATE TEMP TABLE cases (cat text, id text, pw text, h text, want text);

-- Argon2 reference implementation (phc-winner-argon2 test.c): i and id, v1.0 and v1.3
INSERT INTO cases
SELECT 'argon2 reference', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')), e->>'hash',
       CASE WHEN (e->>'m_cost_kib')::int > 262144 THEN 'error:22023'
            WHEN (e->>'large_memory')::bool THEN 'skipped_cost'
            ELSE e->>'expected_verify' END
FROM vec, jsonb_array_elements(j->'reference_vectors') e WHERE file = 'argon2.json';
-- the cheap ones again with a wrong password
INSERT INTO cases
SELECT 'argon2 reference, wrong password', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')) || 'x',
       e->>'hash', 'false'
FROM vec, jsonb_array_elements(j->'reference_vectors') e
WHERE file = 'argon2.json' AND (e->>'m_cost_kib')::int <= 256;
-- malformed strings must be refused; wrong tags must verify false
INSERT INTO cases
SELECT 'argon2 negative', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')), e->>'hash',
       CASE e->>'expected_verify' WHEN 'error' THEN 'error:22023' ELSE e->>'expected_verify' END
FROM vec, jsonb_array_elements(j->'negative_and_malformed') e WHERE file = 'argon2.json';

-- crypt_blowfish (openwall wrapper.c).  libxcrypt is in the crypt_blowfish
-- family; we refuse the bug-compatible $2x$ prefix (documented).
INSERT INTO cases
SELECT 'bcrypt openwall', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')), e->>'hash',
       CASE WHEN e->>'prefix' = '$2x$' THEN 'error:22023'
            WHEN jsonb_typeof(e->'expected_verify') = 'object' THEN e->'expected_verify'->>'crypt_blowfish_family'
            ELSE e->>'expected_verify' END
FROM vec, jsonb_array_elements(j->'openwall_wrapper_c') e WHERE file = 'bcrypt.json';
INSERT INTO cases
SELECT 'bcrypt invalid settings', e->>'id', 'U*U', e->>'setting', 'error:22023'
FROM vec, jsonb_array_elements(j->'openwall_invalid_settings') e WHERE file = 'bcrypt.json';
INSERT INTO cases
SELECT 'bcrypt negative', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')), e->>'hash',
       CASE e->>'expected_verify' WHEN 'false' THEN 'false' ELSE 'error:22023' END
FROM vec, jsonb_array_elements(j->'negative_and_malformed') e WHERE file = 'bcrypt.json';

-- RFC 7914 §12 scrypt raw keys, as $scrypt$ PHC strings built here
INSERT INTO cases
SELECT 'scrypt rfc7914', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')),
       format('$scrypt$ln=%s,r=%s,p=%s$%s$%s', round(log(2, (e->>'N')::numeric)), e->>'r', e->>'p',
              pg_temp.b64(convert_to(e->>'salt_utf8', 'UTF8')), pg_temp.b64(decode(e->>'derived_key_hex', 'hex'))),
       CASE WHEN (e->>'memory_bytes')::bigint > 268435456 THEN 'error:22023' ELSE 'true' END
FROM vec, jsonb_array_elements(j->'rfc7914_section12') e WHERE file = 'scrypt.json';
INSERT INTO cases
SELECT 'scrypt rfc7914, wrong password', id, pw || 'x', h, 'false'
FROM cases WHERE cat = 'scrypt rfc7914' AND want = 'true';

-- RFC 7914 §11 PBKDF2-HMAC-SHA256 raw keys, as PHC and as passlib strings
INSERT INTO cases
SELECT 'pbkdf2 rfc7914 (PHC)', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')),
       format('$pbkdf2-sha256$i=%s,l=%s$%s$%s', e->>'iterations', e->>'dklen',
              pg_temp.b64(convert_to(e->>'salt_utf8', 'UTF8')), pg_temp.b64(decode(e->>'derived_key_hex', 'hex'))),
       'true'
FROM vec, jsonb_array_elements(j->'rfc7914_section11') e WHERE file = 'pbkdf2_sha256.json';
INSERT INTO cases
SELECT 'pbkdf2 rfc7914 (passlib)', e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')),
       format('$pbkdf2-sha256$%s$%s$%s', e->>'iterations',
              translate(pg_temp.b64(convert_to(e->>'salt_utf8', 'UTF8')), '+', '.'),
              translate(pg_temp.b64(decode(e->>'derived_key_hex', 'hex')), '+', '.')),
       'true'
FROM vec, jsonb_array_elements(j->'rfc7914_section11') e WHERE file = 'pbkdf2_sha256.json';
INSERT INTO cases
SELECT 'pbkdf2 rfc7914, wrong password', id, pw || 'x', h, 'false'
FROM cases WHERE cat LIKE 'pbkdf2 rfc7914 (%';
INSERT INTO cases
SELECT 'pbkdf2 ' || k, e->>'id', pg_temp.utf8(decode(e->>'password_hex', 'hex')), e->>'hash',
       e->>'expected_verify'
FROM vec, unnest(ARRAY['phc_format', 'django_format', 'negative_and_malformed']) k,
     jsonb_array_elements(j->k) e
WHERE file = 'pbkdf2_sha256.json';

CREATE TEMP TABLE results AS
SELECT cat, id, want,
       CASE WHEN want = 'skipped_cost' THEN 'skipped_cost'
            WHEN pw IS NULL THEN 'skipped_non_utf8'
            ELSE pg_temp.try_verify(pw, h) END AS got
FROM cases;

SELECT cat AS category,
       count(*) AS total,
       count(*) FILTER (WHERE got = want AND want = 'true') AS verified,
       count(*) FILTER (WHERE got = want AND want = 'false') AS rejected,
       count(*) FILTER (WHERE got = want AND want LIKE 'error:%') AS refused,
       count(*) FILTER (WHERE got = 'skipped_non_utf8') AS skipped_non_utf8,
       count(*) FILTER (WHERE got = 'skipped_cost') AS skipped_cost,
       coalesce(string_agg(id || '=' || got, ', ') FILTER (WHERE got <> want AND got NOT LIKE 'skipped%'), '') AS failures
FROM results GROUP BY cat ORDER BY cat;

-- totals: nothing may fail
SELECT count(*) FILTER (WHERE got <> want AND got NOT LIKE 'skipped%') AS failed,
       count(*) FILTER (WHERE got = want) AS passed
FROM results;
-- a vector that must verify never verified with another password
SELECT count(*) AS wrong_password_accepted FROM results WHERE want = 'false' AND got = 'true';
