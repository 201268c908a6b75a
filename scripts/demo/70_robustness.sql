-- Step 70: robustness.  Hostile input gets clean errors; application roles
-- reach no secret.  (The full suites: test/sh/70_*.sh, test/pgtap/70_privileges.sql,
-- test/fuzz/; see docs/70_robustness.md.)
\set ON_ERROR_STOP off
\set VERBOSITY default
\echo '--- a token with one flipped character, a spliced one and a 100 kB one: PT401 each, never a crash'
SELECT auth.jwt_sign('{"sub":"demo70"}') AS t70 \gset
SELECT auth.jwt_verify(overlay(:'t70' PLACING 'A' FROM 20 FOR 1));
SELECT auth.jwt_verify(split_part(:'t70', '.', 1) || '.' || split_part(:'t70', '.', 3) || '.' || split_part(:'t70', '.', 2));
SELECT auth.jwt_verify(repeat('a', 100000));

\echo '--- a hostile stored hash (Argon2 asking for 4 GiB) is refused before any work, with 22023'
SELECT auth.verify_password('secret', '$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g');

\echo '--- an application role cannot read private keys or password hashes, nor change a setting'
DO $$ BEGIN CREATE ROLE demo70_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
SET ROLE demo70_app;
SELECT private_key FROM auth.keys;
SELECT password_hash FROM auth.users;
SELECT auth.configure('jwt.leeway_seconds', '3600');
RESET ROLE;
DROP ROLE demo70_app;

\echo '--- every SECURITY DEFINER function of the extension pins search_path (checked over pg_proc in the tests):'
SELECT p.oid::regprocedure AS function, p.proconfig
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'auth_ext'
WHERE p.prosecdef ORDER BY 1;
\set ON_ERROR_STOP on
