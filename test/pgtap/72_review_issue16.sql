-- test/pgtap/72_review_issue16.sql: the attacker's review of issues 15 (item
-- 3, provisioning) and 16 (sessions, refresh tokens, recovery);
-- docs/70_findings.md, "Review of issues 15 and 16".  Each R test failed
-- before its fix.
--   R1  request.headers that is not JSON failed sign-in and sign-up (22P02)
--   R2  sealed successors kept after the grace window: an old refresh token
--       and a copy of auth.refresh_tokens unsealed the chain to the live token
--   R3  rotated refresh tokens kept without bound (a refresh loop grew the table)
--   R4  a provisioned account took the token's email as it came (spaces,
--       not an address at all)
--   R5  exp - iat of a minted token exceeded accounts.access_token_seconds
--       when the sign-in ended in a later second than its statement began
--   R6  request counts of made-up emails kept a day instead of their hour
--   R7  a token minted by a refresh whose transaction rolled back outlived
--       the sid revocation of its session
--   R8  a provisioning issuer's very long subject failed with 54000 (the
--       internal function's text in the error) instead of a token error
-- and what was tried without finding anything (T: SQLSTATEs and bodies of
-- garbage input, privileges, another user's sid, enumeration at the limit).
-- The same seals through a real pg_dump: test/sh/72_review_sessions.sh;
-- a client behind PgBouncer: test/sh/72_review_pgbouncer.sh.
BEGIN;
SELECT plan(64);

SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
CREATE ROLE t72_app NOLOGIN;
\ir include/state.sql
GRANT EXECUTE ON FUNCTION pg_temp.state(text) TO t72_app;
CREATE TEMP TABLE t (name text PRIMARY KEY, v text);
GRANT SELECT, INSERT ON t TO PUBLIC;
-- pg_temp.state(q) as the application role
CREATE FUNCTION pg_temp.state_as_app(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
    SET LOCAL ROLE t72_app;
    s := pg_temp.state(q);
    RESET ROLE;
    RETURN s;
END $$;
-- q's single jsonb result, as the application role
CREATE FUNCTION pg_temp.as_app(q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE v jsonb;
BEGIN
    SET LOCAL ROLE t72_app;
    EXECUTE q INTO v;
    RESET ROLE;
    RETURN v;
END $$;
-- q's single jsonb result, NULL when it raised an error
CREATE FUNCTION pg_temp.body(q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE v jsonb;
BEGIN
    EXECUTE q INTO v;
    RETURN v;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;
-- the session id (sid claim) of a sign-in/refresh body's access token
CREATE FUNCTION pg_temp.sid(body jsonb) RETURNS uuid LANGUAGE sql AS $$
    SELECT (convert_from(decode(translate(rpad(split_part(body->>'token', '.', 2),
                4 * ((length(split_part(body->>'token', '.', 2)) + 3) / 4), '='), '-_', '+/'), 'base64'),
            'UTF8')::jsonb->>'sid')::uuid
$$;

SELECT ok(auth.signup('ann@t72.example', 'password-ann', 'Ann') ? 'token', 'Ann signs up');
SELECT ok(auth.signup('bob@t72.example', 'password-bob', 'Bob') ? 'token', 'Bob signs up');

CREATE FUNCTION pg_temp.claims(body jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT convert_from(decode(translate(rpad(split_part(body->>'token', '.', 2),
               4 * ((length(split_part(body->>'token', '.', 2)) + 3) / 4), '='), '-_', '+/'), 'base64'), 'UTF8')::jsonb
$$;

-- ==== R1: request.headers is the client's word ====
SET LOCAL request.headers = 'this is not json';
SELECT is(pg_temp.state_as_app($$SELECT auth.signin('ann@t72.example', 'password-ann')$$), 'ok',
    'R1: sign-in with request.headers that is not JSON succeeds (was 22P02)');
SELECT is(pg_temp.state_as_app($$SELECT auth.signup('cy@t72.example', 'password-cy', 'Cy')$$), 'ok',
    'R1: so does sign-up');
INSERT INTO t SELECT 'r1', pg_temp.body($$SELECT auth.signin('ann@t72.example', 'password-ann')$$)::text;
SELECT is((SELECT count(*) FROM auth.sessions s WHERE s.id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'r1'))
             AND s.user_agent IS NULL), 1::bigint, 'R1: its session exists, without a user-agent');
SET LOCAL request.headers = '{"user-agent": "a\u0000b"}';
SELECT ok(pg_temp.body($$SELECT auth.signin('ann@t72.example', 'password-ann')$$) ? 'token', 'R1: a \u0000 in the JSON (22P05 for jsonb) does not fail sign-in either');
SET LOCAL request.headers = '{"user-agent": "Mozilla/5.0 (t72)"}';
INSERT INTO t SELECT 'r1b', auth.signin('ann@t72.example', 'password-ann')::text;
SELECT is((SELECT s.user_agent FROM auth.sessions s WHERE s.id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'r1b'))),
    'Mozilla/5.0 (t72)', 'R1: well-formed headers still give the user-agent');
RESET request.headers;

-- ==== R2: seals erased once the grace window is over ====
-- the refresh tokens reached from token tok by unsealing stored successors
CREATE FUNCTION pg_temp.unsealed_from(tok text) RETURNS SETOF text LANGUAGE sql AS $$
    WITH RECURSIVE chain(token, step) AS (
        SELECT tok, 0
        UNION ALL
        SELECT auth._refresh_unseal(c.token, r.successor), c.step + 1
          FROM chain c JOIN auth.refresh_tokens r ON r.hash = auth._refresh_hash(c.token)
         WHERE r.successor IS NOT NULL AND c.step < 1000)
    SELECT token FROM chain WHERE step > 0 AND token IS NOT NULL
$$;
INSERT INTO t SELECT 'r0', auth.signin('bob@t72.example', 'password-bob')->>'refresh_token';
INSERT INTO t SELECT 'r1', auth.refresh((SELECT v FROM t WHERE name = 'r0'))->>'refresh_token'
    ON CONFLICT (name) DO UPDATE SET v = excluded.v;
SELECT is(auth.refresh((SELECT v FROM t WHERE name = 'r0'))->>'refresh_token', (SELECT v FROM t WHERE name = 'r1'),
    'R2: within the grace window the rotated token still gives its successor');
-- the grace window of r0 is over (as if an hour had passed)
UPDATE auth.refresh_tokens SET rotated_at = rotated_at - interval '1 hour'
 WHERE hash = auth._refresh_hash((SELECT v FROM t WHERE name = 'r0'));
INSERT INTO t SELECT 'r2', auth.refresh((SELECT v FROM t WHERE name = 'r1'))->>'refresh_token';
SELECT ok((SELECT v FROM t WHERE name = 'r2') IS NOT NULL, 'R2: r1 rotates to r2');
SELECT is((SELECT octet_length(successor) FROM auth.refresh_tokens WHERE hash = auth._refresh_hash((SELECT v FROM t WHERE name = 'r0'))),
    0, 'R2: past its grace window, the seal of r0''s successor is erased');
SELECT ok(NOT EXISTS (SELECT FROM pg_temp.unsealed_from((SELECT v FROM t WHERE name = 'r0')) u
                       WHERE u IN (SELECT v FROM t WHERE name IN ('r1', 'r2'))),
    'R2: r0 and a copy of auth.refresh_tokens no longer unseal r1 or the live r2');
SELECT is(auth.refresh((SELECT v FROM t WHERE name = 'r0')),
    '{"error": "Invalid or expired refresh token, please sign in again"}', 'R2: r0 presented again: reuse, 401');
SELECT is(auth.refresh((SELECT v FROM t WHERE name = 'r2'))->>'error',
    'Invalid or expired refresh token, please sign in again', 'R2: ... and the session ended (r2 refused too)');
SELECT auth.configure('accounts.refresh_reuse_interval_seconds', '0');
INSERT INTO t SELECT 's0', auth.signin('bob@t72.example', 'password-bob')->>'refresh_token';
SELECT ok(auth.refresh((SELECT v FROM t WHERE name = 's0')) ? 'refresh_token', 'R2: no grace window: s0 rotates');
SELECT is((SELECT octet_length(successor) FROM auth.refresh_tokens WHERE hash = auth._refresh_hash((SELECT v FROM t WHERE name = 's0'))),
    0, 'R2: without a grace window no seal is kept at all');
SELECT auth.configure('accounts.refresh_reuse_interval_seconds', '10');

-- ==== R3: at most 100 rotated refresh tokens per session ====
CREATE FUNCTION pg_temp.refresh_n(tok text, n int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..n LOOP
        tok := auth.refresh(tok)->>'refresh_token';
    END LOOP;
    RETURN tok;
END $$;
INSERT INTO t SELECT 'q0', auth.signin('bob@t72.example', 'password-bob')::text;
INSERT INTO t SELECT 'q130', pg_temp.refresh_n((SELECT v::jsonb->>'refresh_token' FROM t WHERE name = 'q0'), 130);
SELECT is((SELECT count(*) FROM auth.refresh_tokens WHERE session_id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'q0'))),
    101::bigint, 'R3: after 130 refreshes the session keeps 101 rows (the live token and 100 rotated ones), not 131');
