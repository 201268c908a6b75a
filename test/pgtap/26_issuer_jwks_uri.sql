-- test/pgtap/26_issuer_jwks_uri.sql: the trusted issuer's option "jwks_uri"
-- (issue 15, item 4; src/identity/issuers_check.c), the URL contrib/jwks-sync fetches
-- the issuer's JWKS from.  The database fetches nothing; it only checks that
-- the companion is given an http(s) URL with a host and no credentials, keeps
-- it among the options, and accepts the options auth.issuers() shows when
-- they are given back (what the companion does on a rotation).
BEGIN;
SELECT plan(17);

SELECT auth.create_key('ES256'::text) AS ec_kid \gset
CREATE TEMP TABLE jwks AS
    SELECT jsonb_build_object('keys', jsonb_build_array(
             (SELECT k FROM jsonb_array_elements(auth.jwks()->'keys') k WHERE k->>'kid' = :'ec_kid'))) AS j;

-- 'ok', or the SQLSTATE of the error
CREATE FUNCTION pg_temp.trust(options jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM auth.trust_issuer('https://idp.example', (SELECT j FROM jwks), '{api}', options);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;

SELECT is(pg_temp.trust('{"jwks_uri": "https://idp.example/.well-known/jwks.json"}'), 'ok', 'an https URL is accepted');
SELECT is((SELECT options->>'jwks_uri' FROM auth.issuers()), 'https://idp.example/.well-known/jwks.json',
          'auth.issuers() shows it among the options');
SELECT is(pg_temp.trust('{"jwks_uri": "http://127.0.0.1:8080/jwks"}'), 'ok',
          'plain http is the companion''s call (loopback only unless told): accepted here');
SELECT is(pg_temp.trust('{}'), 'ok', 'without it');
SELECT is((SELECT options ? 'jwks_uri' FROM auth.issuers()), false, 'the options then have no jwks_uri');

-- refused, 22023
SELECT is(pg_temp.trust('{"jwks_uri": "ftp://idp.example/jwks"}'), '22023', 'another scheme: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": "idp.example/jwks"}'), '22023', 'no scheme: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": "https:///jwks"}'), '22023', 'no host: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": "https://user:secret@idp.example/jwks"}'), '22023', 'credentials: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": "https://idp.example/a b"}'), '22023', 'a space: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": "https://idp.example/\n"}'), '22023', 'a control character: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": ""}'), '22023', 'an empty string: 22023');
SELECT is(pg_temp.trust('{"jwks_uri": 1}'), '22023', 'not a string: 22023');
SELECT is(pg_temp.trust(jsonb_build_object('jwks_uri', 'https://idp.example/' || repeat('a', 2100))), '22023',
          'longer than 2048 bytes: 22023');

-- what the companion does: the issuer's own audience and options given back
SELECT is(pg_temp.trust('{"jwks_uri": "https://idp.example/jwks", "role_claim": "app_metadata.role", "leeway_seconds": 5}'),
          'ok', 'jwks_uri next to other options');
CREATE TEMP TABLE before AS SELECT audience, options FROM auth.issuers();
SELECT is((SELECT count(*)::int FROM before b,
             auth.trust_issuer('https://idp.example', (SELECT j FROM jwks), b.audience, b.options)), 1,
          'auth.trust_issuer accepts the options auth.issuers() shows');
SELECT is((SELECT (audience, options)::text FROM auth.issuers()), (SELECT (audience, options)::text FROM before),
          'and they come back unchanged');

SELECT * FROM finish();
ROLLBACK;
