-- Step 0: install the extension (trusted: a database owner without superuser can do this).
CREATE EXTENSION auth_ext;
SELECT extname, extversion FROM pg_extension WHERE extname = 'auth_ext';
