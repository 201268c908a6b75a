-- Base of auth_ext_todo.  The schema todo is created by CREATE EXTENSION
-- (control file: schema = todo) as the role running it; like auth_ext's
-- install script (src/sql/00_base.sql), this one pins its search_path and
-- claims the schema before creating anything in it: a schema todo made
-- beforehand that holds anything is refused, an empty one is taken over by
-- the bootstrap superuser with every other grant removed.
SET LOCAL search_path = pg_catalog, pg_temp;
DO $$
BEGIN
    IF pg_catalog.to_regprocedure('auth._claim_schema(pg_catalog.name)'::pg_catalog.text) IS NULL THEN
        RAISE EXCEPTION 'auth_ext_todo 1.1 needs auth_ext 1.2 or later'
            USING ERRCODE = '55000', HINT = 'Run ALTER EXTENSION auth_ext UPDATE first.';
    END IF;
END
$$;
SELECT auth._claim_schema('todo'::pg_catalog.name);
COMMENT ON SCHEMA todo IS 'the todo app on auth_ext';
GRANT USAGE ON SCHEMA todo TO PUBLIC;
