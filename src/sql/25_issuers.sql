-- Tokens from other identity providers (issue 15; src/identity/issuers.c, src/identity/issuers_check.c): issuers
-- the owner trusts with their public keys (a JWKS), audiences and claim
-- mapping.  auth.jwt_verify() verifies a token whose "iss" names one of
-- them with that issuer's keys only, any other token with auth.keys only.
--
-- auth.trusted_issuers holds public keys only (trust_issuer refuses private
-- material), but its contents decide who may act as whom: no application
-- role may read or write it.  C code reads it without permission checks
-- into a per-backend cache that the statement trigger below invalidates in
-- every backend at commit, so a rotated key set counts at once everywhere.
-- The functions are SECURITY INVOKER and check first that the caller has
-- the extension owner's privileges (auth._require_admin).

CREATE TABLE auth.trusted_issuers (
    issuer     pg_catalog.text PRIMARY KEY CHECK (issuer OPERATOR(pg_catalog.<>) ''::pg_catalog.text),
    keys       pg_catalog.jsonb NOT NULL,
    audience   pg_catalog.text[],
    options    pg_catalog.jsonb NOT NULL,
    updated_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE auth.trusted_issuers IS
    'other identity providers whose tokens auth.jwt_verify accepts: public keys [{kid, algorithms, jwk}], audiences (NULL: any), claim mapping options; change it with auth.trust_issuer/distrust_issuer';
REVOKE ALL ON auth.trusted_issuers FROM PUBLIC;
-- The extension owner administers issuers and backs them up.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.trusted_issuers TO @extowner@;
SELECT pg_catalog.pg_extension_config_dump('auth.trusted_issuers'::pg_catalog.regclass, ''::pg_catalog.text);

CREATE TRIGGER trusted_issuers_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.trusted_issuers
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth._issuer_check(issuer pg_catalog.text, jwks pg_catalog.jsonb,
    audience pg_catalog.text[], options pg_catalog.jsonb) RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_issuer_check';
COMMENT ON FUNCTION auth._issuer_check(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) IS
    'internal: checks what auth.trust_issuer was given; returns the keys and options to store';
-- Internal helper of trust_issuer.
REVOKE ALL ON FUNCTION auth._issuer_check(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._issuer_check(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) TO @extowner@;

CREATE FUNCTION auth.trust_issuer(issuer pg_catalog.text, jwks pg_catalog.jsonb,
    audience pg_catalog.text[] DEFAULT NULL::pg_catalog.text[],
    options pg_catalog.jsonb DEFAULT '{}'::pg_catalog.jsonb) RETURNS SETOF pg_catalog.text
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v pg_catalog.jsonb;
BEGIN
    PERFORM auth._require_admin('trust issuers'::pg_catalog.text);
    v := auth._issuer_check(trust_issuer.issuer, trust_issuer.jwks, trust_issuer.audience,
                            trust_issuer.options);
    -- one statement: the whole key set is replaced at once
    INSERT INTO auth.trusted_issuers AS t (issuer, keys, audience, options)
        VALUES (trust_issuer.issuer, v OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text,
                trust_issuer.audience, v OPERATOR(pg_catalog.->) 'options'::pg_catalog.text)
        ON CONFLICT ON CONSTRAINT trusted_issuers_pkey DO UPDATE
        SET keys = excluded.keys, audience = excluded.audience, options = excluded.options,
            updated_at = pg_catalog.clock_timestamp();
    RETURN QUERY SELECT k OPERATOR(pg_catalog.->>) 'kid'::pg_catalog.text
        FROM pg_catalog.jsonb_array_elements(v OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text) k;
END
$$;
COMMENT ON FUNCTION auth.trust_issuer(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) IS
    'trust another identity provider''s public JWKS for tokens whose iss is issuer (creates it or replaces its whole key set); returns the kids now trusted';
-- Trust is for the extension owner.
REVOKE ALL ON FUNCTION auth.trust_issuer(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.trust_issuer(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) TO @extowner@;

CREATE FUNCTION auth.distrust_issuer(issuer pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('distrust issuers'::pg_catalog.text);
    DELETE FROM auth.trusted_issuers t WHERE t.issuer OPERATOR(pg_catalog.=) distrust_issuer.issuer;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no trusted issuer "%"', distrust_issuer.issuer USING ERRCODE = '42704';
    END IF;
END
$$;
COMMENT ON FUNCTION auth.distrust_issuer(pg_catalog.text) IS
    'stop trusting an issuer: its tokens stop verifying at once in every session';
REVOKE ALL ON FUNCTION auth.distrust_issuer(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.distrust_issuer(pg_catalog.text) TO @extowner@;

CREATE FUNCTION auth.issuers() RETURNS TABLE (issuer pg_catalog.text, kids pg_catalog.text[],
    audience pg_catalog.text[], options pg_catalog.jsonb, keys pg_catalog.jsonb,
    updated_at pg_catalog.timestamptz)
    LANGUAGE plpgsql STABLE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('list issuers'::pg_catalog.text);
    RETURN QUERY
        SELECT t.issuer,
               ARRAY(SELECT k OPERATOR(pg_catalog.->>) 'kid'::pg_catalog.text
                       FROM pg_catalog.jsonb_array_elements(t.keys) k),
               t.audience, t.options, t.keys, t.updated_at
          FROM auth.trusted_issuers t ORDER BY t.issuer;
END
$$;
COMMENT ON FUNCTION auth.issuers() IS
    'the trusted issuers with their kids, audiences, options and public keys';
REVOKE ALL ON FUNCTION auth.issuers() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.issuers() TO @extowner@;
