-- Base objects of auth_ext: install-time safety, admin settings and cache
-- invalidation.
--
-- Install-time safety (PostgreSQL's "Security Considerations for
-- Extensions"; docs/00_design_notes.md, "Security"): this script runs as the
-- bootstrap superuser (trusted extension) in the session of whoever ran
-- CREATE EXTENSION, with search_path set to the schema auth and the
-- session's temporary schema searched first for types and relations.  So:
-- the path is pinned to pg_catalog, pg_temp (SET LOCAL: PostgreSQL restores
-- it after the script; a plain SET would outlive CREATE EXTENSION), every
-- type, relation, function and operator below is schema-qualified, no unknown-typed literal goes to a function of ours, and
-- the schema is claimed (auth._claim_schema) before anything is created in
-- it: a schema auth made beforehand that holds anything is refused, an empty
-- one is taken over by the bootstrap superuser with its grants removed, so
-- that the extension's owner cannot plant functions in it either.
SET LOCAL search_path = pg_catalog, pg_temp;

-- Settings live in auth.config and are changed only through auth.configure(),
-- which is granted to the role that ran CREATE EXTENSION (the database owner
-- on managed Postgres) and never to PUBLIC.  SET / set_config() cannot touch
-- them: they are not GUCs.

CREATE FUNCTION auth._claim_schema(nsp pg_catalog.name) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_nsp     pg_catalog.oid;
    v_foreign pg_catalog.text;
    v_grantee pg_catalog.oid;
BEGIN
    SELECT n.oid INTO STRICT v_nsp FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) nsp;
    -- Every object of the schema must belong to auth_ext or auth_ext_todo
    -- (row types, array types, indexes and identity sequences come with
    -- their table).
    WITH objs(classid, objid) AS (
        SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) v_nsp
           AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f,c}'::pg_catalog."char"[])
        UNION ALL
        SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) v_nsp AND c.relkind OPERATOR(pg_catalog.=) 'S'
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                            WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                              AND d.objid OPERATOR(pg_catalog.=) c.oid
                              AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog."char"[]))
        UNION ALL
        SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid FROM pg_catalog.pg_proc p
         WHERE p.pronamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid FROM pg_catalog.pg_type t
         WHERE t.typnamespace OPERATOR(pg_catalog.=) v_nsp AND t.typrelid OPERATOR(pg_catalog.=) 0
           AND t.typcategory OPERATOR(pg_catalog.<>) 'A' AND t.typtype OPERATOR(pg_catalog.<>) 'm'
        UNION ALL
        SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_operator o
         WHERE o.oprnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_collation o
         WHERE o.collnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_conversion o
         WHERE o.connamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_opclass o
         WHERE o.opcnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_opfamily o
         WHERE o.opfnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_config o
         WHERE o.cfgnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_dict o
         WHERE o.dictnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_parser o
         WHERE o.prsnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_template o
         WHERE o.tmplnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_statistic_ext o
         WHERE o.stxnamespace OPERATOR(pg_catalog.=) v_nsp
    )
    SELECT pg_catalog.string_agg(pg_catalog.pg_describe_object(o.classid, o.objid, 0), ', ')
      INTO v_foreign
      FROM objs o
     WHERE NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
         WHERE d.classid OPERATOR(pg_catalog.=) o.classid AND d.objid OPERATOR(pg_catalog.=) o.objid
           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND e.extname OPERATOR(pg_catalog.=) ANY ('{auth_ext,auth_ext_todo}'::pg_catalog.name[]));
    IF v_foreign IS NOT NULL THEN
        RAISE EXCEPTION 'schema "%" holds objects that are not part of auth_ext', nsp
            USING ERRCODE = '42P06', DETAIL = 'Found: ' OPERATOR(pg_catalog.||) v_foreign OPERATOR(pg_catalog.||) '.',
                  HINT = 'auth_ext needs a schema of its own: drop these objects or move them elsewhere (ALTER ... SET SCHEMA), then try again.';
    END IF;
    -- Owned by the role running this script (the bootstrap superuser for a
    -- trusted extension), with no grant left but the owner's: the
    -- extension's owner and everyone else can then not create objects here.
    EXECUTE pg_catalog.format('ALTER SCHEMA %I OWNER TO %I', nsp, CURRENT_USER);
    FOR v_grantee IN SELECT DISTINCT a.grantee
                       FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
                      WHERE n.oid OPERATOR(pg_catalog.=) v_nsp AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SCHEMA %I FROM %s CASCADE', nsp,
            CASE WHEN v_grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                 ELSE pg_catalog.quote_ident(v_grantee::pg_catalog.regrole::pg_catalog.text) END);
    END LOOP;
