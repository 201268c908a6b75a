/* auth_ext--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION auth_ext UPDATE TO '1.2'" to load this file. \quit

-- secfix: issue 13, lesser findings 6-10 (docs/70_findings.md).  Findings 6, 8,
-- 9 and 10 are fixed in the shared library alone; finding 7 also changes
-- auth.signout(): a token without a jti is refused with 22023 instead of a
-- success that revoked nothing.
CREATE OR REPLACE FUNCTION auth.signout() RETURNS jsonb
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
    ELSIF v_claims IS NOT NULL THEN
        -- A token without a jti cannot be revoked on its own: say so (finding 7).
        RAISE EXCEPTION 'This token cannot be signed out'
            USING ERRCODE = '22023',
                  DETAIL = 'It has no "jti" claim, so it stays valid until it expires.',
                  HINT = 'auth.signout_everywhere() revokes every token of the user; auth.jwt_sign() adds a jti.';
    END IF;
    PERFORM pg_catalog.set_config('response.status', '200', true);
    RETURN pg_catalog.jsonb_build_object('message', 'Signed out successfully');
END
$$;
COMMENT ON FUNCTION auth.signout() IS
    'revokes the token of the current transaction (by jti); 200 even without a token; 22023 for a token without jti';
