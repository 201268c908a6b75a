-- auth.hash_password / verify_password / password_needs_rehash: round trips,
-- rehash policy, every bound, malformed input.  Random salts are never
-- printed: only booleans, formats and error messages.
\set VERBOSITY terse
SET client_min_messages = warning;

-- 'true' / 'false' / 'error:SQLSTATE: message (detail)'
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; d text;
BEGIN
    EXECUTE q INTO r;
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN 'error:' || SQLSTATE || ': ' || SQLERRM || coalesce(' (' || nullif(d, '') || ')', '');
END $$;

-- The defaults are OWASP's; one default-cost hash, then cheap costs for the rest.
SELECT name, value FROM auth.settings() WHERE name LIKE 'password.%' ORDER BY name;
SELECT auth.hash_password('correct horse') AS h \gset
SELECT :'h' ~ '^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$' AS default_format,
       auth.verify_password('correct horse', :'h') AS right_pw,
       auth.verify_password('correct horsf', :'h') AS wrong_pw,
       auth.password_needs_rehash(:'h') AS needs_rehash;
-- two hashes of one password differ (random salt)
SELECT auth.hash_password('x', 'argon2id', '{"m": 64, "t": 1}') <> auth.hash_password('x', 'argon2id', '{"m": 64, "t": 1}') AS salted;

SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
SELECT auth.configure('password.bcrypt_cost', '4');
SELECT auth.configure('password.scrypt_log2_n', '10');
SELECT auth.configure('password.pbkdf2_iterations', '1000');

-- Round trip per algorithm, with the configured defaults and with params.
CREATE TEMP TABLE rt AS
SELECT alg, params, auth.hash_password('pässword ✓', alg, params::jsonb) AS h
FROM (VALUES ('argon2id', NULL), ('argon2id', '{"m": 128, "t": 2, "p": 2}'),
             ('scrypt', NULL), ('scrypt', '{"ln": 4, "r": 2, "p": 3}'),
             ('pbkdf2-sha256', NULL), ('pbkdf2-sha256', '{"i": 2000}'),
             ('bcrypt', NULL), ('bcrypt', '{"cost": 5}')) v(alg, params);
SELECT alg, params,
       CASE WHEN alg = 'bcrypt' THEN regexp_replace(h, '^(\$2b\$\d\d\$).{53}$', '\1<salt+hash>')
            ELSE regexp_replace(h, '\$[^$]*\$[^$]*$', '$<salt>$<hash>') END AS shape,
       auth.verify_password('pässword ✓', h) AS right_pw,
       auth.verify_password('pässword ✗', h) AS wrong_pw,
       auth.verify_password('', h) AS empty_pw,
       auth.password_needs_rehash(h) AS needs_rehash
FROM rt ORDER BY alg, params NULLS FIRST;
-- bcrypt: 22-char salt and 31-char hash after "$2b$NN$"
SELECT h ~ '^\$2b\$04\$[./A-Za-z0-9]{53}$' AS bcrypt_shape FROM rt WHERE alg = 'bcrypt' AND params IS NULL;
-- hash_password(text) resolves to the one-argument Argon2id form
SELECT auth.hash_password('x') LIKE '$argon2id$v=19$m=64,t=1,p=1$%' AS one_arg_is_argon2id;
-- empty and maximal (4096-byte) passwords work
SELECT auth.verify_password('', auth.hash_password('')) AS empty_ok,
       auth.verify_password(repeat('é', 2048), auth.hash_password(repeat('é', 2048))) AS max_ok;

