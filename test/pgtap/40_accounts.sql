-- pgTAP: the SQL contract of the accounts area (auth.users, sign-up,
-- sign-in, lockout, sign-out, revocation), without HTTP.
BEGIN;
SELECT plan(60);

-- cheap hashing: cost is not what this suite tests
SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');

-- ---- structure and privileges ----
SELECT has_table('auth', 'users', 'auth.users exists');
SELECT has_table('auth', 'revocations', 'auth.revocations exists');
SELECT has_table('auth', 'signin_failures', 'auth.signin_failures exists');
SELECT ok(NOT has_table_privilege('public', 'auth.users', 'SELECT'), 'PUBLIC cannot read auth.users (password hashes)');
SELECT ok(NOT has_table_privilege('public', 'auth.revocations', 'SELECT,INSERT,DELETE'), 'PUBLIC cannot read or change revocations');
SELECT ok(NOT has_table_privilege('public', 'auth.signin_failures', 'SELECT,UPDATE,DELETE'), 'PUBLIC cannot read or reset lockout state');
SELECT ok(NOT has_function_privilege('public', 'auth._session(uuid,text,text,integer)', 'EXECUTE'), 'PUBLIC cannot mint sessions directly');
SELECT ok(NOT has_function_privilege('public', 'auth._accounts_policy()', 'EXECUTE'), 'PUBLIC cannot read the lockout policy');
SELECT set_eq(
    $$SELECT c.relname::text FROM pg_extension e, unnest(e.extconfig) x(oid) JOIN pg_class c ON c.oid = x.oid
      WHERE e.extname = 'auth_ext' AND c.relname IN ('users', 'revocations', 'signin_failures')$$,
    ARRAY['users', 'revocations'],
    'users and revocations are dumped by pg_dump, lockout state is not');
SELECT set_eq(
    $$SELECT p.proname::text FROM pg_proc p
      WHERE p.pronamespace = 'auth'::regnamespace
        AND p.proname IN ('signup', 'signin', 'signout', 'signout_everywhere')
        AND p.prosecdef AND p.provolatile = 'v' AND p.proparallel = 'u'
        AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp']
        AND p.proowner = (SELECT extowner FROM pg_extension WHERE extname = 'auth_ext')$$,
    ARRAY['signup', 'signin', 'signout', 'signout_everywhere'],
    'account functions: SECURITY DEFINER, VOLATILE, PARALLEL UNSAFE, search_path pg_catalog, pg_temp, owned by the extension owner');

-- ---- auth.users constraints ----
SELECT throws_ok($$INSERT INTO auth.users (email, name) VALUES ('Upper@Example.com', 'U')$$,
    '23514', NULL, 'emails are stored lowercase');
SELECT throws_ok($$INSERT INTO auth.users (email, name) VALUES ('x@example.com', ' padded ')$$,
    '23514', NULL, 'names are stored trimmed');

-- ---- sign-up ----
CREATE TEMP TABLE su AS SELECT auth.signup('Tap.User@Example.com', 'password-tap', ' Tap User ') AS r;
SELECT is(current_setting('response.status'), '201', 'sign-up sets response.status 201');
SELECT is((SELECT r->'user' FROM su),
    (SELECT jsonb_build_object('id', id, 'email', email, 'name', name) FROM auth.users WHERE email = 'tap.user@example.com'),
    'sign-up returns the user as stored (email lowercased, name trimmed)');
SELECT is((SELECT array_agg(k ORDER BY k) FROM su, jsonb_object_keys(su.r) k), ARRAY['expires_in', 'refresh_token', 'token', 'user'],
    'sign-up body has user, token, refresh_token and expires_in (sessions, issue 16)');
SELECT ok((SELECT password_hash LIKE '$argon2id$v=19$m=64,t=1,p=1$%' FROM auth.users WHERE email = 'tap.user@example.com'),
    'the stored hash is Argon2id at the configured parameters');
SELECT is(auth.signup('TAP.USER@example.com', 'password-tap', 'Again'), '{"error": "Email already registered"}',
    'the same email in another case is refused');