-- every grace window over
UPDATE auth.refresh_tokens SET rotated_at = rotated_at - interval '1 hour'
 WHERE session_id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'q0')) AND rotated_at IS NOT NULL;
SELECT is(auth.refresh((SELECT v::jsonb->>'refresh_token' FROM t WHERE name = 'q0'))->>'error',
    'Invalid or expired refresh token, please sign in again', 'R3: a dropped (101st-oldest) token is refused');
INSERT INTO t SELECT 'q131', auth.refresh((SELECT v FROM t WHERE name = 'q130'))->>'refresh_token';
SELECT ok((SELECT v FROM t WHERE name = 'q131') IS NOT NULL,
    'R3: ... without ending the session (documented: only the last 100 are detected as reuse)');
UPDATE auth.refresh_tokens SET rotated_at = rotated_at - interval '1 hour'
 WHERE session_id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'q0')) AND rotated_at > now() - interval '1 minute';
SELECT is(auth.refresh((SELECT v FROM t WHERE name = 'q130'))->>'error',
    'Invalid or expired refresh token, please sign in again', 'R3: a kept rotated token presented again is reuse');
SELECT is((SELECT count(*) FROM auth.sessions WHERE id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'q0'))),
    0::bigint, 'R3: ... and ends the session as before');

-- ==== R7: a refresh rolled back still minted a token; its session's revocation must outlive it ====
INSERT INTO t SELECT 'g0', auth.signin('bob@t72.example', 'password-bob')::text;
SELECT 1 AS slept FROM pg_sleep(1.1) \gset
SAVEPOINT rogue;
SELECT auth.refresh((SELECT v::jsonb->>'refresh_token' FROM t WHERE name = 'g0'))->>'token' AS rogue \gset
ROLLBACK TO SAVEPOINT rogue;
INSERT INTO t VALUES ('rogue', :'rogue');
SELECT ok((SELECT s.token_expires_at FROM auth.sessions s WHERE s.id = pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'g0')))
          < to_timestamp((pg_temp.claims(jsonb_build_object('token', (SELECT v FROM t WHERE name = 'rogue')))->>'exp')::float8),
    'R7: a refresh inside a rolled-back transaction minted a token whose exp its session never recorded');
