-- pgTAP: the SQL contract of recovery (area 45): password change, password
-- reset, email verification and the outbox, without HTTP (HTTP, LISTEN and
-- expiry across transactions: test/interop/46_recovery.test.mjs).
--
-- The identity of a "request" is the token last verified in this
-- transaction (auth.jwt_verify), as in 40_accounts.sql.  Work per path of
-- request_password_reset is counted as 40_signin_work.sql counts it, with
-- track_functions (calls) and the transaction's table statistics (rows
-- inserted, also by a subtransaction that is rolled back).
BEGIN;
SELECT plan(74);

SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
SET LOCAL track_functions = 'all';
CREATE ROLE t45_app NOLOGIN;

-- ---- structure and privileges ----
SELECT has_table('auth', 'outbox', 'auth.outbox exists');
SELECT columns_are('auth', 'outbox', ARRAY['id', 'kind', 'email', 'token', 'created_at'],
    'auth.outbox has (id, kind, email, token, created_at)');
SELECT has_column('auth', 'users', 'email_verified_at', 'auth.users has email_verified_at');
SELECT ok(NOT has_table_privilege('t45_app', 'auth.outbox', 'SELECT')
          AND NOT has_any_column_privilege('t45_app', 'auth.outbox', 'SELECT'),
    'an application role cannot read the outbox (tokens in clear)');
SELECT ok(NOT has_table_privilege('t45_app', 'auth.recovery_tokens', 'SELECT')
          AND NOT has_any_column_privilege('t45_app', 'auth.recovery_tokens', 'SELECT'),
    'an application role cannot read the hashed token store');
SELECT throws_ok($$SET LOCAL ROLE t45_app; SELECT token FROM auth.outbox$$, '42501', NULL,
    'reading the outbox as an application role fails with 42501');
RESET ROLE;
SELECT ok(has_table_privilege((SELECT extowner FROM pg_extension WHERE extname = 'auth_ext'), 'auth.outbox', 'SELECT, DELETE'),
    'the extension owner (the mailer) reads and deletes the outbox');
SELECT ok(NOT has_function_privilege('t45_app', 'auth._recovery_token()', 'EXECUTE')
          AND NOT has_function_privilege('t45_app', 'auth._issue_token(text,uuid,text,text,integer)', 'EXECUTE')
          AND NOT has_function_privilege('t45_app', 'auth._end_sessions(uuid,uuid)', 'EXECUTE'),
    'an application role cannot mint tokens, write the outbox or end sessions directly');
SELECT is((SELECT count(*) FROM pg_extension e, unnest(e.extconfig) x(oid)
            WHERE e.extname = 'auth_ext'
              AND x.oid IN ('auth.outbox'::regclass, 'auth.recovery_tokens'::regclass, 'auth.recovery_requests'::regclass)),
    0::bigint, 'outbox, tokens and request counts are not dumped');
SELECT set_eq(
    $$SELECT p.proname::text FROM pg_proc p
      WHERE p.pronamespace = 'auth'::regnamespace
        AND p.proname IN ('change_password', 'request_password_reset', 'reset_password',
                          'request_email_verification', 'verify_email')
        AND p.prosecdef AND p.provolatile = 'v' AND p.proparallel = 'u'
        AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp']
        AND p.proowner = (SELECT extowner FROM pg_extension WHERE extname = 'auth_ext')$$,
    ARRAY['change_password', 'request_password_reset', 'reset_password', 'request_email_verification', 'verify_email'],
    'recovery functions: SECURITY DEFINER, VOLATILE, PARALLEL UNSAFE, search_path pinned, owned by the extension owner');
SELECT is((SELECT value FROM auth.settings() WHERE name = 'accounts.reset_token_seconds'), '3600',
    'accounts.reset_token_seconds defaults to 3600');
SELECT throws_ok($$SELECT auth.configure('accounts.reset_token_seconds', '0')$$, '22023', NULL,
    'accounts.reset_token_seconds is at least 1');

-- ---- accounts ----
SELECT ok(auth.signup('ann@recovery.test', 'password-ann', 'Ann') ? 'token', 'Ann signs up');
SELECT ok(auth.signup('bob@recovery.test', 'password-bob', 'Bob') ? 'token', 'Bob signs up');
CREATE TEMP TABLE t (name text PRIMARY KEY, v text);
GRANT SELECT ON t TO PUBLIC;
SELECT is(auth.change_password('password-ann', 'new password 1'), '{"error": "Not signed in"}',
    'change_password without a token: Not signed in');