SELECT is(current_setting('response.status'), '400', 'failures set response.status 400');
SELECT is(auth.signup(NULL, NULL, NULL), '{"error": "Name is required"}', 'NULL everything: the name is checked first');
SELECT is(auth.signup('a@b.co', 'x', repeat('é', 101)), '{"error": "Name must be 100 characters or less"}', 'name length counts characters');
SELECT is(auth.signup('a@b.co', 'password-ok', repeat('é', 100)) ? 'token', true, 'a name of 100 multibyte characters is fine');
SELECT is(auth.signup('a b@c.de', 'password-ok', 'N'), '{"error": "Please enter a valid email"}', 'an email with a space is refused');
SELECT is(auth.signup('x@y.zz', repeat('p', 4097), 'N'), '{"error": "Password must be 4096 bytes or less"}', 'an over-long password is refused, not truncated');

-- ---- settings ----
SELECT throws_ok($$SELECT auth.configure('accounts.max_failures', '0')$$, '22023', NULL, 'accounts.max_failures is at least 1');
SELECT throws_ok($$SELECT auth.configure('accounts.token_role', '')$$, '22023', NULL, 'accounts.token_role must be a role name');
SELECT is((SELECT array_agg(name::text ORDER BY name) FROM auth.settings() WHERE name LIKE 'accounts.%'),
    ARRAY['accounts.access_token_seconds', 'accounts.lockout_base_seconds', 'accounts.lockout_max_seconds',
          'accounts.max_failures', 'accounts.recovery_requests_per_hour', 'accounts.refresh_reuse_interval_seconds',
          'accounts.reset_token_seconds', 'accounts.session_idle_seconds', 'accounts.session_max_seconds',
          'accounts.token_role', 'accounts.verify_token_seconds'],
    'the accounts settings are registered');

-- ---- sign-in and lockout (max 2 failures, back-off 10 s doubling up to 15 s) ----
SELECT auth.configure('accounts.max_failures', '2');
SELECT auth.configure('accounts.lockout_base_seconds', '10');
SELECT auth.configure('accounts.lockout_max_seconds', '15');
SELECT is(auth.signin('tap.user@example.com', 'password-tap') ? 'token', true, 'sign-in with the right password');
SELECT is(current_setting('response.status'), '200', 'sign-in sets response.status 200');
SELECT is(auth.signin('tap.user@example.com', 'wrong-password'), '{"error": "Invalid email or password"}', 'first failure');
SELECT is((SELECT failures FROM auth.signin_failures WHERE email = 'tap.user@example.com'), 1, 'the failure is counted');
SELECT is((SELECT locked_until FROM auth.signin_failures WHERE email = 'tap.user@example.com'), NULL, 'not locked below max_failures');
SELECT is(auth.signin('tap.user@example.com', 'wrong-password'), '{"error": "Invalid email or password"}', 'second failure');
SELECT is((SELECT locked_until - now() FROM auth.signin_failures WHERE email = 'tap.user@example.com'), interval '10 seconds', 'locked for the base window at max_failures');
SELECT is(auth.signin('tap.user@example.com', 'password-tap'), '{"error": "Invalid email or password"}', 'locked: the right password is refused with the generic message');
SELECT is((SELECT failures FROM auth.signin_failures WHERE email = 'tap.user@example.com'), 2, 'attempts during the lockout are not counted');
UPDATE auth.signin_failures SET locked_until = now() - interval '1 second' WHERE email = 'tap.user@example.com';
SELECT is(auth.signin('tap.user@example.com', 'wrong-password'), '{"error": "Invalid email or password"}', 'a failure after the lockout');
SELECT is((SELECT locked_until - now() FROM auth.signin_failures WHERE email = 'tap.user@example.com'), interval '15 seconds', 'the window doubled, capped at lockout_max_seconds');
UPDATE auth.signin_failures SET locked_until = now() - interval '1 second' WHERE email = 'tap.user@example.com';
SELECT is(auth.signin('tap.user@example.com', 'password-tap') ? 'token', true, 'after the lockout the right password works');
SELECT is((SELECT count(*) FROM auth.signin_failures WHERE email = 'tap.user@example.com'), 0::bigint, 'success resets the count');
SELECT is(auth.signin('ghost@example.com', 'password-any'), '{"error": "Invalid email or password"}', 'an unknown email');
SELECT is((SELECT failures FROM auth.signin_failures WHERE email = 'ghost@example.com'), 1, 'a failure on an unknown email is recorded like any other (same write, same commit cost)');
UPDATE auth.signin_failures SET last_failure = now() - interval '2 days' WHERE email = 'ghost@example.com';
SELECT is(auth.signin('tap.user@example.com', 'password-tap') ? 'token', true, 'another successful sign-in');
SELECT is((SELECT count(*) FROM auth.signin_failures WHERE email = 'ghost@example.com'), 0::bigint, 'successful sign-ins purge failure rows idle for a day');