SELECT auth.jwt_verify((SELECT v::jsonb->>'token' FROM t WHERE name = 'g0')) IS NOT NULL AS verified \gset
SELECT is(pg_temp.as_app(format('SELECT auth.revoke_session(%L)', pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'g0'))))->>'message',
    'Session revoked', 'R7: Bob revokes that session');
SELECT ok((SELECT r.expires_at FROM auth.revocations r WHERE r.key = 'sid:' || pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'g0')))
          >= to_timestamp((pg_temp.claims(jsonb_build_object('token', (SELECT v FROM t WHERE name = 'rogue')))->>'exp')::float8),
    'R7: its sid revocation is kept until the rolled-back token expires too (was: until the recorded exp, a second earlier)');
SELECT throws_ok(format('SELECT auth.jwt_verify(%L)', (SELECT v FROM t WHERE name = 'rogue')), 'PT401', NULL,
    'R7: the rolled-back token is refused');

-- ==== R4: a provisioned account's email is checked like sign-up's ====
SELECT auth.create_key('ES256'::text) IS NULL AS made \gset
SELECT count(*) AS n FROM auth.trust_issuer('https://p.t72.example', jsonb_build_object('keys', auth.jwks()->'keys'), NULL,
                                            '{"provision": true}') \gset
-- the email of the local user the first token of subject sub with these claims provisions
CREATE FUNCTION pg_temp.provisioned_email(sub text, claims jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM auth.jwt_verify(auth.jwt_sign(claims || jsonb_build_object('iss', 'https://p.t72.example', 'sub', sub)));
    RETURN (SELECT u.email FROM auth.users u WHERE u.id = auth.uid());
END $$;
SELECT is(pg_temp.provisioned_email('p1', '{"email": "  Dee@T72.example\t", "email_verified": true}'), 'dee@t72.example',
    'R4: a verified email with spaces around it is trimmed (and lowercased) as sign-up does');
SELECT ok(pg_temp.provisioned_email('p2', '{"email": "not an address", "email_verified": true}') LIKE '%@external.invalid',
    'R4: a verified "email" that is not an address gives the placeholder');
SELECT ok(pg_temp.provisioned_email('p3', '{"email": " ann@t72.example", "email_verified": true}') LIKE '%@external.invalid',
    'R4: a local account''s email, spaced, is still taken: the placeholder, never a second "ann"');
SELECT ok(pg_temp.provisioned_email('p4', '{"email": "eve@t72.example", "email_verified": false}') LIKE '%@external.invalid',
    'R4: unverified: the placeholder (as before)');

-- ==== R8: a subject too long for the link's index: PT401, not 54000 with the function's text ====
SELECT throws_ok(format('SELECT pg_temp.provisioned_email(%L, %L)',
                        (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i), '{}'),
    'PT401', 'the token''s subject is too long to be linked to a local user',
    'R8: a 6400-byte random subject of a provisioning issuer is refused as a token (was 54000 from the index)');
SELECT ok(pg_temp.provisioned_email((SELECT string_agg(md5(i::text), '') FROM generate_series(1, 50) i), '{}') LIKE '%@external.invalid',
    'R8: a 1600-byte one is still provisioned');

-- ==== R5: exp - iat of a minted token is accounts.access_token_seconds ====
-- a sign-in that ends in a later second than its statement started
CREATE FUNCTION pg_temp.slow_signin() RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(1.1);
    RETURN auth.signin('bob@t72.example', 'password-bob');
END $$;
INSERT INTO t SELECT 'slow', pg_temp.slow_signin()::text;
SELECT is((c->>'exp')::bigint - (c->>'iat')::bigint, 604800::bigint,
          'R5: a sign-in crossing a second boundary: exp - iat is still access_token_seconds (was 604801)')
  FROM pg_temp.claims((SELECT v::jsonb FROM t WHERE name = 'slow')) c;
SELECT is(((SELECT v::jsonb FROM t WHERE name = 'slow')->>'expires_in')::bigint, (c->>'exp')::bigint - (c->>'iat')::bigint,
          'R5: ... and expires_in says the same')
  FROM pg_temp.claims((SELECT v::jsonb FROM t WHERE name = 'slow')) c;

-- ==== R6: request counts purged once their hour is over ====
INSERT INTO auth.recovery_requests (kind, email, window_start, requests) VALUES
    ('reset_password', 'made-up-1@t72.example', now() - interval '2 hours', 1),
    ('reset_password', 'made-up-2@t72.example', now() - interval '30 minutes', 1);
SELECT is(pg_temp.as_app($$SELECT auth.request_password_reset('made-up-3@t72.example')$$)->>'message',
    'If an account exists for this email, a password reset link has been sent', 'R6: a request for another made-up email');
SELECT is((SELECT array_agg(email ORDER BY email) FROM auth.recovery_requests WHERE email LIKE 'made-up-%'),
    ARRAY['made-up-2@t72.example', 'made-up-3@t72.example'],
    'R6: ... purges the count whose hour is over (was kept a day), keeps the one still counting');

-- ==== T: tried, nothing found ====
SELECT is(pg_temp.as_app($$SELECT auth.refresh(NULL)$$)->>'error', 'Invalid or expired refresh token, please sign in again',
    'T: refresh(NULL) is the generic 401 body');
SELECT is(pg_temp.as_app($$SELECT auth.refresh(repeat('A', 10 * 1024 * 1024))$$)->>'error',
    'Invalid or expired refresh token, please sign in again', 'T: a 10 MB refresh token is the generic 401 body');
SELECT is(pg_temp.state_as_app($$SELECT auth.revoke_session('not-a-uuid')$$), '22P02', 'T: revoke_session of a non-uuid: 22P02');
SELECT is(pg_temp.as_app($$SELECT auth.reset_password(repeat('A', 10 * 1024 * 1024), 'password-new')$$)->>'error',
    'Invalid or expired token', 'T: a 10 MB reset token: 400 body');
SELECT is(pg_temp.as_app($$SELECT auth.verify_email(NULL)$$)->>'error', 'Invalid or expired token', 'T: verify_email(NULL): 400 body');
SELECT ok(NOT has_function_privilege('t72_app', f, 'EXECUTE'), 'T: the application role cannot call ' || f)
  FROM unnest(ARRAY['auth._refresh_token()', 'auth._refresh_unseal(text,bytea)', 'auth._end_sessions(uuid,uuid,uuid)',
                    'auth._session_start(uuid,integer)', 'auth._provision_identity(text,text,jsonb)',
                    'auth._issue_token(text,uuid,text,text,integer)', 'auth._use_token(text,text)']) f;
SELECT is(pg_temp.state_as_app(format('SELECT * FROM %s', x)), '42501', 'T: the application role cannot read ' || x)
  FROM unnest(ARRAY['auth.sessions', 'auth.refresh_tokens', 'auth.identities', 'auth.outbox',
                    'auth.recovery_tokens', 'auth.recovery_requests']) x;
-- another user's sid: in a token of Bob (sid of Ann's session), and in Ann's own uuid as sub of a token of another issuer
INSERT INTO t SELECT 'ann_sid', pg_temp.sid((SELECT v::jsonb FROM t WHERE name = 'r1b'))::text;
SELECT auth.jwt_verify(auth.jwt_sign(jsonb_build_object(
    'sub', (SELECT id FROM auth.users WHERE email = 'bob@t72.example'), 'sid', (SELECT v FROM t WHERE name = 'ann_sid'),
    'exp', extract(epoch FROM now())::bigint + 600))) IS NOT NULL AS verified \gset