-- crypt(3) formats through libxcrypt: the sha-crypt spec's own examples
-- (also what `openssl passwd -5` gives), and a yescrypt hash
SELECT auth.verify_password('Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5') AS sha256_crypt,
       auth.verify_password('Hello world!', '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.') AS sha512_crypt,
       auth.verify_password('password', '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35rC') AS yescrypt,
       auth.verify_password('Hello world?', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5') AS sha256_wrong,
       auth.verify_password('passwore', '$y$j9T$F5Jx5fExrKuPp53xLKQ..1$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35rC') AS yescrypt_wrong;
-- better-auth salthex:keyhex, made by better-auth's hashPassword (the live
-- interop is test/interop/10_password.test.mjs).  better-auth NFKC-normalises
-- the password: the full-width one equals its NFKC form "Password1".
SELECT auth.verify_password('password123', '165fd145da24c12f6c5195d9cb07e356:e867576db57d1b8c05c01ac1e0b11c2309b07c472b23e979510901c9fc030289e7a98203ecb09dc27ea477ee615f0890f0cb0296d5039c3f99acc53de910f7ea') AS better_auth,
       auth.verify_password('password124', '165fd145da24c12f6c5195d9cb07e356:e867576db57d1b8c05c01ac1e0b11c2309b07c472b23e979510901c9fc030289e7a98203ecb09dc27ea477ee615f0890f0cb0296d5039c3f99acc53de910f7ea') AS better_auth_wrong,
       auth.verify_password('Ｐａｓｓｗｏｒｄ①', '7b087cc8e410e1680fc8f6aa05b0a3b0:f691ed7c4c0b6f946ebc5a3466b38afb7f173a972274aaa780a8b2a646ce598cb8d1a9cac47127270ae2d3e12cab9107b44013f77c18b8aa0c8ba4e5367aef04') AS better_auth_fullwidth,
       auth.verify_password('Password1', '7b087cc8e410e1680fc8f6aa05b0a3b0:f691ed7c4c0b6f946ebc5a3466b38afb7f173a972274aaa780a8b2a646ce598cb8d1a9cac47127270ae2d3e12cab9107b44013f77c18b8aa0c8ba4e5367aef04') AS better_auth_nfkc_equal;

