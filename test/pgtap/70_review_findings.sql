-- test/pgtap/70_review_findings.sql: the lesser findings 6, 7, 9 and 10 of
-- the second security review (issue 13; docs/70_findings.md, "Security round
-- 2: lesser findings").  Finding 8 needs two sessions: test/sh/70_retired_key.sh.
--   6  hashing cost a caller without the extension owner's privileges may ask for
--   7  sign-out of a token whose jti/sub is not a string, or that has no jti
--   9  a PEM or JWK behind a byte order mark or other bytes used as an HMAC secret
--  10  sub spellings of one UUID: every reader and revocation agree
BEGIN;
SELECT plan(60);

CREATE EXTENSION auth_ext_todo;
CREATE ROLE t70f_anon NOLOGIN;
CREATE ROLE t70f_user NOLOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t70f_user;

-- 'ok', or "SQLSTATE: message | detail | hint" of the error q raised
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE m text; d text; h text;
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || m || ' | ' || coalesce(d, '') || ' | ' || coalesce(h, '');
END $$;
-- the same as role r
CREATE FUNCTION pg_temp.err_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE e text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    e := pg_temp.err(q);
    RESET ROLE;
    RETURN e;
END $$;
-- q's single text result as role r
CREATE FUNCTION pg_temp.val_as(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE q INTO v;
    RESET ROLE;
    RETURN v;
END $$;

-- ==== 6: bounded cost for callers without the owner's privileges ====
-- a distinctive admin cap, which the non-owner must never see
SELECT auth.configure('password.argon2_max_memory_kib', '200000');

SELECT is(left(pg_temp.err_as('t70f_anon', $$SELECT auth.hash_password('x', 'argon2id', '{"m":262144,"t":3,"p":16}')$$), 7),
          '42501: ', '6: the reported argon2 request (m=262144, t=3, p=16) is refused to a non-owner before any work');
SELECT ok(e LIKE '42501: argon2 memory cost m (KiB) 200001 is more than this role may ask for |%'
          AND e NOT LIKE '%200000%' AND e NOT LIKE '%password.%' AND e NOT LIKE '%65536%',
          '6: the error names the request, not the admin cap, the setting or the public cap: ' || e)
  FROM pg_temp.err_as('t70f_anon', $$SELECT auth.hash_password('x', 'argon2id', '{"m":200001}')$$) e;
SELECT is(pg_temp.err_as('t70f_anon', $$SELECT auth.hash_password('x', 'argon2id', '{"m":150000}')$$),
          replace(pg_temp.err_as('t70f_anon', $$SELECT auth.hash_password('x', 'argon2id', '{"m":200001}')$$), '200001', '150000'),
          '6: above the public cap and above the admin cap give the same error (no probing for the admin cap)');
SELECT is(left(pg_temp.err_as('t70f_anon', q), 6), '42501:', '6: non-owner refused: ' || q)
  FROM unnest(ARRAY[
    $$SELECT auth.hash_password('x', 'argon2id', '{"m":8192,"t":5}')$$,
    $$SELECT auth.hash_password('x', 'argon2id', '{"m":8192,"t":1,"p":5}')$$,
    $$SELECT auth.hash_password('x', 'pbkdf2-sha256', '{"i":3000000}')$$,
    $$SELECT auth.hash_password('x', 'bcrypt', '{"cost":13}')$$,
    $$SELECT auth.hash_password('x', 'scrypt', '{"ln":18,"r":8,"p":1}')$$,
    $$SELECT auth.hash_password('x', 'scrypt', '{"ln":10,"r":8,"p":2}')$$,
    $$SELECT auth.verify_password('x', '$argon2id$v=19$m=262144,t=3,p=16$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')$$,
    $$SELECT auth.verify_password('x', '$pbkdf2-sha256$3000000$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')$$,
    $$SELECT auth.verify_password('x', '$6$rounds=100001$saltsalt$' || repeat('a', 86))$$
  ]) q;
SELECT matches(pg_temp.val_as('t70f_anon', $$SELECT auth.hash_password('x', 'bcrypt', '{"cost":4}')$$), '^\$2b\$04\$',
               '6: a non-owner still hashes within the caps');
SELECT is(pg_temp.val_as('t70f_anon', $$SELECT auth.verify_password('x', auth.hash_password('x', 'pbkdf2-sha256', '{"i":1000}'))::text$$), 'true',
          '6: and verifies within the caps');
-- the configured parameters of new hashes are everybody's, even above the fixed caps
SELECT auth.configure('password.argon2_memory_kib', '65600');
SELECT auth.configure('password.argon2_iterations', '1');
SELECT matches(pg_temp.val_as('t70f_anon', $$SELECT auth.hash_password('x')$$), '^\$argon2id\$v=19\$m=65600,t=1,p=1\$',
               '6: a non-owner may use the configured parameters even above the fixed cap');
SELECT auth.configure('password.argon2_memory_kib', '64');
-- the owner (here the superuser that created the extension) keeps the admin caps
SELECT matches(auth.hash_password('x', 'argon2id', '{"m":65600,"t":1}'), '^\$argon2id\$v=19\$m=65600,t=1,p=1\$',
               '6: the owner may ask for more than the public cap');
SELECT is(pg_temp.err($$SELECT auth.hash_password('x', 'argon2id', '{"m":200001}')$$),
          '22023: argon2 memory cost m (KiB) 200001 exceeds the limit password.argon2_max_memory_kib = 200000 |  | Stored hashes are bounded before any work; the extension owner can change the limit with auth.configure().',
          '6: the owner is still bounded by the admin cap, and is told which');
-- a role with the owner's privileges counts as the owner
CREATE ROLE t70f_admin NOLOGIN IN ROLE postgres;
SELECT matches(pg_temp.val_as('t70f_admin', $$SELECT auth.hash_password('x', 'argon2id', '{"m":65600,"t":1}')$$), '^\$argon2id\$',
               '6: a member of the owning role has its privileges');
SELECT auth.configure('password.argon2_max_memory_kib', NULL);

-- ==== 7: sign-out ====
-- a verify-only HMAC key with a kid, so hand-made tokens verify through the keyring
SELECT auth.import_jwk('{"kty":"oct","kid":"t70f-hs","alg":"HS256","k":"dDcwZi1zZWNmaXgtc2VjcmV0LW9mLWF0LWxlYXN0LTMyLWJ5dGVz"}') AS kid \gset
CREATE FUNCTION pg_temp.tok(claims jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT auth.jwt_encode(claims || jsonb_build_object('exp', extract(epoch FROM now())::bigint + 600),
        '{"kty":"oct","kid":"t70f-hs","alg":"HS256","k":"dDcwZi1zZWNmaXgtc2VjcmV0LW9mLWF0LWxlYXN0LTMyLWJ5dGVz"}',
        'HS256', '{"kid":"t70f-hs"}')
$$;
SELECT is(pg_temp.err(format('SELECT auth.jwt_verify(%L)', pg_temp.tok('{"sub":"u7","jti":42}'))),
          'PT401: Invalid token | The claim "jti" must be a string. | ', '7: a token whose jti is a number does not verify');
SELECT is(pg_temp.err(format('SELECT auth.jwt_verify(%L)', pg_temp.tok('{"sub":42,"jti":"j7"}'))),
          'PT401: Invalid token | The claim "sub" must be a string. | ', '7: a token whose sub is a number does not verify');
SELECT is(pg_temp.err(format('SELECT auth.jwt_decode(%L, %L)', pg_temp.tok('{"sub":7.5}'),
                             '{"kty":"oct","alg":"HS256","k":"dDcwZi1zZWNmaXgtc2VjcmV0LW9mLWF0LWxlYXN0LTMyLWJ5dGVz"}')),
          'PT401: Invalid token | The claim "sub" must be a string. | ', '7: nor through jwt_decode');
SELECT is(left(pg_temp.err($$SELECT auth.jwt_sign('{"sub":42}')$$), 41), '22023: the claim "sub" must be a string |',
          '7: jwt_sign does not mint a token with a numeric sub');
SELECT is(left(pg_temp.err($$SELECT auth.jwt_sign('{"sub":"u7","jti":null}')$$), 41), '22023: the claim "jti" must be a string |',
          '7: nor with a null jti');
-- a token without jti: sign-out fails loudly and the token is, as said, still valid
SELECT pg_temp.tok('{"sub":"u7-nojti"}') AS nojti \gset
SELECT is(auth.jwt_verify(:'nojti')->>'sub', 'u7-nojti', '7: a token without jti verifies');
SELECT is(pg_temp.err('SELECT auth.signout()'),
          '22023: This token cannot be signed out | It has no "jti" claim, so it stays valid until it expires. | auth.signout_everywhere() revokes every token of the user; auth.jwt_sign() adds a jti.',
          '7: signing it out is an error, not a success that revokes nothing');
SELECT is(auth.jwt_verify(:'nojti')->>'sub', 'u7-nojti', '7: which is what the error says: it still verifies');
SELECT is(auth.signout_everywhere()->>'message', 'Signed out everywhere', '7: sign-out everywhere works for it');
SELECT is(left(pg_temp.err(format('SELECT auth.jwt_verify(%L)', :'nojti')), 50), 'PT401: Token has been revoked, please log in again',
          '7: and revokes it');
-- a token with a string jti is revoked by sign-out
SELECT pg_temp.tok('{"sub":"u7-jti","jti":"t70f-j1"}') AS withjti \gset
SELECT is(auth.jwt_verify(:'withjti')->>'jti', 't70f-j1', '7: a token with a string jti verifies');
SELECT is(auth.signout()->>'message', 'Signed out successfully', '7: and signs out');
SELECT is(left(pg_temp.err(format('SELECT auth.jwt_verify(%L)', :'withjti')), 50), 'PT401: Token has been revoked, please log in again',
          '7: and is refused from then on');

-- ==== 9: PEM and JWK behind leading bytes, or without armour, are never HMAC secrets ====
-- HMAC-SHA256 from sha256(), to make tokens with secrets jwt_encode refuses
CREATE FUNCTION pg_temp.hmac256(k bytea, m bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE ik bytea; ok bytea;
BEGIN
    IF length(k) > 64 THEN k := sha256(k); END IF;
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    ik := k; ok := k;
    FOR i IN 0..63 LOOP
        ik := set_byte(ik, i, get_byte(k, i) # 54);
        ok := set_byte(ok, i, get_byte(k, i) # 92);
    END LOOP;
    RETURN sha256(ok || sha256(ik || m));
END $$;
CREATE FUNCTION pg_temp.b64u(b bytea) RETURNS text LANGUAGE sql AS $$
    SELECT rtrim(translate(encode(b, 'base64'), E'+/\n', '-_'), '=')
$$;
CREATE FUNCTION pg_temp.hs256(claims jsonb, secret text) RETURNS text LANGUAGE sql AS $$
    SELECT s || '.' || pg_temp.b64u(pg_temp.hmac256(convert_to(secret, 'UTF8'), convert_to(s, 'UTF8')))
    FROM (SELECT pg_temp.b64u(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.' ||
                 pg_temp.b64u(convert_to(claims::text, 'UTF8')) AS s) t
$$;
SELECT is(auth.jwt_decode(pg_temp.hs256('{"sub":"h","exp":4102444800}', repeat('s', 40)), repeat('s', 40))->>'sub', 'h',
          '9: the SQL HMAC makes tokens jwt_decode accepts (sanity)');
CREATE TEMP TABLE pem (name text, key text);
INSERT INTO pem VALUES
  ('BOM', E'\uFEFF-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n'),
  ('BOM and CRLF', E'\uFEFF-----BEGIN PUBLIC KEY-----\r\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\r\n-----END PUBLIC KEY-----\r\n'),
  ('white space, CRLF, BOM', E' \r\n\t\uFEFF-----BEGIN PUBLIC KEY-----\r\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\r\n-----END PUBLIC KEY-----'),
  ('other leading bytes', E'x-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n'),
  ('BOM before a JWK', E'\uFEFF{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'),
  ('text before a JWK', E'key: {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'),
  ('the PEM body without its armour', E'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\r\n');
SELECT is(left(pg_temp.err(format('SELECT auth.jwt_encode(%L, %L, %L)', '{"sub":"h"}', key, 'HS256')), 6), '22023:',
          '9: jwt_encode does not take a public key as an HMAC secret (' || name || ')')
  FROM pem ORDER BY name;
SELECT is(left(pg_temp.err(format('SELECT auth.jwt_decode(%L, %L, %L)', pg_temp.hs256('{"sub":"h","exp":4102444800}', key), key, '{HS256,EdDSA}')), 6),
          CASE WHEN name IN ('other leading bytes', 'text before a JWK', 'the PEM body without its armour') THEN '22023:' ELSE 'PT401:' END,
          '9: jwt_decode refuses an HS256 token signed with the public key text (' || name || ')')
  FROM pem ORDER BY name;
SELECT is(auth.jwt_decode(pg_temp.hs256('{"sub":"b64","exp":4102444800}', encode(sha512('t70f'), 'base64')),
                          encode(sha512('t70f'), 'base64'))->>'sub', 'b64',
          '9: a base64 secret that is no key is still a secret');
-- a private key behind a BOM and CRLF line ends is still a usable PEM
SELECT auth.create_key('EdDSA') AS edkid \gset
SELECT E'\uFEFF' || replace(convert_from(private_key, 'UTF8'), E'\n', E'\r\n') AS edpem FROM auth.keys WHERE kid = :'edkid' \gset
SELECT is(auth.jwt_decode(auth.jwt_encode('{"sub":"pem","exp":4102444800}', :'edpem', 'EdDSA'), :'edpem', '{EdDSA}')->>'sub', 'pem',
          '9: a PEM behind a BOM, with CRLF line ends, signs and verifies as the EdDSA key it is');

-- ==== 10: one identity per user: the sub as signed ====
SELECT 'a974319e-0c4b-4b5c-9f1e-7e6d5c4b3a21' AS canon \gset
INSERT INTO auth.users (id, email, name) VALUES (:'canon', 't70f@example.com', 'T70f');
INSERT INTO todo.tasks (user_id, title) VALUES (:'canon', 't70f task');
CREATE TEMP TABLE spelling (sub text);
INSERT INTO spelling VALUES ('{A974319E-0C4B-4B5C-9F1E-7E6D5C4B3A21}'), ('A974319E-0C4B-4B5C-9F1E-7E6D5C4B3A21'),
                            ('a974319e0c4b4b5c9f1e7e6d5c4b3a21'), ('{a974319e-0c4b-4b5c-9f1e-7e6d5c4b3a21}'),
                            ('a974-319e-0c4b-4b5c-9f1e-7e6d-5c4b-3a21');
GRANT SELECT ON spelling TO t70f_user;
-- every reader, in one transaction per spelling, as an application role
CREATE FUNCTION pg_temp.readers(tok text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    SET LOCAL ROLE t70f_user;
    PERFORM auth.jwt_verify(tok);
    SELECT coalesce(auth.uid()::text, '-') || ' ' || auth.user_id() || ' ' || (auth.jwt()->>'sub') || ' '
           || (auth.session()->>'sub') || ' ' || (SELECT count(*) FROM todo.tasks)::text INTO r;
    RESET ROLE;
    RETURN r;
END $$;
SELECT is(pg_temp.readers(auth.jwt_sign(jsonb_build_object('sub', sub))), '- ' || sub || ' ' || sub || ' ' || sub || ' 0',
          '10: sub ' || sub || ': no uid, and user_id(), jwt(), session() give it as signed; RLS shows no task')
  FROM spelling;
SELECT is(pg_temp.readers(auth.jwt_sign(jsonb_build_object('sub', :'canon'))), :'canon' || ' ' || :'canon' || ' ' || :'canon' || ' ' || :'canon' || ' 1',
          '10: the canonical spelling: uid() = user_id() = the sub, and RLS shows the task');
-- revocation agrees: each spelling is revoked by its own sign-out everywhere, and only by it
SELECT auth.jwt_sign(jsonb_build_object('sub', :'canon')) AS tcanon \gset
SELECT auth.jwt_sign('{"sub":"{A974319E-0C4B-4B5C-9F1E-7E6D5C4B3A21}"}') AS tbrace \gset
SELECT is(auth.jwt_verify(:'tbrace')->>'sub', '{A974319E-0C4B-4B5C-9F1E-7E6D5C4B3A21}', '10: the braced token verifies');
SELECT is(auth.signout_everywhere()->>'message', 'Signed out everywhere', '10: its user signs out everywhere');
SELECT is(left(pg_temp.err(format('SELECT auth.jwt_verify(%L)', :'tbrace')), 50), 'PT401: Token has been revoked, please log in again',
          '10: which revokes the braced token');
SELECT is(auth.jwt_verify(:'tcanon')->>'sub', :'canon', '10: and not the canonical one, another identity (the braced one never had its uid)');
SELECT is(auth.signout_everywhere()->>'message', 'Signed out everywhere', '10: the canonical user signs out everywhere');
SELECT is(left(pg_temp.err(format('SELECT auth.jwt_verify(%L)', :'tcanon')), 50), 'PT401: Token has been revoked, please log in again',
          '10: which revokes the canonical token');

SELECT * FROM finish();
ROLLBACK;
