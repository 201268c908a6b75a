-- The todo app's recovery endpoints (auth_ext's area 45), for a
-- PostgREST-style frontend: POST /rpc/change_password,
-- /rpc/request_password_reset, /rpc/reset_password,
-- /rpc/request_email_verification, /rpc/verify_email.  Thin wrappers like
-- those of 40_rpc.sql: every parameter has a default, so a missing field
-- gets the function's own message.

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
