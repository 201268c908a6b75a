-- Base objects: the settings table is private, configure() validates names.
SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'auth_ext';
SELECT has_table_privilege('public', 'auth.config', 'SELECT') AS public_reads_config;
SELECT has_function_privilege('public', 'auth.configure(text,text)', 'EXECUTE') AS public_configures;
SELECT auth.configure('no.such_setting', '1');
