-- The todo app's account endpoints, for a PostgREST-style frontend:
-- POST /rpc/signup, /rpc/signin, /rpc/signout (and /rpc/signout_everywhere).
--
-- Thin wrappers over auth_ext's account functions, which set
-- response.status and return the JSON body.  Every parameter has a
-- default so that a request body missing a field reaches the function and
-- gets the contract's message ("Email is required") instead of PostgREST's
-- "function not found".

CREATE FUNCTION todo.signup(email pg_catalog.text DEFAULT NULL::pg_catalog.text,
                            password pg_catalog.text DEFAULT NULL::pg_catalog.text,
                            name pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signup(signup.email, signup.password, signup.name) $$;
COMMENT ON FUNCTION todo.signup(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
    'POST /rpc/signup: 201 {"user","token"} or 400 {"error"}';

CREATE FUNCTION todo.signin(email pg_catalog.text DEFAULT NULL::pg_catalog.text,
                            password pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signin(signin.email, signin.password) $$;
COMMENT ON FUNCTION todo.signin(pg_catalog.text, pg_catalog.text) IS
    'POST /rpc/signin: 200 {"user","token"} or 400 {"error"}';

CREATE FUNCTION todo.signout() RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signout() $$;
COMMENT ON FUNCTION todo.signout() IS
    'POST /rpc/signout: revokes the bearer token; 200 {"message"} even without one';

CREATE FUNCTION todo.signout_everywhere() RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signout_everywhere() $$;
COMMENT ON FUNCTION todo.signout_everywhere() IS
    'POST /rpc/signout_everywhere: revokes every token of the caller';

-- 30_tasks.sql registers the tasks for pg_dump and grants the extension
-- owner their verbs; the owner also needs the grant option, or a database
-- owner who is not a superuser (Neon; the objects of a trusted extension
-- belong to the bootstrap superuser) could not grant the app roles theirs.
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO @extowner@ WITH GRANT OPTION;
