-- The todo app's tasks (identity area): one row per task, isolated per user
-- by auth.enable_user_isolation (RLS forced, even for the table owner).
--
-- No grants here: extensions do not create roles.  An application role
-- needs  GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO authenticated;
-- the anonymous role needs nothing (RLS gives it no rows even with grants).
-- See docs/30_identity.md.

CREATE TABLE todo.tasks (
    id          pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The caller by default; RLS refuses any other value.
    user_id     pg_catalog.uuid NOT NULL DEFAULT auth.uid()
                REFERENCES auth.users (id) ON DELETE CASCADE,
    -- Trimmed by the trigger below before this check runs.
    title       pg_catalog.text NOT NULL
                CONSTRAINT tasks_title_check
                CHECK (pg_catalog.char_length(title) OPERATOR(pg_catalog.>=) 1
                       AND pg_catalog.char_length(title) OPERATOR(pg_catalog.<=) 200),
    description pg_catalog.text
                CONSTRAINT tasks_description_check
                CHECK (pg_catalog.char_length(description) OPERATOR(pg_catalog.<=) 1000),
    completed   pg_catalog.bool NOT NULL DEFAULT false,
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE todo.tasks IS
    'tasks of the todo app; each user sees and changes only their own (RLS)';

-- "My tasks, newest first"; it leads with user_id, so it also serves the
-- policies and auth.enable_user_isolation adds no second index.
CREATE INDEX tasks_user_id_created_at_idx ON todo.tasks (user_id, created_at DESC);

CREATE FUNCTION todo._tasks_before_write() RETURNS pg_catalog.trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    NEW.title := pg_catalog.btrim(NEW.title, E' \t\r\n'::pg_catalog.text);
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE'::pg_catalog.text THEN
        NEW.updated_at := pg_catalog.now();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION todo._tasks_before_write() IS
    'row trigger: trims todo.tasks.title and keeps updated_at current';
-- Only the trigger calls it.
REVOKE ALL ON FUNCTION todo._tasks_before_write() FROM PUBLIC;

CREATE TRIGGER tasks_before_write BEFORE INSERT OR UPDATE ON todo.tasks
    FOR EACH ROW EXECUTE FUNCTION todo._tasks_before_write();

SELECT auth.enable_user_isolation('todo.tasks'::pg_catalog.regclass, 'user_id'::pg_catalog.name);

-- The tasks are user data: pg_dump must dump their rows (and where the id
-- sequence stands), not only the CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('todo.tasks'::pg_catalog.regclass, ''::pg_catalog.text);
SELECT pg_catalog.pg_extension_config_dump('todo.tasks_id_seq'::pg_catalog.regclass, ''::pg_catalog.text);
-- The database owner who installed the extension (Neon: not a superuser)
-- must be able to dump and restore them; RLS still applies to it unless it
-- has BYPASSRLS, which pg_dump/pg_restore need for a table with forced RLS.
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO @extowner@;
GRANT SELECT, UPDATE ON SEQUENCE todo.tasks_id_seq TO @extowner@;
