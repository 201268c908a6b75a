/* auth_ext_todo--1.0.sql: the install script of auth_ext_todo 1.0 as released, frozen
   (generated then from src/todo; never regenerated).  Installing this version
   needs a superuser (auth_ext_todo--1.0.control): it predates the install-time
   hardening of 1.1. */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION auth_ext_todo" to load this file. \quit

-- ---- src/todo/00_base.sql ----
-- Base of auth_ext_todo: the schema todo is created by CREATE EXTENSION.
COMMENT ON SCHEMA todo IS 'the todo app on auth_ext';
GRANT USAGE ON SCHEMA todo TO PUBLIC;

-- ---- src/todo/30_tasks.sql ----
-- The todo app's tasks (identity area): one row per task, isolated per user
-- by auth.enable_user_isolation (RLS forced, even for the table owner).
--
-- No grants here: extensions do not create roles.  An application role
-- needs  GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO authenticated;
-- the anonymous role needs nothing (RLS gives it no rows even with grants).
-- See docs/30_identity.md.

CREATE TABLE todo.tasks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The caller by default; RLS refuses any other value.
    user_id     uuid NOT NULL DEFAULT auth.uid()
                REFERENCES auth.users (id) ON DELETE CASCADE,
    -- Trimmed by the trigger below before this check runs.
    title       text NOT NULL
                CONSTRAINT tasks_title_check
                CHECK (pg_catalog.char_length(title) OPERATOR(pg_catalog.>=) 1
                       AND pg_catalog.char_length(title) OPERATOR(pg_catalog.<=) 200),
    description text
                CONSTRAINT tasks_description_check
                CHECK (pg_catalog.char_length(description) OPERATOR(pg_catalog.<=) 1000),
    completed   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE todo.tasks IS
    'tasks of the todo app; each user sees and changes only their own (RLS)';

-- "My tasks, newest first"; it leads with user_id, so it also serves the
-- policies and auth.enable_user_isolation adds no second index.
CREATE INDEX tasks_user_id_created_at_idx ON todo.tasks (user_id, created_at DESC);

CREATE FUNCTION todo._tasks_before_write() RETURNS trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = ''
    AS $$
BEGIN
    NEW.title := pg_catalog.btrim(NEW.title, E' \t\r\n');
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
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

SELECT auth.enable_user_isolation('todo.tasks', 'user_id');

-- The tasks are user data: pg_dump must dump their rows (and where the id
-- sequence stands), not only the CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('todo.tasks', '');
SELECT pg_catalog.pg_extension_config_dump('todo.tasks_id_seq', '');
-- The database owner who installed the extension (Neon: not a superuser)
-- must be able to dump and restore them; RLS still applies to it unless it
-- has BYPASSRLS, which pg_dump/pg_restore need for a table with forced RLS.
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO @extowner@;
GRANT SELECT, UPDATE ON SEQUENCE todo.tasks_id_seq TO @extowner@;

-- ---- src/todo/40_rpc.sql ----
-- The todo app's account endpoints, for a PostgREST-style frontend:
-- POST /rpc/signup, /rpc/signin, /rpc/signout (and /rpc/signout_everywhere).
--
-- Thin wrappers over auth_ext's account functions, which set
-- response.status and return the JSON body.  Every parameter has a
-- default so that a request body missing a field reaches the function and
-- gets the contract's message ("Email is required") instead of PostgREST's
-- "function not found".

CREATE FUNCTION todo.signup(email text DEFAULT NULL, password text DEFAULT NULL,
                            name text DEFAULT NULL) RETURNS jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT auth.signup(email, password, name) $$;
COMMENT ON FUNCTION todo.signup(text, text, text) IS
    'POST /rpc/signup: 201 {"user","token"} or 400 {"error"}';

CREATE FUNCTION todo.signin(email text DEFAULT NULL, password text DEFAULT NULL) RETURNS jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT auth.signin(email, password) $$;
COMMENT ON FUNCTION todo.signin(text, text) IS
    'POST /rpc/signin: 200 {"user","token"} or 400 {"error"}';

CREATE FUNCTION todo.signout() RETURNS jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT auth.signout() $$;
COMMENT ON FUNCTION todo.signout() IS
    'POST /rpc/signout: revokes the bearer token; 200 {"message"} even without one';

CREATE FUNCTION todo.signout_everywhere() RETURNS jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT auth.signout_everywhere() $$;
COMMENT ON FUNCTION todo.signout_everywhere() IS
    'POST /rpc/signout_everywhere: revokes every token of the caller';

-- 30_tasks.sql registers the tasks for pg_dump and grants the extension
-- owner their verbs; the owner also needs the grant option, or a database
-- owner who is not a superuser (Neon; the objects of a trusted extension
-- belong to the bootstrap superuser) could not grant the app roles theirs.
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO @extowner@ WITH GRANT OPTION;

