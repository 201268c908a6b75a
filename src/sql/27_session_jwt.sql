-- Neon's pg_session_jwt vocabulary (issue 15, item 5; src/identity/session_jwt.c).
-- auth.jwt_session_init (= jwt_verify), auth.session (= jwt), auth.user_id
-- and auth.uid are declared with their areas; auth.init() is the one name
-- that was missing.  There it loads the session's key from the setting
-- pg_session_jwt.jwk; here it is a setup check (README "Moving from
-- pg_session_jwt"): 22023 when that setting is set (auth_ext never reads a
-- key from a setting), 55000 when no key could verify a token; otherwise it
-- warms this backend's keyring and issuer caches.  Everyone may call it.

CREATE FUNCTION auth.init() RETURNS pg_catalog.void
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_init';
COMMENT ON FUNCTION auth.init() IS
    'pg_session_jwt name: setup check (22023 if the setting pg_session_jwt.jwk is set, which auth_ext never reads; 55000 if no key could verify a token); loads the keyring and trusted issuers';
