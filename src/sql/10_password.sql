-- Passwords: hashing (Argon2id by default), verification of every format
-- users migrate from, and the rehash check.  Costs and caps are admin
-- settings (auth.configure), out of reach of application roles.

CREATE FUNCTION auth.hash_password(password pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_hash_password';
COMMENT ON FUNCTION auth.hash_password(pg_catalog.text) IS
    'Argon2id PHC string of the password, at the configured parameters, with a random 16-byte salt';

-- Not STRICT: a NULL params means "the configured defaults" (the C function
-- still returns NULL for a NULL password or algorithm).
CREATE FUNCTION auth.hash_password(password pg_catalog.text, algorithm pg_catalog.text, params pg_catalog.jsonb DEFAULT NULL::pg_catalog.jsonb) RETURNS pg_catalog.text
    LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_hash_password_with';
COMMENT ON FUNCTION auth.hash_password(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
    'hash with argon2id {m,t,p}, scrypt {ln,r,p}, pbkdf2-sha256 {i} or bcrypt {cost}; params override the configured defaults, within the caps';

CREATE FUNCTION auth.verify_password(password pg_catalog.text, hash pg_catalog.text) RETURNS pg_catalog.bool
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_verify_password';
COMMENT ON FUNCTION auth.verify_password(pg_catalog.text, pg_catalog.text) IS
    'true if the password matches the hash (argon2, bcrypt, crypt(3), scrypt, pbkdf2-sha256, better-auth); 22023 for an unknown, malformed or over-limit hash';

CREATE FUNCTION auth.password_needs_rehash(hash pg_catalog.text) RETURNS pg_catalog.bool
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_password_needs_rehash';
COMMENT ON FUNCTION auth.password_needs_rehash(pg_catalog.text) IS
    'true unless the hash is Argon2id at exactly the configured parameters';