SELECT is(pg_temp.as_app(format('SELECT auth.revoke_session(%L)', (SELECT v FROM t WHERE name = 'ann_sid')))->>'error',
    'Session not found', 'T: Bob cannot revoke Ann''s session, even with its sid in his token');
SELECT is(pg_temp.as_app('SELECT auth.signout()')->>'message', 'Signed out successfully', 'T: Bob signs out with Ann''s sid in his token');
SELECT is((SELECT count(*) FROM auth.sessions WHERE id = (SELECT v FROM t WHERE name = 'ann_sid')::uuid), 1::bigint,
    'T: ... and Ann''s session lives on');
SELECT ok(NOT (l @> jsonb_build_array(jsonb_build_object('id', (SELECT v FROM t WHERE name = 'ann_sid'))))
          AND NOT (l @> '[{"current": true}]'), 'T: Bob''s list shows neither Ann''s session nor a current one')
  FROM pg_temp.as_app('SELECT auth.sessions()') l;
-- a trusted issuer's token (not provisioning, unlinked) naming Ann's uuid and Ann's session
SELECT count(*) AS n FROM auth.trust_issuer('https://n.t72.example', jsonb_build_object('keys', auth.jwks()->'keys')) \gset
SELECT auth.jwt_verify(auth.jwt_sign(jsonb_build_object('iss', 'https://n.t72.example',
    'sub', (SELECT id FROM auth.users WHERE email = 'ann@t72.example'), 'sid', (SELECT v FROM t WHERE name = 'ann_sid'),
    'exp', extract(epoch FROM now())::bigint + 600))) IS NOT NULL AS verified \gset