-- needs_rehash: only Argon2id v1.3 at exactly the configured m, t, p
SELECT h, auth.password_needs_rehash(h) AS needs_rehash FROM (VALUES
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),   -- current
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$' || repeat('A', 43)),               -- 8-byte salt
  ('$argon2id$v=19$m=32,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),   -- weaker m
  ('$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),   -- other t
  ('$argon2id$v=19$m=64,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),   -- other p
  ('$argon2id$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),        -- v1.0
  ('$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),    -- argon2i
  ('$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),    -- argon2d
  ('$2b$04$' || repeat('A', 53)),
  ('$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'),
  ('$y$j9T$F5Jx5fExrKuPp53xLKQ..1$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35rC'),
  ('$scrypt$ln=10,r=8,p=1$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),
  ('$pbkdf2-sha256$1000$c29tZXNhbHRzb21lc2FsdA$' || repeat('A', 43)),
  ('pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY='),
  ('0123456789abcdef0123456789abcdef:' || repeat('ab', 64))
) v(h);
-- a stronger configured default makes existing hashes stale
SELECT auth.hash_password('x') AS cur \gset
SELECT auth.password_needs_rehash(:'cur') AS before_change;
SELECT auth.configure('password.argon2_iterations', '2');
SELECT auth.password_needs_rehash(:'cur') AS after_change;
SELECT auth.configure('password.argon2_iterations', '1');

-- Bounds, each checked before any work, each with SQLSTATE 22023.
-- passwords: 4096 bytes is the limit, never truncated
SELECT pg_temp.try($$SELECT auth.hash_password(repeat('a', 4097))$$) AS hash_4097;
SELECT pg_temp.try(format('SELECT auth.verify_password(%L, %L)', repeat('a', 4097), auth.hash_password('a'))) AS verify_4097;
SELECT pg_temp.try($$SELECT auth.hash_password(repeat('é', 2049), 'scrypt')$$) AS multibyte_4098;
-- bcrypt hashing refuses what bcrypt would silently ignore (> 72 bytes)
SELECT pg_temp.try($$SELECT auth.hash_password(repeat('a', 73), 'bcrypt')$$) AS bcrypt_73;
SELECT auth.verify_password(repeat('a', 72), auth.hash_password(repeat('a', 72), 'bcrypt')) AS bcrypt_72;
-- ...while verifying an existing bcrypt hash follows bcrypt's 72-byte rule
SELECT auth.verify_password(repeat('a', 72) || 'anything', auth.hash_password(repeat('a', 72), 'bcrypt')) AS bcrypt_verify_reads_72;
-- Argon2: m, t, p caps (defaults 262144 KiB, 16, 16)
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc')$$) AS argon2_m_4gib;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=262145,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc')$$) AS argon2_m_cap_plus_1;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=64,t=17,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc')$$) AS argon2_t_17;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=256,t=1,p=17$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc')$$) AS argon2_p_17;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=64,t=4294967295,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc')$$) AS argon2_t_max;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"m": 262145}')$$) AS hash_argon2_m_over_cap;
-- a lower cap applies at once (the work below would otherwise be cheap)
SELECT auth.configure('password.argon2_max_memory_kib', '128');
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=256,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc')$$) AS argon2_m_lowered_cap;
SELECT auth.configure('password.argon2_max_memory_kib', NULL);
-- bcrypt: cost cap 16 (and a lowered one)
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$2b$17$' || repeat('A', 53))$$) AS bcrypt_cost_17;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$2b$31$' || repeat('A', 53))$$) AS bcrypt_cost_31;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'bcrypt', '{"cost": 17}')$$) AS hash_bcrypt_17;
SELECT auth.configure('password.bcrypt_max_cost', '4');
SELECT pg_temp.try($$SELECT auth.verify_password('U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')$$) AS bcrypt_lowered_cap;
SELECT auth.configure('password.bcrypt_max_cost', NULL);
-- scrypt: 128*N*r memory cap (256 MiB) and p cap (16)
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$scrypt$ln=20,r=8,p=1$c2FsdA$' || repeat('A', 43))$$) AS scrypt_1gib;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$scrypt$ln=63,r=1073741823,p=1$c2FsdA$' || repeat('A', 43))$$) AS scrypt_huge;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$scrypt$ln=4,r=1,p=17$c2FsdA$' || repeat('A', 43))$$) AS scrypt_p_17;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'scrypt', '{"ln": 18, "r": 16}')$$) AS hash_scrypt_512mib;
SELECT auth.configure('password.scrypt_max_memory_kib', '64');
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$scrypt$ln=10,r=1,p=1$c2FsdA$' || repeat('A', 43))$$) AS scrypt_lowered_cap;
SELECT auth.configure('password.scrypt_max_memory_kib', NULL);
-- better-auth's fixed N=16384, r=16 is 32 MiB: under a lower cap it is refused too
SELECT auth.configure('password.scrypt_max_memory_kib', '1024');
SELECT pg_temp.try($$SELECT auth.verify_password('x', '0123456789abcdef0123456789abcdef:' || repeat('ab', 64))$$) AS better_auth_lowered_cap;
SELECT auth.configure('password.scrypt_max_memory_kib', NULL);
-- yescrypt: same memory cap (N=2^30, r=32: 4 TiB)
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$y$jRT$F5Jx5fExrKuPp53xLKQ..1$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35rC')$$) AS yescrypt_4tib;
-- PBKDF2: 10,000,000 iterations (and a lowered cap)
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$pbkdf2-sha256$10000001$c2FsdA$' || repeat('A', 43))$$) AS pbkdf2_passlib_10m_plus_1;
SELECT pg_temp.try($$SELECT auth.verify_password('x', 'pbkdf2_sha256$4294967295$salt$' || repeat('A', 43) || '=')$$) AS pbkdf2_django_max;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$pbkdf2-sha256$i=10000001,l=32$c2FsdA$' || repeat('A', 43))$$) AS pbkdf2_phc_10m_plus_1;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'pbkdf2-sha256', '{"i": 10000001}')$$) AS hash_pbkdf2_over_cap;
SELECT auth.configure('password.pbkdf2_max_iterations', '100');
SELECT pg_temp.try($$SELECT auth.verify_password('lètmein', 'pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=')$$) AS pbkdf2_lowered_cap;
SELECT auth.configure('password.pbkdf2_max_iterations', NULL);
-- sha-crypt rounds cap (1,000,000)
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$6$rounds=1000001$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.')$$) AS sha512_rounds_over_cap;
-- salt and hash lengths; a whole hash string over 1024 bytes is not even scanned
SELECT pg_temp.try(format('SELECT auth.verify_password(%L, %L)', 'x', '$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$' || repeat('A', 1000))) AS hash_1041_bytes;
SELECT pg_temp.try(format('SELECT auth.password_needs_rehash(%L)', repeat('ab', 600))) AS rehash_1200_bytes;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAA')$$) AS argon2_tag_8_bytes;
SELECT pg_temp.try(format('SELECT auth.verify_password(%L, %L)', 'x', '$argon2id$v=19$m=64,t=1,p=1$' || repeat('A', 200) || '$' || repeat('A', 43))) AS argon2_salt_150_bytes;
SELECT pg_temp.try(format('SELECT auth.verify_password(%L, %L)', 'x', '$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$' || repeat('A', 100))) AS argon2_tag_75_bytes;
SELECT pg_temp.try($$SELECT auth.verify_password('x', '$argon2id$v=19$m=64,t=1,p=1$c2FsdA$' || repeat('A', 43))$$) AS argon2_salt_4_bytes;
-- parameters of new hashes are checked too
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"m": 7}')$$) AS hash_argon2_m_7;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"t": 0}')$$) AS hash_argon2_t_0;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'bcrypt', '{"cost": 3}')$$) AS hash_bcrypt_3;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'scrypt', '{"ln": 0}')$$) AS hash_scrypt_ln_0;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"m": 1.5}')$$) AS hash_fraction;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"m": "64"}')$$) AS hash_string_param;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"m": -1}')$$) AS hash_negative;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '{"memory": 64}')$$) AS hash_unknown_param;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'argon2id', '[64]')$$) AS hash_params_array;
SELECT pg_temp.try($$SELECT auth.hash_password('x', 'md5')$$) AS hash_unknown_algorithm;
-- settings are bounded too
SELECT pg_temp.try($$SELECT auth.configure('password.bcrypt_cost', '3')$$) AS setting_out_of_range;

