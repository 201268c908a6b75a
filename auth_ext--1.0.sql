/* auth_ext--1.0.sql: the 1.0 release, frozen.  Never edit this file.
 *
 * It was assembled once by make from the files in src/sql as they stood at
 * 1.0 and is kept as released, so CREATE EXTENSION auth_ext VERSION '1.0'
 * followed by the upgrade scripts (auth_ext--1.0--1.1.sql, ...) rebuilds what
 * older installations have.  The newest version's full script is generated
 * from the files in src/sql; every change there needs an upgrade script.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION auth_ext" to load this file. \quit

-- ---- src/sql/00_base.sql ----
-- Base objects of auth_ext: admin settings and cache invalidation.
--
-- Settings live in auth.config and are changed only through auth.configure(),
-- which is granted to the role that ran CREATE EXTENSION (the database owner
-- on managed Postgres) and never to PUBLIC.  SET / set_config() cannot touch
-- them: they are not GUCs.

COMMENT ON SCHEMA auth IS 'auth_ext: passwords, tokens, identity, accounts';
GRANT USAGE ON SCHEMA auth TO PUBLIC;

CREATE FUNCTION auth._invalidate_cache() RETURNS trigger
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_invalidate_cache';
COMMENT ON FUNCTION auth._invalidate_cache() IS
    'statement trigger: tells every backend that a cached auth_ext table changed';
REVOKE ALL ON FUNCTION auth._invalidate_cache() FROM PUBLIC;

CREATE TABLE auth.config (
    name  text PRIMARY KEY,
    value text NOT NULL
);
COMMENT ON TABLE auth.config IS
    'admin settings of auth_ext; change them with auth.configure(name, value)';
REVOKE ALL ON auth.config FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.config', '');

CREATE TRIGGER config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.config
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth._check_setting(name text, value text) RETURNS text
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_check_setting';
REVOKE ALL ON FUNCTION auth._check_setting(text, text) FROM PUBLIC;

CREATE FUNCTION auth.settings(
    OUT name text, OUT value text, OUT default_value text, OUT description text)
    RETURNS SETOF record
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_settings';
COMMENT ON FUNCTION auth.settings() IS 'every auth_ext setting with its current value';
-- Lockout and cost policy are nobody else's business.
REVOKE ALL ON FUNCTION auth.settings() FROM PUBLIC;

-- configure(name, NULL) returns a setting to its default.
CREATE FUNCTION auth.configure(name text, value text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM auth.settings() s WHERE s.name OPERATOR(pg_catalog.=) configure.name) THEN
        RAISE EXCEPTION 'unknown auth_ext setting "%"', name
            USING ERRCODE = '42704', HINT = 'SELECT name FROM auth.settings() lists them.';
    END IF;
    IF value IS NULL THEN
        DELETE FROM auth.config c WHERE c.name OPERATOR(pg_catalog.=) configure.name;
    ELSE
        INSERT INTO auth.config AS c (name, value)
            VALUES (configure.name, auth._check_setting(configure.name, configure.value))
            ON CONFLICT ON CONSTRAINT config_pkey DO UPDATE SET value = excluded.value;
    END IF;
END
$$;
COMMENT ON FUNCTION auth.configure(text, text) IS
    'change an auth_ext admin setting (NULL restores the default); for the extension owner only';
REVOKE ALL ON FUNCTION auth.configure(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.configure(text, text) TO @extowner@;
-- The owner may also read and write the table itself, so that pg_dump/pg_restore run by a
-- database owner who is not superuser (Neon) carry the settings; a row the C registry
-- does not accept is ignored with a WARNING when the settings are loaded.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.config TO @extowner@;
GRANT EXECUTE ON FUNCTION auth.settings() TO @extowner@;

-- ---- src/sql/10_password.sql ----
-- Passwords: hashing (Argon2id by default), verification of every format
-- users migrate from, and the rehash check.  Costs and caps are admin
-- settings (auth.configure), out of reach of application roles.

CREATE FUNCTION auth.hash_password(password text) RETURNS text
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_hash_password';
COMMENT ON FUNCTION auth.hash_password(text) IS
    'Argon2id PHC string of the password, at the configured parameters, with a random 16-byte salt';

-- Not STRICT: a NULL params means "the configured defaults" (the C function
-- still returns NULL for a NULL password or algorithm).
CREATE FUNCTION auth.hash_password(password text, algorithm text, params jsonb DEFAULT NULL) RETURNS text
    LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_hash_password_with';
COMMENT ON FUNCTION auth.hash_password(text, text, jsonb) IS
    'hash with argon2id {m,t,p}, scrypt {ln,r,p}, pbkdf2-sha256 {i} or bcrypt {cost}; params override the configured defaults, within the caps';

CREATE FUNCTION auth.verify_password(password text, hash text) RETURNS boolean
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_verify_password';
COMMENT ON FUNCTION auth.verify_password(text, text) IS
    'true if the password matches the hash (argon2, bcrypt, crypt(3), scrypt, pbkdf2-sha256, better-auth); 22023 for an unknown, malformed or over-limit hash';

CREATE FUNCTION auth.password_needs_rehash(hash text) RETURNS boolean
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_password_needs_rehash';
COMMENT ON FUNCTION auth.password_needs_rehash(text) IS
    'true unless the hash is Argon2id at exactly the configured parameters';

-- ---- src/sql/20_tokens.sql ----
-- Tokens: JWS/JWT signing and verification, and the keyring (auth.keys).
--
-- Parallel safety: every function that may (re)load the per-backend caches
-- of auth.config or auth.keys is PARALLEL UNSAFE, because loading reads the
-- table with a fresh snapshot, which PostgreSQL forbids in parallel mode
-- ("cannot update SecondarySnapshot during a parallel operation").
--
-- auth.keys holds private material: no application role may read it
-- (REVOKE ALL FROM PUBLIC).  C code reads it without permission checks into
-- a per-backend cache that the statement trigger below invalidates in every
-- backend at commit.  Keys change only through the SECURITY DEFINER
-- functions create_key/import_jwk(s)/retire_key, granted to the extension
-- owner only.

CREATE TABLE auth.keys (
    kid         text PRIMARY KEY CHECK (kid OPERATOR(pg_catalog.<>) ''),
    algorithm   text NOT NULL CHECK (algorithm IN ('HS256', 'HS384', 'HS512',
                    'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
                    'ES256', 'ES384', 'ES512', 'EdDSA')),
    public_jwk  jsonb NOT NULL,
    private_key bytea,
    verify_only boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    retired_at  timestamptz
);
COMMENT ON TABLE auth.keys IS
    'JWS keys: public JWK, private material (PKCS#8 PEM or HMAC secret), retirement; the signing key is the newest active key with private material that was not imported';
-- Private key material: never readable by application roles.
REVOKE ALL ON auth.keys FROM PUBLIC;
-- The extension owner administers keys and must be able to back them up
-- (pg_dump reads the rows, pg_restore inserts them).
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.keys TO @extowner@;
SELECT pg_catalog.pg_extension_config_dump('auth.keys', '');

CREATE TRIGGER keys_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.keys
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth._make_key(algorithm text, jwk jsonb,
    OUT kid text, OUT alg text, OUT public_jwk jsonb, OUT private_key bytea)
    RETURNS record
    LANGUAGE C VOLATILE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_make_key';
COMMENT ON FUNCTION auth._make_key(text, jsonb) IS
    'internal: a new key (jwk NULL) or a parsed JWK, as a row for auth.keys';
-- Internal helper of the key-management functions.
REVOKE ALL ON FUNCTION auth._make_key(text, jsonb) FROM PUBLIC;

CREATE FUNCTION auth.create_key(algorithm text DEFAULT 'EdDSA') RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    k record;
BEGIN
    SELECT * INTO STRICT k FROM auth._make_key(create_key.algorithm, NULL);
    INSERT INTO auth.keys (kid, algorithm, public_jwk, private_key, verify_only)
        VALUES (k.kid, k.alg, k.public_jwk, k.private_key, false);
    RETURN k.kid;
END
$$;
COMMENT ON FUNCTION auth.create_key(text) IS
    'generate a key for algorithm (default EdDSA); it becomes the signing key; returns its kid';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.create_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.create_key(text) TO @extowner@;

CREATE FUNCTION auth.import_jwk(jwk jsonb) RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    k record;
    existing jsonb;
BEGIN
    SELECT * INTO STRICT k FROM auth._make_key(NULL, import_jwk.jwk);
    SELECT public_jwk INTO existing FROM auth.keys WHERE kid OPERATOR(pg_catalog.=) k.kid;
    IF FOUND THEN
        IF existing OPERATOR(pg_catalog.=) k.public_jwk THEN
            RETURN k.kid;       -- the same key again: nothing to do
        END IF;
        RAISE EXCEPTION 'a different key with kid "%" exists', k.kid
            USING ERRCODE = '23505', HINT = 'Retire or delete it first, or give the JWK another kid.';
    END IF;
    INSERT INTO auth.keys (kid, algorithm, public_jwk, private_key, verify_only)
        VALUES (k.kid, k.alg, k.public_jwk, k.private_key, true);
    RETURN k.kid;
END
$$;
COMMENT ON FUNCTION auth.import_jwk(jsonb) IS
    'import a verify-only JWK of another issuer (kid from the JWK or its RFC 7638 thumbprint); returns its kid';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.import_jwk(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.import_jwk(jsonb) TO @extowner@;

CREATE FUNCTION auth.import_jwks(jwks jsonb) RETURNS SETOF text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    k jsonb;
BEGIN
    IF pg_catalog.jsonb_typeof(jwks OPERATOR(pg_catalog.->) 'keys') IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'a JWKS is an object with a "keys" array'
            USING ERRCODE = '22023';
    END IF;
    FOR k IN SELECT pg_catalog.jsonb_array_elements(jwks OPERATOR(pg_catalog.->) 'keys') LOOP
        RETURN NEXT auth.import_jwk(k);
    END LOOP;
END
$$;
COMMENT ON FUNCTION auth.import_jwks(jsonb) IS
    'import every key of a JWKS (all or none); returns their kids';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.import_jwks(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.import_jwks(jsonb) TO @extowner@;

CREATE FUNCTION auth.retire_key(kid text) RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
BEGIN
    UPDATE auth.keys k SET retired_at = pg_catalog.now()
        WHERE k.kid OPERATOR(pg_catalog.=) retire_key.kid AND k.retired_at IS NULL;
    IF NOT FOUND AND NOT EXISTS (SELECT FROM auth.keys k WHERE k.kid OPERATOR(pg_catalog.=) retire_key.kid) THEN
        RAISE EXCEPTION 'no key with kid "%"', kid USING ERRCODE = '42704';
    END IF;
END
$$;
COMMENT ON FUNCTION auth.retire_key(text) IS
    'retire a key: tokens signed with it stop verifying at once in every session';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.retire_key(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.retire_key(text) TO @extowner@;

CREATE FUNCTION auth.jwks() RETURNS jsonb
    LANGUAGE C STABLE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwks';
COMMENT ON FUNCTION auth.jwks() IS
    'public JWKS (RFC 7517) of our active asymmetric keys (not HMAC, not imported), for others to verify our tokens';

CREATE FUNCTION auth.jws_verify(token text, key text, algorithms text[]) RETURNS bytea
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jws_verify';
COMMENT ON FUNCTION auth.jws_verify(text, text, text[]) IS
    'check a compact JWS signature with an explicit key (HMAC secret, PEM or JWK); returns the payload bytes';

CREATE FUNCTION auth._verify_signature(algorithm text, key text, message bytea, signature bytea)
    RETURNS boolean
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_verify_signature';
COMMENT ON FUNCTION auth._verify_signature(text, text, bytea, bytea) IS
    'internal: the JWS signature layer alone on any message (for known-answer tests)';
-- Internal test surface; not part of the API.
REVOKE ALL ON FUNCTION auth._verify_signature(text, text, bytea, bytea) FROM PUBLIC;

CREATE FUNCTION auth.jwt_decode(token text, key text, algorithms text[] DEFAULT '{HS256}') RETURNS jsonb
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_decode';
COMMENT ON FUNCTION auth.jwt_decode(text, text, text[]) IS
    'verify a JWT with an explicit key: signature, exp (required), nbf, iat; returns the claims';

CREATE FUNCTION auth.jwt_decode_unverified(token text) RETURNS jsonb
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_decode_unverified';
COMMENT ON FUNCTION auth.jwt_decode_unverified(text) IS
    'header and payload of a token WITHOUT any verification, for debugging';

CREATE FUNCTION auth.jwt_encode(claims jsonb, key text, algorithm text DEFAULT 'HS256',
    header jsonb DEFAULT NULL) RETURNS text
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_encode';
COMMENT ON FUNCTION auth.jwt_encode(jsonb, text, text, jsonb) IS
    'sign claims as given with an explicit key (HMAC secret of 32+ bytes, PEM or JWK)';

CREATE FUNCTION auth.jwt_sign(claims jsonb) RETURNS text
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_sign';
COMMENT ON FUNCTION auth.jwt_sign(jsonb) IS
    'sign claims with the keyring''s signing key, adding iat, exp, jti and the configured iss/aud';
-- Minting tokens is the server's job (sign-in), not an application role's.
REVOKE ALL ON FUNCTION auth.jwt_sign(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.jwt_sign(jsonb) TO @extowner@;

CREATE FUNCTION auth.jwt_verify(token text) RETURNS jsonb
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_verify';
COMMENT ON FUNCTION auth.jwt_verify(text) IS
    'verify a token against the keyring (signature, exp, nbf, iat, iss, aud, revocation), set the identity of the current transaction, return the claims';

CREATE FUNCTION auth.jwt_session_init(token text) RETURNS jsonb
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_verify';
COMMENT ON FUNCTION auth.jwt_session_init(text) IS
    'pg_session_jwt name of auth.jwt_verify()';

-- A fresh extension can sign at once.
SELECT auth.create_key();

-- ---- src/sql/30_identity.sql ----
-- Identity of the current transaction and row-level security (identity area).
--
-- auth.jwt_verify() (tokens area) leaves the verified claims in the
-- transaction; the readers below are the only way to see them.  They are
-- C functions (calling one loads the library, which discards any forged
-- auth_ext.* placeholder) declared STABLE PARALLEL SAFE, so a policy in
-- the form  col = (SELECT auth.user_id())  is an InitPlan evaluated once.

CREATE FUNCTION auth.user_id() RETURNS text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_user_id';
COMMENT ON FUNCTION auth.user_id() IS
    'sub claim of the token verified in this transaction; NULL when anonymous';

CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_uid';
COMMENT ON FUNCTION auth.uid() IS
    'sub claim as a uuid; NULL when anonymous or when sub is not a uuid';

CREATE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_claims';
COMMENT ON FUNCTION auth.jwt() IS
    'claims of the token verified in this transaction; NULL when anonymous';

CREATE FUNCTION auth.session() RETURNS jsonb
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_claims';
COMMENT ON FUNCTION auth.session() IS
    'claims of the token verified in this transaction (pg_session_jwt name of auth.jwt()); NULL when anonymous';

CREATE FUNCTION auth.role() RETURNS text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_role';
COMMENT ON FUNCTION auth.role() IS
    'role claim of the token verified in this transaction; NULL when anonymous or absent';

CREATE FUNCTION auth.email() RETURNS text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_email';
COMMENT ON FUNCTION auth.email() IS
    'email claim of the token verified in this transaction; NULL when anonymous or absent';

-- Never writes: works in READ ONLY transactions (PostgREST's GETs) and on standbys.
CREATE FUNCTION auth.pre_request() RETURNS void
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_pre_request';
COMMENT ON FUNCTION auth.pre_request() IS
    'PostgREST db-pre-request: verifies the bearer token of request.headers (or the identity.cookie_name cookie); no token = anonymous, bad token = PT401';

-- SECURITY INVOKER: ALTER TABLE and CREATE POLICY need the caller to own the
-- table, so PostgreSQL's own checks decide who may run it; no REVOKE needed.
CREATE FUNCTION auth.enable_user_isolation(tbl regclass, owner_column name DEFAULT 'user_id')
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = ''
    AS $$
DECLARE
    col_type oid;
    col_num  int2;
    reader   text;
    pol      name;
BEGIN
    SELECT a.atttypid, a.attnum INTO col_type, col_num
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) tbl
       AND a.attname OPERATOR(pg_catalog.=) owner_column
       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of relation % does not exist', owner_column, tbl
            USING ERRCODE = '42703';
    END IF;

    -- The InitPlan form: (SELECT ...) is evaluated once per query, not per row,
    -- and compares to the bare column, so the index on it is used.
    IF col_type OPERATOR(pg_catalog.=) 'pg_catalog.uuid'::pg_catalog.regtype THEN
        reader := '(SELECT auth.uid())';
    ELSIF col_type OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.text'::pg_catalog.regtype,
                                                     'pg_catalog.varchar'::pg_catalog.regtype]) THEN
        reader := '(SELECT auth.user_id())';
    ELSE
        RAISE EXCEPTION 'owner column "%" of relation % has type %', owner_column, tbl, col_type::pg_catalog.regtype
            USING ERRCODE = '42804',
                  HINT = 'The owner column must be uuid (compared to auth.uid()) or text (compared to auth.user_id()).';
    END IF;

    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);

    -- Re-running replaces the four policies (e.g. after a change of owner column).
    FOR pol IN SELECT p.polname FROM pg_catalog.pg_policy p
                WHERE p.polrelid OPERATOR(pg_catalog.=) tbl
                  AND p.polname OPERATOR(pg_catalog.=) ANY (ARRAY['auth_isolation_select', 'auth_isolation_insert',
                                                                  'auth_isolation_update', 'auth_isolation_delete']) LOOP
        EXECUTE pg_catalog.format('DROP POLICY %I ON %s', pol, tbl);
    END LOOP;
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_select ON %s FOR SELECT USING (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader);
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_insert ON %s FOR INSERT WITH CHECK (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader);
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_update ON %s FOR UPDATE USING (%I OPERATOR(pg_catalog.=) %s) WITH CHECK (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader, owner_column, reader);
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_delete ON %s FOR DELETE USING (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader);

    -- An index whose first key column is the owner column serves the policy.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index i
                    WHERE i.indrelid OPERATOR(pg_catalog.=) tbl
                      AND i.indkey[0] OPERATOR(pg_catalog.=) col_num
                      AND i.indpred IS NULL) THEN
        EXECUTE pg_catalog.format('CREATE INDEX ON %s (%I)', tbl, owner_column);
    END IF;
END
$$;
COMMENT ON FUNCTION auth.enable_user_isolation(regclass, name) IS
    'enable and force RLS on tbl with one policy per verb: owner_column = (SELECT auth.uid()) (uuid) or (SELECT auth.user_id()) (text); creates an index on owner_column if none leads with it; idempotent';

-- ---- src/sql/40_accounts.sql ----
-- Accounts (area 40): users, sign-up, sign-in, sign-out, revocation, lockout.
--
-- The account functions speak the todo app's HTTP contract: they return the
-- JSON body and set PostgREST's response.status instead of raising for the
-- expected failures, so that a failed sign-in commits its failure count.
-- They are SECURITY DEFINER (application roles never read password hashes,
-- failure counts or revocations) with an empty search_path.

-- ---- users ----------------------------------------------------------------

CREATE TABLE auth.users (
    id            uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    -- Stored lowercase, so the unique constraint is case-insensitive and
    -- race-free: two concurrent sign-ups of one email cannot both commit.
    email         text NOT NULL
                  CONSTRAINT users_email_key UNIQUE
                  CONSTRAINT users_email_check
                  CHECK (email OPERATOR(pg_catalog.=) pg_catalog.lower(email)
                         AND pg_catalog.octet_length(email) OPERATOR(pg_catalog.<=) 254),
    name          text NOT NULL
                  CONSTRAINT users_name_check
                  CHECK (name OPERATOR(pg_catalog.=) pg_catalog.btrim(name)
                         AND pg_catalog.char_length(name) OPERATOR(pg_catalog.>=) 1
                         AND pg_catalog.char_length(name) OPERATOR(pg_catalog.<=) 100),
    -- NULL: the account has no password (sign-in always fails, at full cost).
    password_hash text,
    created_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE auth.users IS
    'accounts of auth_ext: email (lowercase, unique), name, password hash';
-- Application roles never read password hashes; they go through the functions.
REVOKE ALL ON auth.users FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.users', '');

CREATE FUNCTION auth._users_touch() RETURNS trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = ''
    AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION auth._users_touch() IS 'row trigger: keeps auth.users.updated_at current';
REVOKE ALL ON FUNCTION auth._users_touch() FROM PUBLIC;

CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users
    FOR EACH ROW EXECUTE FUNCTION auth._users_touch();

-- ---- revocations ----------------------------------------------------------

-- One table, one text key, so that auth_revocation_check() finds both kinds
-- of row in a single index scan (key = ANY('{jti:<jti>,sub:<sub>}')):
--   jti:<jti>  the token was signed out; kept until it expired (purged by
--              later sign-outs one day after its exp, a margin over any leeway)
--   sub:<sub>  every token of the user with iat <= not_before is revoked
--              (sign-out everywhere); kept as long as the user exists
CREATE TABLE auth.revocations (
    key         text PRIMARY KEY,
    not_before  bigint,
    expires_at  timestamptz,
    CONSTRAINT revocations_kind_check CHECK (
        (key LIKE 'jti:%' AND not_before IS NULL AND expires_at IS NOT NULL)
        OR (key LIKE 'sub:%' AND not_before IS NOT NULL AND expires_at IS NULL))
);
CREATE INDEX revocations_expires_at_idx ON auth.revocations (expires_at)
    WHERE expires_at IS NOT NULL;
COMMENT ON TABLE auth.revocations IS
    'revoked tokens (jti:<jti>) and users signed out everywhere (sub:<sub>)';
-- Read by C without permission checks; nobody else needs it.
REVOKE ALL ON auth.revocations FROM PUBLIC;
-- Every backend forgets the tokens it found not revoked when this changes.
CREATE TRIGGER revocations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.revocations
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();
-- A dump must not bring revoked tokens back to life.
SELECT pg_catalog.pg_extension_config_dump('auth.revocations', '');

-- The key of a jti or sub in auth.revocations; values over 200 bytes are
-- keyed by their SHA-256, so that no token has a key too long for the
-- index.  revocation.c computes the same.
CREATE FUNCTION auth._revocation_key(prefix text, value text) RETURNS text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = ''
    AS $$
SELECT prefix OPERATOR(pg_catalog.||) CASE
    WHEN pg_catalog.octet_length(value) OPERATOR(pg_catalog.<=) 200 THEN value
    ELSE 'sha256:' OPERATOR(pg_catalog.||) pg_catalog.encode(pg_catalog.sha256(
        pg_catalog.convert_to(value, pg_catalog.getdatabaseencoding())), 'hex')
    END
$$;
COMMENT ON FUNCTION auth._revocation_key(text, text) IS
    'key of a jti or sub in auth.revocations (SHA-256 of values over 200 bytes)';
REVOKE ALL ON FUNCTION auth._revocation_key(text, text) FROM PUBLIC;

-- ---- lockout ------------------------------------------------------------

-- Consecutive sign-in failures per email, known or not: every failed
-- sign-in, whether the email is unknown, the password wrong or the account
-- locked, writes here in the same way, so that none of them commits faster
-- than the others (a transaction that writes nothing skips the WAL flush).
-- The row is deleted on success; rows idle for a day are purged by later
-- successful sign-ins.  Not dumped: it is transient state.
CREATE TABLE auth.signin_failures (
    email        text PRIMARY KEY,
    failures     integer NOT NULL,
    locked_until timestamptz,
    last_failure timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX signin_failures_last_failure_idx ON auth.signin_failures (last_failure);
COMMENT ON TABLE auth.signin_failures IS
    'consecutive failed sign-ins per email, and the end of its current lockout';
-- Lockout state is nobody's business but the sign-in function's.
REVOKE ALL ON auth.signin_failures FROM PUBLIC;

-- The extension owner (the database owner on managed Postgres, who is not a
-- superuser, while the objects of a trusted extension belong to the
-- bootstrap superuser) administers accounts: imports and deletes users,
-- backs them up with pg_dump, unlocks an account by deleting its failures.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.users, auth.revocations TO @extowner@;
GRANT SELECT, DELETE ON auth.signin_failures TO @extowner@;

-- ---- C helpers ------------------------------------------------------------

CREATE FUNCTION auth._accounts_policy(
    OUT max_failures integer, OUT lockout_base_seconds integer,
    OUT lockout_max_seconds integer, OUT token_role text)
    RETURNS record
    -- UNSAFE: may load the settings cache, which takes a fresh snapshot.
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_accounts_policy';
COMMENT ON FUNCTION auth._accounts_policy() IS
    'the accounts.* settings in force (lockout policy, token role)';
-- Lockout policy is not for application roles to read.
REVOKE ALL ON FUNCTION auth._accounts_policy() FROM PUBLIC;

CREATE FUNCTION auth._dummy_hash() RETURNS text
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_dummy_hash';
COMMENT ON FUNCTION auth._dummy_hash() IS
    'hash of a random password at the current parameters (cached per backend), verified when there is no real hash';
-- Internal to sign-in.
REVOKE ALL ON FUNCTION auth._dummy_hash() FROM PUBLIC;

-- ---- the account functions ------------------------------------------------

-- Sets response.status and returns {"error": message}.
CREATE FUNCTION auth._fail(message text, status integer DEFAULT 400) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = ''
    AS $$
BEGIN
    PERFORM pg_catalog.set_config('response.status', status::text, true);
    RETURN pg_catalog.jsonb_build_object('error', message);
END
$$;
COMMENT ON FUNCTION auth._fail(text, integer) IS
    'sets response.status and returns the error body {"error": message}';
REVOKE ALL ON FUNCTION auth._fail(text, integer) FROM PUBLIC;

-- Sets response.status and returns {"user": {...}, "token": ...} with a
-- fresh token for the user.
CREATE FUNCTION auth._session(user_id uuid, email text, name text, status integer)
    RETURNS jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = ''
    AS $$
DECLARE
    v_token text;
BEGIN
    v_token := auth.jwt_sign(pg_catalog.jsonb_build_object(
        'sub', user_id::text,
        'user_id', user_id::text,
        'email', email,
        'name', name,
        'role', (SELECT p.token_role FROM auth._accounts_policy() p)));
    PERFORM pg_catalog.set_config('response.status', status::text, true);
    RETURN pg_catalog.jsonb_build_object(
        'user', pg_catalog.jsonb_build_object('id', user_id, 'email', email, 'name', name),
        'token', v_token);
END
$$;
COMMENT ON FUNCTION auth._session(uuid, text, text, integer) IS
    'mints the token of a user and returns the sign-up/sign-in body';
-- Mints tokens for anyone: internal only.
REVOKE ALL ON FUNCTION auth._session(uuid, text, text, integer) FROM PUBLIC;

CREATE FUNCTION auth.signup(email text, password text, name text) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    v_name  text := pg_catalog.btrim(signup.name, E' \t\r\n');
    v_email text := pg_catalog.lower(pg_catalog.btrim(signup.email, E' \t\r\n'));
    v_id    uuid;
BEGIN
    IF v_name IS NULL OR v_name OPERATOR(pg_catalog.=) '' THEN
        RETURN auth._fail('Name is required');
    END IF;
    IF pg_catalog.char_length(v_name) OPERATOR(pg_catalog.>) 100 THEN
        RETURN auth._fail('Name must be 100 characters or less');
    END IF;
    IF v_email IS NULL
       OR pg_catalog.octet_length(v_email) OPERATOR(pg_catalog.>) 254
       OR v_email OPERATOR(pg_catalog.!~) '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:].]+$' THEN
        RETURN auth._fail('Please enter a valid email');
    END IF;
    IF signup.password IS NULL OR pg_catalog.char_length(signup.password) OPERATOR(pg_catalog.<) 8 THEN
        RETURN auth._fail('Password must be at least 8 characters');
    END IF;
    -- hash_password would refuse it with an error; say it as the contract does.
    IF pg_catalog.octet_length(signup.password) OPERATOR(pg_catalog.>) 4096 THEN
        RETURN auth._fail('Password must be 4096 bytes or less');
    END IF;
    -- Cheap early answer; the unique constraint below is what makes it race-free.
    IF EXISTS (SELECT FROM auth.users u WHERE u.email OPERATOR(pg_catalog.=) v_email) THEN
        RETURN auth._fail('Email already registered');
    END IF;
    BEGIN
        INSERT INTO auth.users (email, name, password_hash)
            VALUES (v_email, v_name, auth.hash_password(signup.password))
            RETURNING id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        RETURN auth._fail('Email already registered');
    END;
    RETURN auth._session(v_id, v_email, v_name, 201);
END
$$;
COMMENT ON FUNCTION auth.signup(text, text, text) IS
    'creates an account; 201 {"user","token"} or 400 {"error"} (sets response.status)';

CREATE FUNCTION auth.signin(email text, password text) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    v_email  text := pg_catalog.lower(pg_catalog.btrim(signin.email, E' \t\r\n'));
    v_policy record;
    v_user   record;
    v_state  record;
    v_dummy  text;
    v_ok     boolean;
BEGIN
    IF v_email IS NULL OR v_email OPERATOR(pg_catalog.=) '' THEN
        RETURN auth._fail('Email is required');
    END IF;
    IF signin.password IS NULL OR signin.password OPERATOR(pg_catalog.=) '' THEN
        RETURN auth._fail('Password is required');
    END IF;
    -- Too long to be anyone's password (hash_password refuses it); the same
    -- answer for every email, so it reveals nothing.
    IF pg_catalog.octet_length(signin.password) OPERATOR(pg_catalog.>) 4096
       OR pg_catalog.octet_length(v_email) OPERATOR(pg_catalog.>) 254 THEN
        RETURN auth._fail('Invalid email or password');
    END IF;
    SELECT * INTO v_policy FROM auth._accounts_policy();

    -- Count the attempt as a failure before verifying (undone on success),
    -- unless the email is locked.  The row stays locked until commit, so the
    -- sign-ins of one email run one at a time: concurrent guesses cannot all
    -- read "not locked" before any of them is counted.
    INSERT INTO auth.signin_failures AS f (email, failures)
        VALUES (v_email, 1)
        ON CONFLICT ON CONSTRAINT signin_failures_pkey DO UPDATE
            SET failures = CASE WHEN f.locked_until OPERATOR(pg_catalog.>) pg_catalog.now()
                                THEN f.failures ELSE f.failures OPERATOR(pg_catalog.+) 1 END,
                last_failure = pg_catalog.now()
        RETURNING f.failures, coalesce(f.locked_until OPERATOR(pg_catalog.>) pg_catalog.now(), false) AS locked
        INTO v_state;

    -- Fetched on every path, so that the backend's first sign-in (which
    -- makes the dummy hash) is slower whatever the email, not only for an
    -- unknown one.
    v_dummy := auth._dummy_hash();
    SELECT u.id, u.email, u.name, u.password_hash INTO v_user
        FROM auth.users u WHERE u.email OPERATOR(pg_catalog.=) v_email;
    -- One Argon2id verification in every case: against the dummy hash (at
    -- the current parameters) when there is no account or no password, and
    -- also when the account is locked.
    BEGIN
        v_ok := auth.verify_password(signin.password, coalesce(v_user.password_hash, v_dummy));
    EXCEPTION WHEN invalid_parameter_value THEN
        -- A stored hash auth_ext cannot read (corrupt, or a hostile cost):
        -- the same answer and the same work as a wrong password.
        PERFORM auth.verify_password(signin.password, v_dummy);
        v_ok := false;
    END;
    v_ok := v_ok AND v_user.password_hash IS NOT NULL;

    IF v_state.locked OR NOT v_ok THEN
        -- Locked: refused without being counted, so hammering a locked
        -- account does not lengthen its lockout.  Otherwise lock at
        -- max_failures for base, 2 base, 4 base, ... up to the maximum.
        IF NOT v_state.locked AND v_state.failures OPERATOR(pg_catalog.>=) v_policy.max_failures THEN
            UPDATE auth.signin_failures f
                SET locked_until = pg_catalog.now() OPERATOR(pg_catalog.+)
                    pg_catalog.make_interval(secs => LEAST(
                        v_policy.lockout_max_seconds::double precision,
                        v_policy.lockout_base_seconds::double precision
                          OPERATOR(pg_catalog.*) pg_catalog.power(2::double precision,
                            LEAST(v_state.failures OPERATOR(pg_catalog.-) v_policy.max_failures, 40))))
                WHERE f.email OPERATOR(pg_catalog.=) v_email;
        END IF;
        RETURN auth._fail('Invalid email or password');
    END IF;

    -- Success: the count starts again; purge a batch of long-idle rows
    -- (failed attempts on emails nobody signed in with since).
    DELETE FROM auth.signin_failures f WHERE f.email OPERATOR(pg_catalog.=) v_email;
    DELETE FROM auth.signin_failures f
        WHERE f.email OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT o.email FROM auth.signin_failures o
            WHERE o.last_failure OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 day')
              AND (o.locked_until IS NULL OR o.locked_until OPERATOR(pg_catalog.<) pg_catalog.now())
            LIMIT 100));
    -- Upgrade old or foreign hashes (bcrypt, better-auth scrypt, weaker
    -- Argon2) now that we hold the password.
    IF auth.password_needs_rehash(v_user.password_hash) THEN
        UPDATE auth.users u SET password_hash = auth.hash_password(signin.password)
            WHERE u.id OPERATOR(pg_catalog.=) v_user.id;
    END IF;
    RETURN auth._session(v_user.id, v_user.email, v_user.name, 200);
END
$$;
COMMENT ON FUNCTION auth.signin(text, text) IS
    'signs in; 200 {"user","token"} or 400 {"error"} (sets response.status); counts failures for lockout';

CREATE FUNCTION auth.signout() RETURNS jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    v_claims jsonb := auth.jwt();
BEGIN
    IF v_claims ? 'jti' AND pg_catalog.jsonb_typeof(v_claims->'exp') OPERATOR(pg_catalog.=) 'number' THEN
        INSERT INTO auth.revocations (key, expires_at)
            VALUES (auth._revocation_key('jti:', v_claims->>'jti'),
                    pg_catalog.to_timestamp((v_claims->>'exp')::double precision))
            ON CONFLICT (key) DO NOTHING;
        -- Opportunistic purge of revocations of tokens long expired, a batch
        -- at a time; the day of margin outlasts any configured leeway.
        DELETE FROM auth.revocations r
            WHERE r.key OPERATOR(pg_catalog.=) ANY (ARRAY(
                SELECT o.key FROM auth.revocations o
                WHERE o.expires_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 day')
                LIMIT 100));
    END IF;
    PERFORM pg_catalog.set_config('response.status', '200', true);
    RETURN pg_catalog.jsonb_build_object('message', 'Signed out successfully');
END
$$;
COMMENT ON FUNCTION auth.signout() IS
    'revokes the token of the current transaction (by jti); 200 even without a token';

CREATE FUNCTION auth.signout_everywhere() RETURNS jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = ''
    AS $$
DECLARE
    v_sub text := auth.jwt()->>'sub';
    -- Tokens are revoked up to and including this second (iat has whole
    -- seconds), so one minted earlier in the same second cannot survive.
    -- The wall clock, not the transaction's start: a token minted by another
    -- session while this transaction ran is "before now" too.
    v_now bigint := pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()))::bigint;
BEGIN
    IF v_sub IS NULL THEN
        RETURN auth._fail('Not signed in', 401);
    END IF;
    INSERT INTO auth.revocations AS r (key, not_before)
        VALUES (auth._revocation_key('sub:', v_sub), v_now)
        ON CONFLICT (key) DO UPDATE
            SET not_before = GREATEST(r.not_before, excluded.not_before);
    PERFORM pg_catalog.set_config('response.status', '200', true);
    RETURN pg_catalog.jsonb_build_object('message', 'Signed out everywhere');
END
$$;
COMMENT ON FUNCTION auth.signout_everywhere() IS
    'revokes every token of the current user issued up to now; 401 {"error"} without a token';

