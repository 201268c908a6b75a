-- Base objects: the settings table is private, configure() validates names.
SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'auth_ext';
SELECT has_table_privilege('public', 'auth.config', 'SELECT') AS public_reads_config;
SELECT has_function_privilege('public', 'auth.configure(text,text)', 'EXECUTE') AS public_configures;
SELECT auth.configure('no.such_setting', '1');
-- Settings load inside a parallel worker too (verify_password is PARALLEL SAFE and
-- reads its caps): the worker must not take a fresh snapshot, which parallel mode forbids.
SET force_parallel_mode = on;
SELECT auth.verify_password('secret', auth.hash_password('secret', 'pbkdf2-sha256', '{"i": 1000}')) AS verified_in_worker;
EXPLAIN (COSTS OFF) SELECT auth.verify_password('secret', auth.hash_password('secret', 'pbkdf2-sha256', '{"i": 1000}'));
RESET force_parallel_mode;
