-- bench/plain_sql_jwt.sql: the SQL-only way people do JWT auth in PostgreSQL
-- today, written carefully, as the baseline auth_ext is compared with.
--
--   plainjwt.sign_hs256(claims jsonb, secret text) -> text
--   plainjwt.verify_hs256(token text, secret text) -> jsonb
--       HS256 with pgcrypto's hmac() and the built-in encode/decode/translate
--       (the technique of pgjwt; our own code).  verify is ONE PL/pgSQL
--       function with everything inlined: no helper calls, the header checked
--       for alg HS256, the signature recomputed and compared, exp checked.
--       Plain SQL has no constant-time compare: the bytea "=" below is what
--       such implementations use (one more reason not to do it this way).
--   plainjwt.enable_claims_isolation(tbl regclass, owner_column name)
--       the PostgREST/Supabase way of isolating rows: policies reading the
--       claims a frontend put in current_setting('request.jwt.claims', true).
--
-- Loaded by scripts/bench.sh into the bench database.

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA IF NOT EXISTS plainjwt;

CREATE OR REPLACE FUNCTION plainjwt.sign_hs256(claims jsonb, secret text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    WITH si AS (
        SELECT translate(encode(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'), 'base64'), E'+/=\n', '-_')
               || '.' ||
               translate(encode(convert_to(claims::text, 'UTF8'), 'base64'), E'+/=\n', '-_') AS s
    )
    SELECT s || '.' ||
           translate(encode(public.hmac(convert_to(s, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'), 'base64'),
                     E'+/=\n', '-_')
      FROM si
$$;
COMMENT ON FUNCTION plainjwt.sign_hs256(jsonb, text) IS 'bench baseline: HS256 JWT signed in plain SQL with pgcrypto';

CREATE OR REPLACE FUNCTION plainjwt.verify_hs256(token text, secret text) RETURNS jsonb
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    h text := split_part(token, '.', 1);
    p text := split_part(token, '.', 2);
    s text := split_part(token, '.', 3);
    header jsonb;
    claims jsonb;
BEGIN
    IF h = '' OR p = '' OR s = '' OR split_part(token, '.', 4) <> '' THEN
        RAISE EXCEPTION 'Invalid token' USING ERRCODE = 'PT401';
    END IF;
    header := convert_from(decode(rpad(translate(h, '-_', '+/'), (length(h) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb;
    IF header->>'alg' IS DISTINCT FROM 'HS256' THEN
        RAISE EXCEPTION 'Invalid token' USING ERRCODE = 'PT401', DETAIL = 'algorithm not allowed';
    END IF;
    IF decode(rpad(translate(s, '-_', '+/'), (length(s) + 3) / 4 * 4, '='), 'base64')
       <> public.hmac(convert_to(h || '.' || p, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256') THEN
        RAISE EXCEPTION 'Invalid token' USING ERRCODE = 'PT401', DETAIL = 'bad signature';
    END IF;
    claims := convert_from(decode(rpad(translate(p, '-_', '+/'), (length(p) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb;
    IF jsonb_typeof(claims->'exp') IS DISTINCT FROM 'number'
       OR (claims->>'exp')::numeric < extract(epoch FROM now()) THEN
        RAISE EXCEPTION 'Token expired, please log in again' USING ERRCODE = 'PT401';
    END IF;
    RETURN claims;
END
$$;
COMMENT ON FUNCTION plainjwt.verify_hs256(text, text) IS 'bench baseline: HS256 JWT verified in one PL/pgSQL function with pgcrypto';

-- Policies of the PostgREST/Supabase form, for a uuid owner column.
CREATE OR REPLACE FUNCTION plainjwt.enable_claims_isolation(tbl regclass, owner_column name DEFAULT 'user_id')
    RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
DECLARE
    expr text := format('%I = (current_setting(''request.jwt.claims'', true)::json->>''sub'')::uuid', owner_column);
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS claims_select ON %s', tbl);
    EXECUTE format('CREATE POLICY claims_select ON %s FOR SELECT USING (%s)', tbl, expr);
    EXECUTE format('DROP POLICY IF EXISTS claims_write ON %s', tbl);
    EXECUTE format('CREATE POLICY claims_write ON %s FOR ALL USING (%s) WITH CHECK (%s)', tbl, expr, expr);
END
$$;
COMMENT ON FUNCTION plainjwt.enable_claims_isolation(regclass, name) IS
    'bench baseline: RLS reading request.jwt.claims with current_setting(), the PostgREST/Supabase way';