SELECT is(current_setting('response.status'), '401', 'with status 401');
SELECT is(auth.request_email_verification(), '{"error": "Not signed in"}', 'request_email_verification without a token: 401');
-- the newest outbox token for an email and kind
CREATE FUNCTION pg_temp.mail(e text, k text) RETURNS text LANGUAGE sql AS
    $$ SELECT o.token FROM auth.outbox o WHERE o.email = e AND o.kind = k ORDER BY o.id DESC LIMIT 1 $$;

-- ---- request_password_reset: same body, same work ----
-- calls of the recovery helpers and rows inserted into the token store and
-- the outbox by one request, and its body
CREATE FUNCTION pg_temp.calls() RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_object_agg(f.n, coalesce((SELECT sum(calls) FROM pg_stat_xact_user_functions
                                            WHERE schemaname = 'auth' AND funcname = f.n), 0))
      FROM unnest(ARRAY['_count_request', '_issue_token', '_recovery_token', 'hash_password', 'verify_password']) f(n)
$$;
CREATE FUNCTION pg_temp.reset_work(e text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f0 jsonb; f1 jsonb; i0 bigint; i1 bigint; r jsonb;
BEGIN
    f0 := pg_temp.calls();
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) INTO i0 FROM pg_stat_xact_user_tables
        WHERE schemaname = 'auth' AND relname IN ('outbox', 'recovery_tokens', 'recovery_requests');
    r := auth.request_password_reset(e);
    f1 := pg_temp.calls();
    SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) INTO i1 FROM pg_stat_xact_user_tables
        WHERE schemaname = 'auth' AND relname IN ('outbox', 'recovery_tokens', 'recovery_requests');
    RETURN format('calls %s, rows written %s, status %s, %s',
                  (SELECT string_agg(k || '=' || ((f1->>k)::bigint - (f0->>k)::bigint), ',' ORDER BY k)
                     FROM jsonb_object_keys(f1) k),
                  i1 - i0, current_setting('response.status'), r);
END
$$;
INSERT INTO t VALUES ('known1', pg_temp.reset_work('Ann@Recovery.test'));
INSERT INTO t VALUES ('unknown1', pg_temp.reset_work('nobody@recovery.test'));
INSERT INTO t VALUES ('known2', pg_temp.reset_work('ann@recovery.test'));
INSERT INTO t VALUES ('unknown2', pg_temp.reset_work('nobody@recovery.test'));
SELECT is((SELECT v FROM t WHERE name = 'known1'),
    'calls _count_request=1,_issue_token=1,_recovery_token=1,hash_password=0,verify_password=0, rows written 3, status 200, '
    '{"message": "If an account exists for this email, a password reset link has been sent"}',
    'a known email: one request count, one token, one token row and one outbox row written, 200 and the generic body');
SELECT is((SELECT v FROM t WHERE name = 'unknown1'), (SELECT v FROM t WHERE name = 'known1'),
    'an unknown email: the same calls, the same rows written (then rolled back), the same status and body');
SELECT is((SELECT v FROM t WHERE name = 'unknown2'), (SELECT v FROM t WHERE name = 'known2'),
    'and the same again on a second request of each');
SELECT is((SELECT count(*) FROM auth.outbox WHERE email = 'nobody@recovery.test'), 0::bigint,
    'nothing is sent to an unknown email');
SELECT is((SELECT count(*) FROM auth.recovery_tokens t JOIN auth.users u ON u.id = t.user_id
            WHERE u.email <> 'ann@recovery.test'), 0::bigint,
    'no token is kept for anyone else (the unknown path''s token row was rolled back)');
SELECT is((SELECT count(*) FROM auth.outbox WHERE email = 'ann@recovery.test' AND kind = 'reset_password'), 2::bigint,
    'Ann has two reset emails in the outbox');
SELECT ok((SELECT bool_and(token ~ '^[A-Za-z0-9_-]{43}$') FROM auth.outbox), 'tokens are 256 bits, base64url (43 characters)');
SELECT is((SELECT count(*) FROM auth.recovery_tokens r JOIN auth.outbox o ON r.token_hash = sha256(convert_to(o.token, 'UTF8'))),
    2::bigint, 'the store keeps the SHA-256 of each outbox token...');
SELECT is((SELECT count(*) FROM auth.recovery_tokens r, auth.outbox o
            WHERE position(convert_to(o.token, 'UTF8') IN r.token_hash) > 0 OR r.email = o.token), 0::bigint,
    '...and never the token itself');
