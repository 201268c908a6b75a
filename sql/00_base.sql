-- Base objects: the settings table is private, configure() validates names.
SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'auth_ext';
SELECT has_table_privilege('public', 'auth.config', 'SELECT') AS public_reads_config;
SELECT has_function_privilege('public', 'auth.configure(text,text)', 'EXECUTE') AS public_configures;
SELECT auth.configure('no.such_setting', '1');
-- force_parallel_mode (PostgreSQL 15) is debug_parallel_query from 16 on
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS force_parallel \gset
-- Settings load inside a parallel worker too (verify_password is PARALLEL SAFE and
-- reads its caps): the worker must not take a fresh snapshot, which parallel mode forbids.
SET :force_parallel = on;
SELECT auth.verify_password('secret', auth.hash_password('secret', 'pbkdf2-sha256', '{"i": 1000}')) AS verified_in_worker;
EXPLAIN (COSTS OFF) SELECT auth.verify_password('secret', auth.hash_password('secret', 'pbkdf2-sha256', '{"i": 1000}'));
RESET :force_parallel;