END
$$;
COMMENT ON FUNCTION auth._claim_schema(pg_catalog.name) IS
    'install/upgrade: refuse a schema holding foreign objects, make the running role (bootstrap superuser) its owner and drop every other grant';
REVOKE ALL ON FUNCTION auth._claim_schema(pg_catalog.name) FROM PUBLIC;
SELECT auth._claim_schema('auth'::pg_catalog.name);

COMMENT ON SCHEMA auth IS 'auth_ext: passwords, tokens, identity, accounts';
GRANT USAGE ON SCHEMA auth TO PUBLIC;

CREATE FUNCTION auth._require_admin(action pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_require_admin_sql';
COMMENT ON FUNCTION auth._require_admin(pg_catalog.text) IS
    'raises 42501 unless current_user has the privileges of the extension owner (src/base/admin.c)';
-- Harmless to anyone (it only raises), but internal.
REVOKE ALL ON FUNCTION auth._require_admin(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._require_admin(pg_catalog.text) TO @extowner@;

CREATE FUNCTION auth._invalidate_cache() RETURNS pg_catalog.trigger
    LANGUAGE C VOLATILE PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_invalidate_cache';
COMMENT ON FUNCTION auth._invalidate_cache() IS
    'statement trigger: tells every backend that a cached auth_ext table changed';
REVOKE ALL ON FUNCTION auth._invalidate_cache() FROM PUBLIC;

CREATE TABLE auth.config (
    name  pg_catalog.text PRIMARY KEY,
    value pg_catalog.text NOT NULL
);
COMMENT ON TABLE auth.config IS
    'admin settings of auth_ext; change them with auth.configure(name, value)';
REVOKE ALL ON auth.config FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.config'::pg_catalog.regclass, ''::pg_catalog.text);

CREATE TRIGGER config_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.config
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth._check_setting(name pg_catalog.text, value pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_check_setting';
REVOKE ALL ON FUNCTION auth._check_setting(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION auth.settings(
    OUT name pg_catalog.text, OUT value pg_catalog.text, OUT default_value pg_catalog.text,
    OUT description pg_catalog.text)
    RETURNS SETOF pg_catalog.record
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_settings';
COMMENT ON FUNCTION auth.settings() IS 'every auth_ext setting with its current value';
-- Lockout and cost policy are nobody else's business.
REVOKE ALL ON FUNCTION auth.settings() FROM PUBLIC;

-- configure(name, NULL) returns a setting to its default.  SECURITY INVOKER:
-- it writes auth.config with the caller's own privileges (the extension
-- owner's grant below), after checking inside that the caller has the
-- owner's privileges, so an over-broad EXECUTE grant gives nothing.
CREATE FUNCTION auth.configure(name pg_catalog.text, value pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('change auth_ext settings'::pg_catalog.text);
    IF NOT EXISTS (SELECT FROM auth.settings() s WHERE s.name OPERATOR(pg_catalog.=) configure.name) THEN
        RAISE EXCEPTION 'unknown auth_ext setting "%"', configure.name
            USING ERRCODE = '42704', HINT = 'SELECT name FROM auth.settings() lists them.';
    END IF;
    IF configure.value IS NULL THEN
        DELETE FROM auth.config c WHERE c.name OPERATOR(pg_catalog.=) configure.name;
    ELSE
        INSERT INTO auth.config AS c (name, value)
            VALUES (configure.name, auth._check_setting(configure.name, configure.value))
            ON CONFLICT ON CONSTRAINT config_pkey DO UPDATE SET value = excluded.value;
    END IF;
END
$$;
COMMENT ON FUNCTION auth.configure(pg_catalog.text, pg_catalog.text) IS
    'change an auth_ext admin setting (NULL restores the default); for the extension owner only';
REVOKE ALL ON FUNCTION auth.configure(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.configure(pg_catalog.text, pg_catalog.text) TO @extowner@;
GRANT EXECUTE ON FUNCTION auth._check_setting(pg_catalog.text, pg_catalog.text) TO @extowner@;
-- The owner may also read and write the table itself, so that pg_dump/pg_restore run by a
-- database owner who is not superuser (Neon) carry the settings; a row the C registry
-- does not accept is ignored with a WARNING when the settings are loaded.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.config TO @extowner@;
GRANT EXECUTE ON FUNCTION auth.settings() TO @extowner@;
