-- Tokens: JWS/JWT signing and verification, and the keyring (auth.keys).
--
-- Parallel safety: the functions that verify or decode with an explicit key
-- and set no state (jws_verify, jwt_decode, jwt_decode_unverified) are
-- PARALLEL SAFE since 1.1: in parallel mode, leader or worker, the settings
-- they read are loaded with the query's snapshot and not cached
-- (src/table_read.c).  Functions that set the transaction's identity
-- (jwt_verify, jwt_session_init) or write (keys, jwt_sign's jti) stay
-- PARALLEL UNSAFE.  A change here needs the same change in the upgrade script
-- (auth_ext--1.0--1.1.sql, or the next one).
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
    LANGUAGE C STABLE STRICT PARALLEL SAFE
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
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_decode';
COMMENT ON FUNCTION auth.jwt_decode(text, text, text[]) IS
    'verify a JWT with an explicit key: signature, exp (required), nbf, iat; returns the claims';

CREATE FUNCTION auth.jwt_decode_unverified(token text) RETURNS jsonb
    LANGUAGE C STABLE STRICT PARALLEL SAFE
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
