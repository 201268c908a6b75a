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

-- The tasks are the users' data: like auth.users they must survive pg_dump,
-- and a table created by an extension script is dumped only as an extension
-- configuration table; so is the position of its id sequence, or the first
-- task after a restore would reuse id 1.  (Harmless if 30_tasks.sql also
-- registers them: pg_extension_config_dump replaces the entry.)
SELECT pg_catalog.pg_extension_config_dump('todo.tasks', '');
SELECT pg_catalog.pg_extension_config_dump(
    pg_catalog.pg_get_serial_sequence('todo.tasks', 'id')::pg_catalog.regclass, '');

-- The objects of a trusted extension belong to the bootstrap superuser, so
-- a database owner who is not one (Neon) could not grant the app roles their
-- verbs on the tasks; the extension owner gets them with the grant option.
-- (Harmless if 30_tasks.sql grants the same.)
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO @extowner@ WITH GRANT OPTION;
