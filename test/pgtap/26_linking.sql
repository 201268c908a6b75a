-- test/pgtap/26_linking.sql: the SQL API of linked identities (issue 15,
-- item 3; src/sql/45_linking.sql, src/identity/linking.c): the "provision" option,
-- what auth.link_identity/unlink_identity refuse and with which SQLSTATE,
-- the identity a linked token gives (also in parallel workers), what a
-- read-only transaction does with an unseen subject of a provisioning
-- issuer, and that a role without the extension owner's privileges can
-- neither read nor write auth.identities nor call the functions (even after
-- an over-broad EXECUTE grant).  Two providers, concurrency, other backends,
-- standby and dump: test/interop/25_linking.test.mjs, test/sh/45_linking_*.sh.
BEGIN;
SELECT plan(32);

CREATE ROLE t26_app NOLOGIN;
\set a 'https://a.linking.example'
\set b 'https://b.linking.example'
\set local '6a0c9c1e-7f3e-4f7a-9b1d-3e0f26000001'

\ir include/state.sql
GRANT EXECUTE ON FUNCTION pg_temp.state(text) TO t26_app;

-- the issuers' key: one of our own, trusted as another provider's (jwt_sign signs for it)
SELECT auth.create_key('ES256'::text) IS NULL AS made \gset
CREATE TEMP TABLE jwks AS SELECT jsonb_build_object('keys', auth.jwks()->'keys') AS j;
GRANT SELECT ON jwks TO t26_app;

-- ---- the option ----
SELECT is(pg_temp.state(format('SELECT auth.trust_issuer(%L, %L, NULL, %L)', :'a', j, '{"provision": "yes"}')),
          '22023', 'provision: not a boolean is 22023') FROM jwks;
SELECT is(pg_temp.state(format('SELECT auth.trust_issuer(%L, %L, NULL, %L)', :'b', j, '{}')), 'ok',
          'an issuer without provision') FROM jwks;
SELECT is(pg_temp.state(format('SELECT auth.trust_issuer(%L, %L, NULL, %L)', :'a', j, '{"provision": true}')), 'ok',
          'an issuer with provision') FROM jwks;
SELECT is((SELECT options->'provision' FROM auth.issuers() WHERE issuer = :'b'), 'false'::jsonb,
          'auth.issuers(): provision defaults to false');
SELECT is((SELECT options->'provision' FROM auth.issuers() WHERE issuer = :'a'), 'true'::jsonb,
          'auth.issuers(): provision true');

