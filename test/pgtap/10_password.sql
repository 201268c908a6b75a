-- pgTAP: the password functions' declarations (volatility, strictness,
-- parallel safety), their privileges, and what an application role can and
-- cannot do with the password settings.
BEGIN;
SELECT plan(38);

SELECT has_function('auth', 'hash_password', ARRAY['text'], 'hash_password(text) exists');
SELECT has_function('auth', 'hash_password', ARRAY['text', 'text', 'jsonb'], 'hash_password(text, text, jsonb) exists');
SELECT has_function('auth', 'verify_password', ARRAY['text', 'text'], 'verify_password(text, text) exists');
SELECT has_function('auth', 'password_needs_rehash', ARRAY['text'], 'password_needs_rehash(text) exists');

-- volatility: a random salt makes hashing volatile; verification is a pure
-- function of its inputs, like crypt(); needs_rehash reads the settings
SELECT volatility_is('auth', 'hash_password', ARRAY['text'], 'volatile', 'hash_password(text) is VOLATILE');
SELECT volatility_is('auth', 'hash_password', ARRAY['text', 'text', 'jsonb'], 'volatile', 'hash_password(text, text, jsonb) is VOLATILE');
SELECT volatility_is('auth', 'verify_password', ARRAY['text', 'text'], 'immutable', 'verify_password is IMMUTABLE');
SELECT volatility_is('auth', 'password_needs_rehash', ARRAY['text'], 'stable', 'password_needs_rehash is STABLE');

SELECT is_strict('auth', 'hash_password', ARRAY['text'], 'hash_password(text) is STRICT');
SELECT isnt_strict('auth', 'hash_password', ARRAY['text', 'text', 'jsonb'],
                   'hash_password(text, text, jsonb) is not STRICT (NULL params = defaults)');
SELECT is_strict('auth', 'verify_password', ARRAY['text', 'text'], 'verify_password is STRICT');
SELECT is_strict('auth', 'password_needs_rehash', ARRAY['text'], 'password_needs_rehash is STRICT');

SELECT is(p.proparallel, 's', p.oid::regprocedure || ' is PARALLEL SAFE')
FROM pg_proc p
WHERE p.oid IN ('auth.hash_password(text)'::regprocedure, 'auth.hash_password(text,text,jsonb)'::regprocedure,
                'auth.verify_password(text,text)'::regprocedure, 'auth.password_needs_rehash(text)'::regprocedure)
ORDER BY p.oid::regprocedure::text;

SELECT is((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'auth'::regnamespace
           AND p.proname IN ('hash_password', 'verify_password', 'password_needs_rehash')
           AND obj_description(p.oid, 'pg_proc') IS NOT NULL), 4::bigint,
          'every password function has a comment');
SELECT is((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'auth'::regnamespace
           AND p.proname IN ('hash_password', 'verify_password', 'password_needs_rehash')
           AND p.prosecdef), 0::bigint,
          'no password function is SECURITY DEFINER');

-- the one-argument call resolves to the Argon2id form, without ambiguity
SELECT matches(auth.hash_password('x'), '^\$argon2id\$v=19\$m=19456,t=2,p=1\$',
               'hash_password(''x'') is Argon2id at the default parameters');
SELECT is(auth.hash_password('x', 'bcrypt', '{"cost": 4}') ~ '^\$2b\$04\$', true,
          'hash_password with algorithm and params');

-- An application role: may hash and verify, may not touch the settings.
CREATE ROLE t10_tap_app NOLOGIN NOSUPERUSER;
SELECT ok(has_function_privilege('t10_tap_app', 'auth.hash_password(text)', 'EXECUTE'), 'app role may hash');
SELECT ok(has_function_privilege('t10_tap_app', 'auth.verify_password(text,text)', 'EXECUTE'), 'app role may verify');
SELECT ok(has_function_privilege('t10_tap_app', 'auth.password_needs_rehash(text)', 'EXECUTE'), 'app role may check rehash');
SELECT ok(NOT has_function_privilege('t10_tap_app', 'auth.configure(text,text)', 'EXECUTE'), 'app role may not configure');
SELECT ok(NOT has_function_privilege('t10_tap_app', 'auth.settings()', 'EXECUTE'), 'app role may not list settings');
SELECT ok(NOT has_table_privilege('t10_tap_app', 'auth.config', 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE'),
          'app role has no privilege on auth.config');

SELECT lives_ok($$SELECT auth.configure('password.argon2_iterations', '1')$$, 'superuser configures t');
SELECT lives_ok($$SELECT auth.configure('password.argon2_memory_kib', '64')$$, 'superuser configures m');
SET ROLE t10_tap_app;
SELECT throws_ok($$SELECT auth.configure('password.argon2_iterations', '1000')$$, '42501', NULL,
                 'app role: configure is refused');
SELECT throws_ok($$SELECT auth.configure('password.argon2_max_memory_kib', '4194304')$$, '42501', NULL,
                 'app role: raising a cap is refused');
SELECT throws_ok($$SELECT * FROM auth.config$$, '42501', NULL, 'app role: cannot read auth.config');
SELECT throws_ok($$INSERT INTO auth.config VALUES ('password.argon2_iterations', '1')$$, '42501', NULL,
                 'app role: cannot write auth.config');
SELECT throws_ok($$SELECT * FROM auth.settings()$$, '42501', NULL, 'app role: cannot list settings');
-- placeholders an app can set have no effect on hashing
SELECT is(set_config('password.argon2_iterations', '5', true), '5', 'app role: a look-alike placeholder can be set...');
SELECT throws_ok($$SET auth_ext.argon2_iterations = '5'$$, '42602', 'invalid configuration parameter name "auth_ext.argon2_iterations"',
                 'app role: auth_ext.* is a reserved prefix');
SELECT matches(auth.hash_password('x'), '^\$argon2id\$v=19\$m=64,t=1,p=1\$',
               '...but hashing uses the admin settings, not session settings');
SELECT ok(auth.verify_password('x', auth.hash_password('x')), 'app role: round trip');
SELECT ok(auth.password_needs_rehash('$2b$04$' || repeat('A', 53)), 'app role: bcrypt needs a rehash');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