SELECT ok((SELECT bool_and(expires_at = created_at + interval '3600 seconds') FROM auth.recovery_tokens),
    'reset tokens expire after accounts.reset_token_seconds');
SELECT is(auth.request_password_reset(''), '{"error": "Email is required"}', 'an empty email: 400 Email is required');
SELECT is(auth.request_password_reset('not an email'), '{"error": "Please enter a valid email"}',
    'a malformed email: 400 (a property of the string, not of the database)');

-- ---- rate limit: the same for known and unknown emails ----
SELECT auth.configure('accounts.recovery_requests_per_hour', '2');
SELECT is(pg_temp.reset_work('ann@recovery.test') ~ 'rows written 1, status 200', true,
    'over the hourly limit, a known email: only the count is written, same 200 body');
SELECT is(pg_temp.reset_work('nobody@recovery.test') ~ 'rows written 1, status 200', true,
    'over the hourly limit, an unknown email: the same');
SELECT is((SELECT count(*) FROM auth.outbox WHERE email = 'ann@recovery.test'), 2::bigint, 'no email sent over the limit');
SELECT auth.configure('accounts.recovery_requests_per_hour', '5');

-- ---- reset_password ----
INSERT INTO t SELECT 'reset', pg_temp.mail('ann@recovery.test', 'reset_password');
INSERT INTO t SELECT 'ann_token', auth.signin('ann@recovery.test', 'password-ann')->>'token';
SELECT is(auth.reset_password((SELECT v FROM t WHERE name = 'reset'), 'short'),
    '{"error": "Password must be at least 8 characters"}', 'the new password follows the sign-up rules');
SELECT is(auth.reset_password('not-a-token', 'new password ann'), '{"error": "Invalid or expired token"}',
    'an unknown token: 400');
SELECT is(current_setting('response.status'), '400', 'with status 400');
SELECT is(auth.reset_password((SELECT v FROM t WHERE name = 'reset'), 'new password ann'),
    '{"message": "Password has been reset"}', 'the reset token sets a new password');
SELECT is(auth.reset_password((SELECT v FROM t WHERE name = 'reset'), 'another password'),
    '{"error": "Invalid or expired token"}', 'a reset token works once');
SELECT is((SELECT count(*) FROM auth.recovery_tokens t JOIN auth.users u ON u.id = t.user_id
            WHERE u.email = 'ann@recovery.test' AND t.kind = 'reset_password'), 0::bigint,
    'the user''s other reset tokens are void too');
SELECT ok(auth.signin('ann@recovery.test', 'new password ann') ? 'token', 'the new password signs in');
SELECT is(auth.signin('ann@recovery.test', 'password-ann'), '{"error": "Invalid email or password"}', 'the old one does not');
SELECT throws_ok(format('SELECT auth.jwt_verify(%L)', (SELECT v FROM t WHERE name = 'ann_token')), 'PT401',
    'Token has been revoked, please log in again', 'a token from before the reset is refused: every session ended');

-- ---- email verification ----
SELECT is(auth.verify_email('not-a-token'), '{"error": "Invalid or expired token"}', 'verify_email with an unknown token: 400');
SELECT lives_ok(format('SELECT auth.jwt_verify(%L)', auth.signin('bob@recovery.test', 'password-bob')->>'token'), 'Bob is signed in');
SELECT is(auth.request_email_verification(), '{"message": "Verification email sent"}', 'Bob asks for a verification email');
INSERT INTO t SELECT 'bob_verify', pg_temp.mail('bob@recovery.test', 'verify_email');
SELECT is(auth.reset_password((SELECT v FROM t WHERE name = 'bob_verify'), 'new password bob'),
    '{"error": "Invalid or expired token"}', 'a verification token does not reset a password');
-- Ann, signed in, asks too, then tries Bob's token
SELECT lives_ok(format('SELECT auth.jwt_verify(%L)', auth.signup('cat@recovery.test', 'password-cat', 'Cat')->>'token'), 'Cat signs up and is signed in');
SELECT is(auth.request_email_verification(), '{"message": "Verification email sent"}', 'Cat asks for a verification email');
SELECT auth.configure('accounts.recovery_requests_per_hour', '1');
SELECT is(auth.request_email_verification(), '{"error": "Too many requests, try again later"}',
    'a second verification email within the hour over a limit of 1: refused');
SELECT is(current_setting('response.status'), '429', 'with status 429');
SELECT auth.configure('accounts.recovery_requests_per_hour', '5');
SELECT is(auth.verify_email((SELECT v FROM t WHERE name = 'bob_verify')), '{"error": "Invalid or expired token"}',
    'signed in as Cat, Bob''s token is refused');