SELECT is(pg_temp.as_app('SELECT auth.sessions()'), '{"error": "Not signed in"}'::jsonb,
    'T: an external token whose sub is Ann''s uuid does not list Ann''s sessions (401)');
SELECT is(pg_temp.as_app(format('SELECT auth.revoke_session(%L)', (SELECT v FROM t WHERE name = 'ann_sid'))),
    '{"error": "Not signed in"}'::jsonb, 'T: ... nor revokes her session by its sid');
SELECT is((SELECT pg_temp.as_app('SELECT auth.signout()') ->> 'message'), 'Signed out successfully', 'T: ... its sign-out answers 200');
SELECT is((SELECT count(*) FROM auth.sessions WHERE id = (SELECT v FROM t WHERE name = 'ann_sid')::uuid), 1::bigint,
    'T: ... and Ann''s session lives on');
-- enumeration at the hourly limit: the same body and status for a known and an unknown email
SELECT auth.configure('accounts.recovery_requests_per_hour', '1');
CREATE FUNCTION pg_temp.with_status(q text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE v jsonb;
BEGIN
    v := pg_temp.as_app(q);
    RETURN v || jsonb_build_object('status', current_setting('response.status'));
END $$;
SELECT is(pg_temp.with_status(format('SELECT auth.request_password_reset(%L)', e)),
    '{"message": "If an account exists for this email, a password reset link has been sent", "status": "200"}'::jsonb,
    'T: request_password_reset at and over the limit of 1 an hour (' || e || '): the same body and status')
  FROM unnest(ARRAY['ann@t72.example', 'ann@t72.example', 'nobody@t72.example', 'nobody@t72.example']) e;

SELECT * FROM finish();
ROLLBACK;
