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
