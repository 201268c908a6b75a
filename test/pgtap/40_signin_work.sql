-- pgTAP: the sign-in equalisation (README "Sign-in does the same work for an
-- unknown email, a locked account and a wrong password"), asserted without a
-- clock: track_functions counts the calls of auth.verify_password that one
-- auth.signin makes.  Each path must make exactly one verification (an unknown
-- email or an account without a password is verified against a real account's
-- stored hash, auth._decoy_hash, or the dummy hash when there is none); a
-- sign-in that skips it for any of them fails here.  That the decoy has the
-- stored hashes' parameters is test/sh/70_signin_findings.sh's.  The time
-- itself is measured by bench/ (make bench).
BEGIN;
SELECT plan(6);

SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
SELECT auth.configure('accounts.max_failures', '1');
SET LOCAL track_functions = 'all';

-- verify_password calls made by one sign-in, and its answer
CREATE FUNCTION pg_temp.signin_work(e text, p text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n0 bigint; n1 bigint; r jsonb;
BEGIN
    SELECT coalesce(sum(calls), 0) INTO n0 FROM pg_stat_xact_user_functions
        WHERE schemaname = 'auth' AND funcname = 'verify_password';
    r := auth.signin(e, p);
    SELECT coalesce(sum(calls), 0) INTO n1 FROM pg_stat_xact_user_functions
        WHERE schemaname = 'auth' AND funcname = 'verify_password';
    RETURN (n1 - n0) || ' ' || CASE WHEN r ? 'token' THEN 'token' ELSE coalesce(r->>'error', r::text) END;
END
$$;

SELECT auth.signup('work@example.com', 'work password 1', 'Work') ? 'token';
INSERT INTO auth.users (email, name) VALUES ('nopass@example.com', 'No Password');

-- positive control: the counter sees a direct call
SELECT is((SELECT (auth.verify_password('x', auth.hash_password('x')))::text || ' ' ||
                  (SELECT sum(calls) FROM pg_stat_xact_user_functions
                    WHERE schemaname = 'auth' AND funcname = 'verify_password')::text),
          'true 1', 'control: track_functions counts a call of auth.verify_password');
SELECT is(pg_temp.signin_work('work@example.com', 'work password 1'), '1 token',
          'the right password: one verification');
SELECT is(pg_temp.signin_work('nobody@example.com', 'work password 1'), '1 Invalid email or password',
          'an unknown email: one verification too (a stored hash)');
SELECT is(pg_temp.signin_work('nopass@example.com', 'work password 1'), '1 Invalid email or password',
          'an account without a password: one verification');
SELECT is(pg_temp.signin_work('work@example.com', 'wrong password'), '1 Invalid email or password',
          'a wrong password: one verification (and, max_failures 1, the account is now locked)');
SELECT is(pg_temp.signin_work('work@example.com', 'work password 1'), '1 Invalid email or password',
          'a locked account, even with the right password: one verification');

SELECT * FROM finish();
ROLLBACK;
