-- Identity of the current transaction and row-level security (identity area).
--
-- auth.jwt_verify() (tokens area) leaves the verified claims in the
-- transaction; the readers below are the only way to see them.  They are
-- C functions (calling one loads the library, which discards any forged
-- auth_ext.* placeholder) declared STABLE PARALLEL SAFE, so a policy in
-- the form  col = (SELECT auth.user_id())  is an InitPlan evaluated once.

CREATE FUNCTION auth.user_id() RETURNS pg_catalog.text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_user_id';
COMMENT ON FUNCTION auth.user_id() IS
    'sub claim of the token verified in this transaction; NULL when anonymous';

CREATE FUNCTION auth.uid() RETURNS pg_catalog.uuid
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_uid';
COMMENT ON FUNCTION auth.uid() IS
    'sub claim as a uuid; NULL when anonymous or when sub is not a uuid';

CREATE FUNCTION auth.jwt() RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_claims';
COMMENT ON FUNCTION auth.jwt() IS
    'claims of the token verified in this transaction; NULL when anonymous';

CREATE FUNCTION auth.session() RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_claims';
COMMENT ON FUNCTION auth.session() IS
    'claims of the token verified in this transaction (pg_session_jwt name of auth.jwt()); NULL when anonymous';

CREATE FUNCTION auth.role() RETURNS pg_catalog.text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_role';
COMMENT ON FUNCTION auth.role() IS
    'role claim of the token verified in this transaction; NULL when anonymous or absent';

CREATE FUNCTION auth.email() RETURNS pg_catalog.text
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_email';
COMMENT ON FUNCTION auth.email() IS
    'email claim of the token verified in this transaction; NULL when anonymous or absent';

-- Never writes: works in READ ONLY transactions (PostgREST's GETs) and on standbys.
CREATE FUNCTION auth.pre_request() RETURNS pg_catalog.void
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_pre_request';
COMMENT ON FUNCTION auth.pre_request() IS
    'PostgREST db-pre-request: verifies the bearer token of request.headers (or the identity.cookie_name cookie); no token = anonymous, bad token = PT401';

-- SECURITY INVOKER: ALTER TABLE and CREATE POLICY need the caller to own the
-- table, so PostgreSQL's own checks decide who may run it; no REVOKE needed.
CREATE FUNCTION auth.enable_user_isolation(tbl pg_catalog.regclass, owner_column pg_catalog.name DEFAULT 'user_id'::pg_catalog.name)
    RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    col_type pg_catalog.oid;
    col_num  pg_catalog.int2;
    reader   pg_catalog.text;
    pol      pg_catalog.name;
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
                  AND p.polname OPERATOR(pg_catalog.=) ANY (ARRAY['auth_isolation_select'::pg_catalog.name,
                        'auth_isolation_insert'::pg_catalog.name, 'auth_isolation_update'::pg_catalog.name,
                        'auth_isolation_delete'::pg_catalog.name]) LOOP
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
COMMENT ON FUNCTION auth.enable_user_isolation(pg_catalog.regclass, pg_catalog.name) IS
    'enable and force RLS on tbl with one policy per verb: owner_column = (SELECT auth.uid()) (uuid) or (SELECT auth.user_id()) (text); creates an index on owner_column if none leads with it; idempotent';