SELECT auth.jwt_sign(jsonb_build_object('iss', :'b', 'sub', 'b-pat')) AS tb \gset
SELECT auth.jwt_sign(jsonb_build_object('iss', :'a', 'sub', 'a-new', 'name', 'New')) AS ta \gset
-- the identity the token gives, as "uid user_id sub" ('-' for NULL)
CREATE FUNCTION pg_temp.ident(token text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM auth.jwt_verify(token);
    RETURN concat_ws(' ', coalesce(auth.uid()::text, '-'), coalesce(auth.user_id(), '-'),
                     auth.jwt()->>'sub');
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.ident(text) TO t26_app;

-- ---- linking by the owner ----
INSERT INTO auth.users (id, email, name) VALUES (:'local', 't26_pat@example.com', 'Pat');
SELECT is(pg_temp.ident(:'tb'), '- b-pat b-pat', 'unlinked: no uid, user_id is the provider''s subject');
SELECT is(pg_temp.state(format('SELECT auth.link_identity(%L, %L, %L)', 'https://nobody.example', 'x', :'local')),
          '42704', 'link_identity: an untrusted issuer is 42704');
SELECT is(pg_temp.state(format('SELECT auth.link_identity(%L, %L, %L)', :'b', 'x', gen_random_uuid())),
          '42704', 'link_identity: an unknown user is 42704');
SELECT is(pg_temp.state(format('SELECT auth.link_identity(%L, %L, %L)', :'b', '', :'local')),
          '23514', 'link_identity: an empty subject is 23514');
SELECT lives_ok(format('SELECT auth.link_identity(%L, %L, %L)', :'b', 'b-pat', :'local'), 'link_identity links');
SELECT lives_ok(format('SELECT auth.link_identity(%L, %L, %L)', :'b', 'b-pat', :'local'), 'linking again to the same user: no-op');
INSERT INTO auth.users (id, email, name) VALUES (gen_random_uuid(), 't26_sam@example.com', 'Sam');
SELECT is(pg_temp.state(format('SELECT auth.link_identity(%L, %L, %L)', :'b', 'b-pat', id)), '23505', 'link_identity: a subject linked to another user is 23505')
  FROM auth.users WHERE email = 't26_sam@example.com';
SELECT is(pg_temp.ident(:'tb'), :'local' || ' ' || :'local' || ' b-pat',
          'linked: uid and user_id are the local user, auth.jwt() keeps the provider''s sub');
SELECT is(auth.role(), NULL, 'the role still comes from the issuer''s mapping (none here)');
SELECT is(auth.signout_everywhere()->>'error', 'Signed in with another identity provider: sign out there',
          'but refuses a linked external token: it cannot revoke the provider''s tokens');

-- parallel workers see the linked identity (the setting carries it)
-- not a temporary table: those are never scanned in parallel
CREATE TABLE t26_rows AS SELECT g AS n FROM generate_series(1, 3000) g;
ANALYZE t26_rows;
\ir include/workers.sql
SELECT matches(pg_temp.plan(format($$SELECT count(*) FROM t26_rows WHERE auth.uid() = %L$$, :'local')),
               'Gather.*Workers Launched: [1-9]', 'the readers run in parallel workers');
SELECT is((SELECT count(*)::int FROM t26_rows WHERE auth.uid() = :'local' AND auth.user_id() = :'local'), 3000,
          'and see the linked uid there');
RESET parallel_leader_participation;
RESET :force_parallel;

SELECT is(auth.unlink_identity(:'b', 'b-pat'), :'local'::uuid, 'unlink_identity returns the user it was linked to');
SELECT is(pg_temp.ident(:'tb'), '- b-pat b-pat', 'unlinked again: no uid');
SELECT is(pg_temp.state(format('SELECT auth.unlink_identity(%L, %L)', :'b', 'b-pat')),
          '42704', 'unlink_identity: not linked is 42704');

-- ---- provisioning and read-only transactions ----
SAVEPOINT ro;
SET LOCAL transaction_read_only = on;
SELECT is(pg_temp.ident(:'ta'), '- a-new a-new', 'read-only: an unseen subject verifies, unlinked');
SELECT is((SELECT count(*)::int FROM auth.identities WHERE subject = 'a-new'), 0, 'read-only: nothing provisioned');
ROLLBACK TO SAVEPOINT ro;
SELECT matches(pg_temp.ident(:'ta'), '^([0-9a-f-]{36}) \1 a-new$', 'read-write: provisioned, uid = user_id');
SELECT is((SELECT u.name FROM auth.identities i JOIN auth.users u ON u.id = i.user_id
            WHERE i.issuer = :'a' AND i.subject = 'a-new'), 'New', 'the new user, named after the token');
SELECT is((SELECT u.password_hash FROM auth.identities i JOIN auth.users u ON u.id = i.user_id
            WHERE i.subject = 'a-new'), NULL, 'without a password');

-- ---- not for application roles, whatever EXECUTE grants say ----
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO t26_app;
SET LOCAL ROLE t26_app;
SELECT matches(pg_temp.ident(:'ta'), '^[0-9a-f-]{36} ', 'an application role gets the provisioned uid');
SELECT is(pg_temp.state('SELECT * FROM auth.identities'), '42501', 'the table: SELECT 42501');
SELECT is(pg_temp.state(format($$INSERT INTO auth.identities (issuer, subject, user_id) VALUES (%L, 'me', %L)$$, :'b', :'local')),
          '42501', 'the table: INSERT 42501');
SELECT is(pg_temp.state('DELETE FROM auth.identities'), '42501', 'the table: DELETE 42501');
SELECT is(pg_temp.state(format('SELECT auth.link_identity(%L, %L, %L)', :'b', 'me', :'local')),
          '42501', 'link_identity: 42501 for a non-owner with EXECUTE');
SELECT is(pg_temp.state(format('SELECT auth.unlink_identity(%L, %L)', :'a', 'a-new')),
          '42501', 'unlink_identity: 42501');
SELECT is(pg_temp.state(format($$SELECT auth._provision_identity(%L, 'me', '{}')$$, :'b')),
          '42501', '_provision_identity: 42501');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