-- Malformed and unknown hashes: 22023 each, never false, never a crash
SELECT h AS malformed, pg_temp.try(format('SELECT auth.verify_password(%L, %L)', 'x', h)) AS result FROM (VALUES
  (''), ('x'), ('$'), ('$$'), ('plaintext'), ('$1$saltsalt$hash'), ('*0'), ('$argon2id$'),
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ'),
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$extra'),
  ('$argon2id$v=18$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=+64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=8,t=1,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP'),   -- truncated: 1 char left over
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPd'),  -- non-zero trailing bits
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'), -- padding
  ('$argon2id$v=19$m=64,t=1,p=1$c29tZX-hbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),  -- url alphabet
  ('$argon2id$v=19$m=64,t=1,p=1,keyid=abc$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$argon2x$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'),
  ('$2b$04$' || repeat('A', 52)), ('$2b$04$' || repeat('A', 54)), ('$2b$4$' || repeat('A', 54)),
  ('$2b$04$' || repeat('A', 52) || '!'), ('$2x$04$' || repeat('A', 53)), ('$2c$04$' || repeat('A', 53)),
  ('$2b$03$' || repeat('A', 53)), ('$2b$32$' || repeat('A', 53)), ('$2b$ab$' || repeat('A', 53)),
  ('$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc'),
  ('$5$rounds=0$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'),
  ('$5$rounds=abc$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'),
  ('$5$saltstringsaltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'),
  ('$6$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'),
  ('$y$j9T$F5Jx5fExrKuPp53xLKQ..1$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35r'),
  ('$y$$F5Jx5fExrKuPp53xLKQ..1$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35rC'),
  ('$y$j9T$$tnSYvahCwPBHKZUspmcxMfb0.WiB9W.zEaKlOBL35rC'),
  ('$scrypt$ln=10,r=8$c2FsdA$' || repeat('A', 43)),
  ('$scrypt$ln=0,r=8,p=1$c2FsdA$' || repeat('A', 43)),
  ('$scrypt$ln=10,r=0,p=1$c2FsdA$' || repeat('A', 43)),
  ('$scrypt$ln=10,r=8,p=1$c2FsdA$' || repeat('A', 10)),
  ('$scrypt$ln=10,r=8,p=1$c2Fsd$' || repeat('A', 43)),
  ('$pbkdf2-sha256$0$c2FsdA$' || repeat('A', 43)),
  ('$pbkdf2-sha256$1000$c2FsdA$' || repeat('A', 42) || '+'),
  ('$pbkdf2-sha256$i=1000,l=31$c2FsdA$' || repeat('A', 43)),
  ('$pbkdf2-sha256$i=1000,l=32,x=1$c2FsdA$' || repeat('A', 43)),
  ('pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY'),
  ('pbkdf2_sha256$30000$$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY='),
  ('pbkdf2_sha256$30000$sea salt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY='),
  ('pbkdf2_sha1$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY='),
  ('0123456789abcdef:' || repeat('ab', 63)),
  (':' || repeat('ab', 64)),
  ('0123456789abcdef:' || repeat('ab', 64) || ':ab'),
  ('0123456789abcdeg:' || repeat('ab', 64))
) v(h);

-- STRICT: NULL in, NULL out
SELECT auth.verify_password(NULL, 'x') IS NULL AS v1, auth.verify_password('x', NULL) IS NULL AS v2,
       auth.hash_password(NULL) IS NULL AS h1, auth.hash_password(NULL, 'bcrypt') IS NULL AS h2,
       auth.hash_password('x', NULL) IS NULL AS h3, auth.password_needs_rehash(NULL) IS NULL AS r1;
-- a NULL params is "the configured defaults"
SELECT auth.hash_password('x', 'bcrypt', NULL) LIKE '$2b$04$%' AS null_params_default;

-- back to the defaults
SELECT auth.configure(name, NULL) FROM auth.settings() WHERE name LIKE 'password.%';
SELECT count(*) AS password_rows_left FROM auth.config WHERE name LIKE 'password.%';
