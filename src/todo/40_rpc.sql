-- The todo app's account endpoints, for a PostgREST-style frontend:
-- POST /rpc/signup, /rpc/signin, /rpc/signout (and /rpc/signout_everywhere),
-- /rpc/refresh, /rpc/sessions, /rpc/revoke_session.
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

-- Sessions and refresh tokens (auth_ext 1.2, docs/40_accounts.md).
CREATE FUNCTION todo.refresh(refresh_token pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.refresh(refresh.refresh_token) $$;
COMMENT ON FUNCTION todo.refresh(pg_catalog.text) IS
    'POST /rpc/refresh: 200 {"user","token","refresh_token","expires_in"} or 401 {"error"}';

CREATE FUNCTION todo.sessions() RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.sessions() $$;
COMMENT ON FUNCTION todo.sessions() IS
    'POST /rpc/sessions: 200 [sessions of the caller, the current one marked] or 401 {"error"}';

CREATE FUNCTION todo.revoke_session(id pg_catalog.uuid DEFAULT NULL::pg_catalog.uuid) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.revoke_session(revoke_session.id) $$;
COMMENT ON FUNCTION todo.revoke_session(pg_catalog.uuid) IS
    'POST /rpc/revoke_session: ends one session of the caller; 200 {"message"}, 404 or 401 {"error"}';

-- 30_tasks.sql registers the tasks for pg_dump and grants the extension
-- owner their verbs; the owner also needs the grant option, or a database
-- owner who is not a superuser (Neon; the objects of a trusted extension
-- belong to the bootstrap superuser) could not grant the app roles theirs.
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO @extowner@ WITH GRANT OPTION;
