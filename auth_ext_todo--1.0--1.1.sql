/* auth_ext_todo--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION auth_ext_todo UPDATE TO '1.1'" to load this file. \quit

-- 1.1: security round 2 (docs/70_findings.md, issue 13).  The schema todo
-- is claimed by the bootstrap superuser (no object but ours may be in it,
-- no grant but USAGE to PUBLIC), and every function pins
-- search_path = pg_catalog, pg_temp with every name qualified.  Needs
-- auth_ext 1.2 (auth._claim_schema).
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
GRANT USAGE ON SCHEMA todo TO PUBLIC;

CREATE OR REPLACE FUNCTION todo._tasks_before_write() RETURNS pg_catalog.trigger
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

CREATE OR REPLACE FUNCTION todo.signup(email pg_catalog.text DEFAULT NULL::pg_catalog.text,
                            password pg_catalog.text DEFAULT NULL::pg_catalog.text,
                            name pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signup(signup.email, signup.password, signup.name) $$;

CREATE OR REPLACE FUNCTION todo.signin(email pg_catalog.text DEFAULT NULL::pg_catalog.text,
                            password pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signin(signin.email, signin.password) $$;

CREATE OR REPLACE FUNCTION todo.signout() RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signout() $$;

CREATE OR REPLACE FUNCTION todo.signout_everywhere() RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.signout_everywhere() $$;

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

-- 1.1: the recovery endpoints (issue 16), as src/todo/45_recovery.sql.
CREATE FUNCTION todo.change_password(current_password pg_catalog.text DEFAULT NULL::pg_catalog.text,
                                     new_password pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.change_password(change_password.current_password, change_password.new_password) $$;
COMMENT ON FUNCTION todo.change_password(pg_catalog.text, pg_catalog.text) IS
    'POST /rpc/change_password: 200 {"message"}, 400/401 {"error"}';

CREATE FUNCTION todo.request_password_reset(email pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.request_password_reset(request_password_reset.email) $$;
COMMENT ON FUNCTION todo.request_password_reset(pg_catalog.text) IS
    'POST /rpc/request_password_reset: 200 {"message"} whether the email exists or not';

CREATE FUNCTION todo.reset_password(token pg_catalog.text DEFAULT NULL::pg_catalog.text,
                                    new_password pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.reset_password(reset_password.token, reset_password.new_password) $$;
COMMENT ON FUNCTION todo.reset_password(pg_catalog.text, pg_catalog.text) IS
    'POST /rpc/reset_password: 200 {"message"} or 400 {"error"}';

CREATE FUNCTION todo.request_email_verification() RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.request_email_verification() $$;
COMMENT ON FUNCTION todo.request_email_verification() IS
    'POST /rpc/request_email_verification: 200 {"message"}, 401/429 {"error"}';

CREATE FUNCTION todo.verify_email(token pg_catalog.text DEFAULT NULL::pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth.verify_email(verify_email.token) $$;
COMMENT ON FUNCTION todo.verify_email(pg_catalog.text) IS
    'POST /rpc/verify_email: 200 {"message"} or 400 {"error"}';