-- ---- rehash on sign-in ----
UPDATE auth.users SET password_hash = auth.hash_password('password-tap', 'bcrypt', '{"cost": 4}') WHERE email = 'tap.user@example.com';
SELECT is(auth.signin('tap.user@example.com', 'password-tap') ? 'token', true, 'a bcrypt user signs in');
SELECT ok((SELECT password_hash LIKE '$argon2id$%' FROM auth.users WHERE email = 'tap.user@example.com'), 'and is upgraded to Argon2id');

INSERT INTO auth.users (email, name, password_hash) VALUES ('broken@example.com', 'Broken', 'not a hash at all');
SELECT is(auth.signin('broken@example.com', 'password-any'), '{"error": "Invalid email or password"}',
    'an unreadable stored hash is a failed sign-in, not an error that would reveal the account');

-- ---- sign-out and revocation ----
-- Sign-out reads the verified identity, never a setting anyone can write.
CREATE TEMP TABLE victim AS SELECT auth.signin('tap.user@example.com', 'password-tap')->>'token' AS t;
SELECT set_config('request.jwt.claims', (auth.jwt_decode_unverified((SELECT t FROM victim))->'payload')::text, true);
SELECT is(auth.signout_everywhere(), '{"error": "Not signed in"}', 'forged request.jwt.claims is not an identity: sign-out everywhere refuses');
SELECT is(auth.signout(), '{"message": "Signed out successfully"}', 'sign-out with forged claims answers as anonymous');
SELECT lives_ok($$SELECT auth.jwt_verify((SELECT t FROM victim))$$, 'and revoked nothing: the victim''s token still verifies');
CREATE TEMP TABLE tok AS SELECT auth.signin('tap.user@example.com', 'password-tap')->>'token' AS t;
SELECT lives_ok($$SELECT auth.jwt_verify((SELECT t FROM tok))$$, 'a fresh token verifies');
SELECT is(auth.signout(), '{"message": "Signed out successfully"}', 'sign-out');
SELECT throws_ok($$SELECT auth.jwt_verify((SELECT t FROM tok))$$, 'PT401', 'Token has been revoked, please log in again', 'the signed-out token is refused');
UPDATE tok SET t = auth.signin('tap.user@example.com', 'password-tap')->>'token';
SELECT lives_ok($$SELECT auth.jwt_verify((SELECT t FROM tok))$$, 'another token of the same user still verifies');
SELECT is(auth.signout_everywhere(), '{"message": "Signed out everywhere"}', 'sign-out everywhere');
SELECT throws_ok($$SELECT auth.jwt_verify((SELECT t FROM tok))$$, 'PT401', 'Token has been revoked, please log in again', 'every earlier token of the user is refused');

-- jti/sub values too long for the index are keyed by their SHA-256.
CREATE TEMP TABLE longsub AS SELECT auth.jwt_sign(jsonb_build_object('sub', repeat('s', 3000), 'role', 'x')) AS t;
SELECT lives_ok($$SELECT auth.jwt_verify((SELECT t FROM longsub))$$, 'a token with a 3000-byte sub verifies');
SELECT is(auth.signout_everywhere(), '{"message": "Signed out everywhere"}', 'and its user can sign out everywhere');
SELECT is((SELECT key FROM auth.revocations WHERE key LIKE 'sub:sha256:%'),
    'sub:sha256:' || encode(sha256(convert_to(repeat('s', 3000), 'UTF8')), 'hex'), 'the long sub is keyed by its SHA-256');
SELECT throws_ok($$SELECT auth.jwt_verify((SELECT t FROM longsub))$$, 'PT401', 'Token has been revoked, please log in again',
    'the C check finds the hashed key: the token is refused');

-- The check only reads: it works in a read-only transaction.
SET LOCAL transaction_read_only = on;
SELECT throws_ok($$SELECT auth.jwt_verify((SELECT t FROM tok))$$, 'PT401', 'Token has been revoked, please log in again', 'revocation is checked in a READ ONLY transaction');

SELECT * FROM finish();
ROLLBACK;
