-- Step 10: passwords.  Argon2id by default, every format users migrate from.
\echo '-- Hash a password: Argon2id, PHC string, OWASP parameters m=19456 KiB, t=2, p=1, random 16-byte salt.'
SELECT auth.hash_password('correct horse battery staple') AS hash \gset
SELECT :'hash' AS hash;

\echo '-- Verify it: the right password, then a wrong one (constant-time comparison in C).'
SELECT auth.verify_password('correct horse battery staple', :'hash') AS right_password,
       auth.verify_password('Tr0ub4dor&3', :'hash') AS wrong_password;

\echo '-- Is it at the current parameters? (false: nothing to do at sign-in)'
SELECT auth.password_needs_rehash(:'hash') AS needs_rehash;

\echo '-- Import a bcrypt hash from another system (here: the crypt_blowfish reference vector for "U*U").'
SELECT auth.verify_password('U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW') AS bcrypt_import_ok,
       auth.password_needs_rehash('$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW') AS bcrypt_needs_rehash;

\echo '-- Django and better-auth hashes verify too.'
SELECT auth.verify_password('lètmein', 'pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=') AS django,
       auth.verify_password('password123', '165fd145da24c12f6c5195d9cb07e356:e867576db57d1b8c05c01ac1e0b11c2309b07c472b23e979510901c9fc030289e7a98203ecb09dc27ea477ee615f0890f0cb0296d5039c3f99acc53de910f7ea') AS better_auth;

\echo '-- Other algorithms on request, with parameters (bounded by admin caps).'
SELECT left(auth.hash_password('s3cret', 'bcrypt', '{"cost": 10}'), 7) AS bcrypt_prefix,
       left(auth.hash_password('s3cret', 'scrypt', '{"ln": 14}'), 22) AS scrypt_prefix,
       left(auth.hash_password('s3cret', 'pbkdf2-sha256'), 22) AS pbkdf2_prefix;

\echo '-- A hostile stored hash (Argon2 asking for 4 GiB) is refused before any work, with SQLSTATE 22023.'
\set ON_ERROR_STOP 0
SELECT auth.verify_password('x', '$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc');
\set ON_ERROR_STOP 1

\echo '-- The admin (extension owner) changes the cost; existing hashes then need a rehash.'
SELECT auth.configure('password.argon2_iterations', '3');
SELECT auth.password_needs_rehash(:'hash') AS needs_rehash_after_change;
SELECT auth.configure('password.argon2_iterations', NULL);
