-- Tokens: JWS/JWT signing and verification, and the keyring (auth.keys).
--
-- Parallel safety: the functions that verify or decode with an explicit key
-- and set no state (jws_verify, jwt_decode, jwt_decode_unverified) are
-- PARALLEL SAFE since 1.1: in parallel mode, leader or worker, the settings
-- they read are loaded with the query's snapshot and not cached
-- (src/base/table_read.c).  Functions that set the transaction's identity
-- (jwt_verify, jwt_session_init) or write (keys, jwt_sign's jti) stay
-- PARALLEL UNSAFE.  A change here needs the same change in the upgrade script
-- (auth_ext--1.0--1.1.sql, or the next one).
--
-- auth.keys holds private material: no application role may read it
-- (REVOKE ALL FROM PUBLIC).  C code reads it without permission checks into
-- a per-backend cache that the statement trigger below invalidates in every
-- backend at commit.  Keys change only through the SECURITY DEFINER
-- functions create_key/import_jwk(s)/retire_key, granted to the extension
-- owner only and checking inside that their caller has its privileges.

CREATE TABLE auth.keys (
    kid         pg_catalog.text PRIMARY KEY CHECK (kid OPERATOR(pg_catalog.<>) ''::pg_catalog.text),
    algorithm   pg_catalog.text NOT NULL CHECK (algorithm OPERATOR(pg_catalog.=) ANY (ARRAY[
                    'HS256'::pg_catalog.text, 'HS384'::pg_catalog.text, 'HS512'::pg_catalog.text, 'RS256'::pg_catalog.text, 'RS384'::pg_catalog.text,
                    'RS512'::pg_catalog.text, 'PS256'::pg_catalog.text, 'PS384'::pg_catalog.text, 'PS512'::pg_catalog.text, 'ES256'::pg_catalog.text,
                    'ES384'::pg_catalog.text, 'ES512'::pg_catalog.text, 'EdDSA'::pg_catalog.text])),
    public_jwk  pg_catalog.jsonb NOT NULL,
    private_key pg_catalog.bytea,
    verify_only pg_catalog.bool NOT NULL DEFAULT false,
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    retired_at  pg_catalog.timestamptz
);
COMMENT ON TABLE auth.keys IS
    'JWS keys: public JWK, private material (PKCS#8 PEM or HMAC secret), retirement; the signing key is the newest active key with private material that was not imported';
-- Private key material: never readable by application roles.
REVOKE ALL ON auth.keys FROM PUBLIC;
-- The extension owner administers keys and must be able to back them up
-- (pg_dump reads the rows, pg_restore inserts them).
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.keys TO @extowner@;
SELECT pg_catalog.pg_extension_config_dump('auth.keys'::pg_catalog.regclass, ''::pg_catalog.text);

CREATE TRIGGER keys_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.keys
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth._make_key(algorithm pg_catalog.text, jwk pg_catalog.jsonb,
    OUT kid pg_catalog.text, OUT alg pg_catalog.text, OUT public_jwk pg_catalog.jsonb,
    OUT private_key pg_catalog.bytea)
    RETURNS pg_catalog.record
    LANGUAGE C VOLATILE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_make_key';
COMMENT ON FUNCTION auth._make_key(pg_catalog.text, pg_catalog.jsonb) IS
    'internal: a new key (jwk NULL) or a parsed JWK, as a row for auth.keys';
-- Internal helper of the key-management functions.
REVOKE ALL ON FUNCTION auth._make_key(pg_catalog.text, pg_catalog.jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._make_key(pg_catalog.text, pg_catalog.jsonb) TO @extowner@;

-- Key management is SECURITY INVOKER since 1.2: it writes auth.keys with the
-- caller's own privileges (the extension owner's grant above) and checks
-- first that the caller has the owner's privileges (auth._require_admin),
-- so an over-broad EXECUTE grant gives nothing.
CREATE FUNCTION auth.create_key(algorithm pg_catalog.text DEFAULT 'EdDSA'::pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k pg_catalog.record;
BEGIN
    PERFORM auth._require_admin('create keys'::pg_catalog.text);
    SELECT * INTO STRICT k FROM auth._make_key(create_key.algorithm, NULL::pg_catalog.jsonb);
    INSERT INTO auth.keys (kid, algorithm, public_jwk, private_key, verify_only)
        VALUES (k.kid, k.alg, k.public_jwk, k.private_key, false);
    RETURN k.kid;
END
$$;
COMMENT ON FUNCTION auth.create_key(pg_catalog.text) IS
    'generate a key for algorithm (default EdDSA); it becomes the signing key; returns its kid';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.create_key(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.create_key(pg_catalog.text) TO @extowner@;

CREATE FUNCTION auth.import_jwk(jwk pg_catalog.jsonb) RETURNS pg_catalog.text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k        pg_catalog.record;
    existing pg_catalog.jsonb;
BEGIN
    PERFORM auth._require_admin('import keys'::pg_catalog.text);
    SELECT * INTO STRICT k FROM auth._make_key(NULL::pg_catalog.text, import_jwk.jwk);
    SELECT x.public_jwk INTO existing FROM auth.keys x WHERE x.kid OPERATOR(pg_catalog.=) k.kid;
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
COMMENT ON FUNCTION auth.import_jwk(pg_catalog.jsonb) IS
    'import a verify-only JWK of another issuer (kid from the JWK or its RFC 7638 thumbprint); returns its kid';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.import_jwk(pg_catalog.jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.import_jwk(pg_catalog.jsonb) TO @extowner@;

CREATE FUNCTION auth.import_jwks(jwks pg_catalog.jsonb) RETURNS SETOF pg_catalog.text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k pg_catalog.jsonb;
BEGIN
    PERFORM auth._require_admin('import keys'::pg_catalog.text);
    IF pg_catalog.jsonb_typeof(import_jwks.jwks OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text) IS NULL
       OR pg_catalog.jsonb_typeof(import_jwks.jwks OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text)
          OPERATOR(pg_catalog.<>) 'array'::pg_catalog.text THEN
        RAISE EXCEPTION 'a JWKS is an object with a "keys" array'
            USING ERRCODE = '22023';
    END IF;
    FOR k IN SELECT pg_catalog.jsonb_array_elements(import_jwks.jwks OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text) LOOP
        RETURN NEXT auth.import_jwk(k);
    END LOOP;
END
$$;
COMMENT ON FUNCTION auth.import_jwks(pg_catalog.jsonb) IS
    'import every key of a JWKS (all or none); returns their kids';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.import_jwks(pg_catalog.jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.import_jwks(pg_catalog.jsonb) TO @extowner@;

CREATE FUNCTION auth.retire_key(kid pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('retire keys'::pg_catalog.text);
    UPDATE auth.keys k SET retired_at = pg_catalog.now()
        WHERE k.kid OPERATOR(pg_catalog.=) retire_key.kid AND k.retired_at IS NULL;
    IF NOT FOUND AND NOT EXISTS (SELECT FROM auth.keys k WHERE k.kid OPERATOR(pg_catalog.=) retire_key.kid) THEN
        RAISE EXCEPTION 'no key with kid "%"', retire_key.kid USING ERRCODE = '42704';
    END IF;
END
$$;
COMMENT ON FUNCTION auth.retire_key(pg_catalog.text) IS
    'retire a key: tokens signed with it stop verifying at once in every session';
-- Key management is for the extension owner.
REVOKE ALL ON FUNCTION auth.retire_key(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.retire_key(pg_catalog.text) TO @extowner@;

CREATE FUNCTION auth.jwks() RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwks';
COMMENT ON FUNCTION auth.jwks() IS
    'public JWKS (RFC 7517) of our active asymmetric keys (not HMAC, not imported), for others to verify our tokens';

CREATE FUNCTION auth.jws_verify(token pg_catalog.text, key pg_catalog.text, algorithms pg_catalog.text[]) RETURNS pg_catalog.bytea
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_jws_verify';
COMMENT ON FUNCTION auth.jws_verify(pg_catalog.text, pg_catalog.text, pg_catalog.text[]) IS
    'check a compact JWS signature with an explicit key (HMAC secret, PEM or JWK); returns the payload bytes';

CREATE FUNCTION auth._verify_signature(algorithm pg_catalog.text, key pg_catalog.text, message pg_catalog.bytea, signature pg_catalog.bytea)
    RETURNS pg_catalog.bool
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_verify_signature';
COMMENT ON FUNCTION auth._verify_signature(pg_catalog.text, pg_catalog.text, pg_catalog.bytea, pg_catalog.bytea) IS
    'internal: the JWS signature layer alone on any message (for known-answer tests)';
-- Internal test surface; not part of the API.
REVOKE ALL ON FUNCTION auth._verify_signature(pg_catalog.text, pg_catalog.text, pg_catalog.bytea, pg_catalog.bytea) FROM PUBLIC;

CREATE FUNCTION auth.jwt_decode(token pg_catalog.text, key pg_catalog.text, algorithms pg_catalog.text[] DEFAULT '{HS256}'::pg_catalog.text[]) RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_decode';
COMMENT ON FUNCTION auth.jwt_decode(pg_catalog.text, pg_catalog.text, pg_catalog.text[]) IS
    'verify a JWT with an explicit key: signature, exp (required), nbf, iat; returns the claims';

CREATE FUNCTION auth.jwt_decode_unverified(token pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_decode_unverified';
COMMENT ON FUNCTION auth.jwt_decode_unverified(pg_catalog.text) IS
    'header and payload of a token WITHOUT any verification, for debugging';

CREATE FUNCTION auth.jwt_encode(claims pg_catalog.jsonb, key pg_catalog.text, algorithm pg_catalog.text DEFAULT 'HS256'::pg_catalog.text,
    header pg_catalog.jsonb DEFAULT NULL::pg_catalog.jsonb) RETURNS pg_catalog.text
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_encode';
COMMENT ON FUNCTION auth.jwt_encode(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
    'sign claims as given with an explicit key (HMAC secret of 32+ bytes, PEM or JWK)';

CREATE FUNCTION auth.jwt_sign(claims pg_catalog.jsonb) RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_sign';
COMMENT ON FUNCTION auth.jwt_sign(pg_catalog.jsonb) IS
    'sign claims with the keyring''s signing key, adding iat, exp, jti and the configured iss/aud';
-- Minting tokens is the server's job (sign-in), not an application role's;
-- the C function also checks that its caller has the extension owner's
-- privileges (src/base/admin.c), whatever EXECUTE grants say.
REVOKE ALL ON FUNCTION auth.jwt_sign(pg_catalog.jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.jwt_sign(pg_catalog.jsonb) TO @extowner@;

CREATE FUNCTION auth.jwt_verify(token pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_verify';
COMMENT ON FUNCTION auth.jwt_verify(pg_catalog.text) IS
    'verify a token against the keyring (signature, exp, nbf, iat, iss, aud, revocation), set the identity of the current transaction, return the claims';

CREATE FUNCTION auth.jwt_session_init(token pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_jwt_verify';
COMMENT ON FUNCTION auth.jwt_session_init(pg_catalog.text) IS
    'pg_session_jwt name of auth.jwt_verify()';

-- A fresh extension can sign at once.
SELECT auth.create_key('EdDSA'::pg_catalog.text);