SELECT is((SELECT count(*) FROM auth.users WHERE email_verified_at IS NOT NULL), 0::bigint, 'nobody is verified');
SELECT is(auth.verify_email(pg_temp.mail('cat@recovery.test', 'verify_email')), '{"message": "Email verified"}',
    'Cat verifies with her own token');
SELECT is((SELECT string_agg(email, ',') FROM auth.users WHERE email_verified_at IS NOT NULL), 'cat@recovery.test',
    'only Cat is verified');
SELECT is(auth.verify_email(pg_temp.mail('cat@recovery.test', 'verify_email')), '{"error": "Invalid or expired token"}',
    'a used verification token fails');
SELECT is(auth.request_email_verification(), '{"message": "Email already verified"}', 'asking again once verified sends nothing');
SELECT is((auth.jwt_decode_unverified(auth.signin('cat@recovery.test', 'password-cat')->>'token')->'payload'->'email_verified'),
    'true'::jsonb, 'a token minted afterwards carries email_verified: true');
SELECT is((auth.jwt_decode_unverified(auth.signin('bob@recovery.test', 'password-bob')->>'token')->'payload'->'email_verified'),
    'false'::jsonb, 'Bob''s carries email_verified: false');
-- Bob's token was left unused by Cat's attempt: Bob can still use it
SELECT lives_ok(format('SELECT auth.jwt_verify(%L)', auth.signin('bob@recovery.test', 'password-bob')->>'token'), 'Bob is signed in again');
SELECT is(auth.verify_email((SELECT v FROM t WHERE name = 'bob_verify')), '{"message": "Email verified"}',
    'Bob''s token, refused to Cat, still verifies Bob');

-- ---- change_password ----
INSERT INTO t SELECT 'dan_other', auth.signup('dan@recovery.test', 'password-dan', 'Dan')->>'token';
INSERT INTO t SELECT 'dan_current', auth.signin('dan@recovery.test', 'password-dan')->>'token';
SELECT lives_ok(format('SELECT auth.jwt_verify(%L)', (SELECT v FROM t WHERE name = 'dan_current')), 'Dan is signed in');
SELECT is(auth.change_password('', 'new password dan'), '{"error": "Current password is required"}',
    'the current password is required');
SELECT is(auth.change_password('wrong password', 'new password dan'), '{"error": "Current password is incorrect"}',
    'a wrong current password is refused');
SELECT is(auth.change_password('password-dan', 'short'), '{"error": "Password must be at least 8 characters"}',
    'the new password follows the sign-up rules');
SELECT is(auth.change_password('password-dan', 'new password dan'), '{"message": "Password changed"}', 'the password changes');
SELECT is(current_setting('response.status'), '200', 'with status 200');
SELECT ok(auth.signin('dan@recovery.test', 'new password dan') ? 'token', 'the new password signs in');
SELECT is(auth.signin('dan@recovery.test', 'password-dan'), '{"error": "Invalid email or password"}', 'the old one does not');
SELECT throws_ok(format('SELECT auth.jwt_verify(%L)', (SELECT v FROM t WHERE name = 'dan_other')), 'PT401',
    'Token has been revoked, please log in again', 'the other session''s token is refused');
-- The current session survives (auth._end_sessions keeps the session its
-- token's "sid" names).
SELECT ok(auth.jwt_decode_unverified((SELECT v FROM t WHERE name = 'dan_current'))->'payload' ? 'sid',
          'the current token names its session (sid)');
SELECT lives_ok(format('SELECT auth.jwt_verify(%L)', (SELECT v FROM t WHERE name = 'dan_current')),
                'the current session''s token still verifies');
-- a wrong current password counts like a failed sign-in (lockout)
SELECT auth.configure('accounts.max_failures', '2');
SELECT lives_ok(format('SELECT auth.jwt_verify(%L)', auth.signup('eve@recovery.test', 'password-eve', 'Eve')->>'token'), 'Eve is signed in');
SELECT is(auth.change_password('guess 1', 'new password eve') || auth.change_password('guess 2', 'new password eve'),
    '{"error": "Current password is incorrect"}', 'two wrong guesses');
SELECT is(auth.change_password('password-eve', 'new password eve'), '{"error": "Current password is incorrect"}',
    'then the email is locked: even the right current password is refused');
SELECT is(auth.signin('eve@recovery.test', 'password-eve'), '{"error": "Invalid email or password"}',
    'and so is a sign-in: the guesses counted as failed sign-ins');

SELECT * FROM finish();
ROLLBACK;
