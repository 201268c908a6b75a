-- Sessions and refresh tokens (area 40, issue 16; docs/40_accounts.md,
-- "Sessions and refresh tokens").
--
-- Every sign-up and sign-in starts a session: a row of auth.sessions, whose
-- id is the "sid" claim of every access token minted for it, and a refresh
-- token (auth.refresh_tokens keeps its SHA-256 only) that auth.refresh()
-- trades for a new access token and a new refresh token (rotation).  Ending
-- a session deletes its row and writes "sid:<id>" into auth.revocations,
-- which jwt_verify's revocation check (src/tokens/revocation.c) reads in the same
-- index probe as jti: and sub:, so its access tokens stop verifying at
-- once in every backend, cached ones included.  The C helpers (settings,
-- refresh-token randomness, hash and sealing) are src/accounts/sessions.c.
--
-- Application roles never read these tables: they go through
-- auth.sessions(), auth.revoke_session(), auth.refresh(), auth.signout()
-- and auth.signout_everywhere(), SECURITY DEFINER functions owned by the
-- extension's owner that only ever touch the caller's own sessions.

-- ---- tables -----------------------------------------------------------------

CREATE TABLE auth.sessions (
    id               pg_catalog.uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    user_id          pg_catalog.uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    created_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    -- the sign-in or the last refresh; accounts.session_idle_seconds counts from here
    last_used_at     pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    user_agent       pg_catalog.text
                     CONSTRAINT sessions_user_agent_check
                     CHECK (pg_catalog.char_length(user_agent) OPERATOR(pg_catalog.<=) 512),
    -- authenticator assurance level: aal1 = one factor (a password)
    aal              pg_catalog.text NOT NULL DEFAULT 'aal1'::pg_catalog.text
                     CONSTRAINT sessions_aal_check
                     CHECK (aal OPERATOR(pg_catalog.=) ANY (ARRAY['aal1'::pg_catalog.text, 'aal2'::pg_catalog.text])),
    -- the latest exp of the access tokens minted for it: how long the
    -- sid: revocation must be kept when the session ends
    token_expires_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX sessions_user_id_idx ON auth.sessions (user_id);
COMMENT ON TABLE auth.sessions IS
    'live sessions: one per sign-in, named by the sid claim of its access tokens';
REVOKE ALL ON auth.sessions FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.sessions'::pg_catalog.regclass, ''::pg_catalog.text);

-- Every refresh token a live session was given: the current one
-- (rotated_at IS NULL) and the rotated ones, kept for reuse detection while
-- the session lives (deleted with it).  Only SHA-256 of the token is
-- stored; a rotated row keeps its successor sealed with a pad only the
-- holder of the rotated token can compute (src/accounts/sessions.c).
CREATE TABLE auth.refresh_tokens (
    hash       pg_catalog.bytea PRIMARY KEY
               CONSTRAINT refresh_tokens_hash_check
               CHECK (pg_catalog.length(hash) OPERATOR(pg_catalog.=) 32),
    session_id pg_catalog.uuid NOT NULL REFERENCES auth.sessions (id) ON DELETE CASCADE,
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    rotated_at pg_catalog.timestamptz,
    successor  pg_catalog.bytea,
    CONSTRAINT refresh_tokens_rotation_check
        CHECK ((rotated_at IS NULL) OPERATOR(pg_catalog.=) (successor IS NULL))
);
CREATE INDEX refresh_tokens_session_id_idx ON auth.refresh_tokens (session_id);
COMMENT ON TABLE auth.refresh_tokens IS
    'refresh tokens of the live sessions, by SHA-256: the current one and the rotated ones';
REVOKE ALL ON auth.refresh_tokens FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.refresh_tokens'::pg_catalog.regclass, ''::pg_catalog.text);

GRANT SELECT, INSERT, UPDATE, DELETE ON auth.sessions, auth.refresh_tokens TO @extowner@;

-- ---- C helpers (src/accounts/sessions.c) ----------------------------------------------

CREATE FUNCTION auth._sessions_policy(
    OUT access_token_seconds pg_catalog.int4, OUT session_idle_seconds pg_catalog.int4,
    OUT session_max_seconds pg_catalog.int4, OUT refresh_reuse_interval_seconds pg_catalog.int4)
    RETURNS pg_catalog.record
    -- UNSAFE: may load the settings cache, which takes a fresh snapshot.
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_sessions_policy';
COMMENT ON FUNCTION auth._sessions_policy() IS
    'the accounts.* settings of sessions in force (token lifetime, idle and absolute limits, reuse interval)';
REVOKE ALL ON FUNCTION auth._sessions_policy() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._sessions_policy() TO @extowner@;

CREATE FUNCTION auth._refresh_token() RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_token';
COMMENT ON FUNCTION auth._refresh_token() IS
    'a new refresh token: 256 bits from OpenSSL RAND_bytes, base64url';
REVOKE ALL ON FUNCTION auth._refresh_token() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._refresh_token() TO @extowner@;

CREATE FUNCTION auth._refresh_hash(token pg_catalog.text) RETURNS pg_catalog.bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_hash';
COMMENT ON FUNCTION auth._refresh_hash(pg_catalog.text) IS
    'SHA-256 of a refresh token (what auth.refresh_tokens stores); NULL for a text that is not one';
REVOKE ALL ON FUNCTION auth._refresh_hash(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._refresh_hash(pg_catalog.text) TO @extowner@;

CREATE FUNCTION auth._refresh_seal(token pg_catalog.text, successor pg_catalog.text) RETURNS pg_catalog.bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_seal';
COMMENT ON FUNCTION auth._refresh_seal(pg_catalog.text, pg_catalog.text) IS
    'successor XOR HMAC-SHA256(token, label): the successor, recoverable only with token';
REVOKE ALL ON FUNCTION auth._refresh_seal(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._refresh_seal(pg_catalog.text, pg_catalog.text) TO @extowner@;

CREATE FUNCTION auth._refresh_unseal(token pg_catalog.text, sealed pg_catalog.bytea) RETURNS pg_catalog.text
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_unseal';
COMMENT ON FUNCTION auth._refresh_unseal(pg_catalog.text, pg_catalog.bytea) IS
    'the successor sealed by auth._refresh_seal(token, successor)';
REVOKE ALL ON FUNCTION auth._refresh_unseal(pg_catalog.text, pg_catalog.bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._refresh_unseal(pg_catalog.text, pg_catalog.bytea) TO @extowner@;

-- ---- internal ---------------------------------------------------------------

-- When a session with these times ends (idle or absolute limit, whichever
-- comes first); NULL: never.
CREATE FUNCTION auth._session_ends(created_at pg_catalog.timestamptz, last_used_at pg_catalog.timestamptz)
    RETURNS pg_catalog.timestamptz
    LANGUAGE sql STABLE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT LEAST(
    CASE WHEN p.session_idle_seconds OPERATOR(pg_catalog.>) 0
         THEN _session_ends.last_used_at OPERATOR(pg_catalog.+)
              pg_catalog.make_interval(secs => p.session_idle_seconds::pg_catalog.float8) END,
    CASE WHEN p.session_max_seconds OPERATOR(pg_catalog.>) 0
         THEN _session_ends.created_at OPERATOR(pg_catalog.+)
              pg_catalog.make_interval(secs => p.session_max_seconds::pg_catalog.float8) END)
  FROM auth._sessions_policy() p
$$;
COMMENT ON FUNCTION auth._session_ends(pg_catalog.timestamptz, pg_catalog.timestamptz) IS
    'end of a session created and last used at these times (accounts.session_idle_seconds, session_max_seconds); NULL: never';
REVOKE ALL ON FUNCTION auth._session_ends(pg_catalog.timestamptz, pg_catalog.timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._session_ends(pg_catalog.timestamptz, pg_catalog.timestamptz) TO @extowner@;

-- Ends sessions of user_id: only_session (NULL: all of them) except
-- keep_session (NULL: none kept).  Deletes them (their refresh tokens go
-- with them) and revokes, by sid, those whose access tokens have not all
-- expired yet.  Returns how many live (not yet expired) sessions it ended.
CREATE FUNCTION auth._end_sessions(user_id pg_catalog.uuid, only_session pg_catalog.uuid,
                                   keep_session pg_catalog.uuid)
    RETURNS pg_catalog.int4
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_ended pg_catalog.int4;
BEGIN
    WITH ended AS (
        DELETE FROM auth.sessions s
         WHERE s.user_id OPERATOR(pg_catalog.=) _end_sessions.user_id
           AND (_end_sessions.only_session IS NULL OR s.id OPERATOR(pg_catalog.=) _end_sessions.only_session)
           AND (_end_sessions.keep_session IS NULL OR s.id OPERATOR(pg_catalog.<>) _end_sessions.keep_session)
        RETURNING s.id, s.created_at, s.last_used_at, s.token_expires_at
    ), revoked AS (
        -- Kept until the last access token that may carry the sid expires:
        -- the latest exp recorded, or the latest exp a mint could have given
        -- now (accounts.access_token_seconds, within session_max_seconds),
        -- for a token minted by a refresh whose transaction was rolled back
        -- (its exp was never recorded: docs/70_findings.md, R7).
        INSERT INTO auth.revocations (key, expires_at)
            SELECT 'sid:'::pg_catalog.text OPERATOR(pg_catalog.||) e.id::pg_catalog.text, x.until
              FROM ended e, auth._sessions_policy() p,
                   LATERAL (SELECT GREATEST(e.token_expires_at,
                       CASE WHEN p.session_max_seconds OPERATOR(pg_catalog.>) 0
                            THEN LEAST(pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+)
                                           pg_catalog.make_interval(secs => p.access_token_seconds::pg_catalog.float8),
                                       e.created_at OPERATOR(pg_catalog.+)
                                           pg_catalog.make_interval(secs => p.session_max_seconds::pg_catalog.float8))
                            ELSE pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+)
                                     pg_catalog.make_interval(secs => p.access_token_seconds::pg_catalog.float8)
                       END) AS until) x
             WHERE x.until OPERATOR(pg_catalog.>) pg_catalog.now()
            ON CONFLICT (key) DO NOTHING
    )
    SELECT pg_catalog.count(*) FILTER (WHERE coalesce(
               auth._session_ends(e.created_at, e.last_used_at) OPERATOR(pg_catalog.>) pg_catalog.now(), true))
      INTO v_ended FROM ended e;
    RETURN v_ended;
END
$$;
COMMENT ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid, pg_catalog.uuid) IS
    'ends sessions of a user (one, or all but one): deletes them, revokes their access tokens by sid; returns how many live ones ended';
REVOKE ALL ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid, pg_catalog.uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid, pg_catalog.uuid) TO @extowner@;

-- The primitive of password change and reset (45_recovery.sql): every
-- session of the user but keep_session (NULL: all) ends.
CREATE FUNCTION auth._end_sessions(user_id pg_catalog.uuid, keep_session pg_catalog.uuid DEFAULT NULL)
    RETURNS pg_catalog.int4
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT auth._end_sessions(_end_sessions.user_id, NULL::pg_catalog.uuid, _end_sessions.keep_session) $$;
COMMENT ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid) IS
    'ends every session of a user except keep_session (NULL: all); their access and refresh tokens stop working at once; returns how many live ones ended';
REVOKE ALL ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid) TO @extowner@;

-- The session of the current token: its sid when that names a live
-- session of auth.uid(), else NULL (no token, a token without sid, a
-- trusted issuer's token, an ended or expired session).
CREATE FUNCTION auth._current_session() RETURNS pg_catalog.uuid
    LANGUAGE sql STABLE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT s.id FROM auth.sessions s
 WHERE s.user_id OPERATOR(pg_catalog.=) auth.uid()
   AND s.id::pg_catalog.text OPERATOR(pg_catalog.=) (auth.jwt() OPERATOR(pg_catalog.->>) 'sid'::pg_catalog.text)
   AND coalesce(auth._session_ends(s.created_at, s.last_used_at) OPERATOR(pg_catalog.>) pg_catalog.now(), true)
$$;
COMMENT ON FUNCTION auth._current_session() IS
    'sid of the current token when it names a live session of auth.uid(), else NULL';
REVOKE ALL ON FUNCTION auth._current_session() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._current_session() TO @extowner@;

-- Mints an access token for the session and returns the body of sign-up,
-- sign-in and refresh: {"user", "token", "refresh_token", "expires_in"};
-- sets response.status.  The token carries sid and expires after
-- accounts.access_token_seconds, or when the session reaches
-- accounts.session_max_seconds if that is sooner.  The one place claims
-- of minted tokens are chosen.
CREATE FUNCTION auth._session_body(session_id pg_catalog.uuid, refresh_token pg_catalog.text,
                                   status pg_catalog.int4)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_now    pg_catalog.int8 := pg_catalog.floor(pg_catalog.date_part('epoch'::pg_catalog.text,
                                    pg_catalog.clock_timestamp()))::pg_catalog.int8;
    v_policy pg_catalog.record;
    v_user   pg_catalog.record;
    v_exp    pg_catalog.int8;
    v_token  pg_catalog.text;
BEGIN
    SELECT * INTO v_policy FROM auth._sessions_policy();
    SELECT u.id, u.email, u.name, s.created_at, u.email_verified_at IS NOT NULL AS email_verified INTO v_user
      FROM auth.sessions s JOIN auth.users u ON u.id OPERATOR(pg_catalog.=) s.user_id
     WHERE s.id OPERATOR(pg_catalog.=) _session_body.session_id;
    v_exp := v_now OPERATOR(pg_catalog.+) v_policy.access_token_seconds;
    IF v_policy.session_max_seconds OPERATOR(pg_catalog.>) 0 THEN
        v_exp := LEAST(v_exp, pg_catalog.floor(pg_catalog.date_part('epoch'::pg_catalog.text, v_user.created_at))::pg_catalog.int8
                                OPERATOR(pg_catalog.+) v_policy.session_max_seconds);
    END IF;
    v_token := auth.jwt_sign(pg_catalog.jsonb_build_object(
        'sub'::pg_catalog.text, v_user.id::pg_catalog.text,
        'user_id'::pg_catalog.text, v_user.id::pg_catalog.text,
        'email'::pg_catalog.text, v_user.email,
        'name'::pg_catalog.text, v_user.name,
        'email_verified'::pg_catalog.text, v_user.email_verified,
        'role'::pg_catalog.text, (SELECT p.token_role FROM auth._accounts_policy() p),
        'sid'::pg_catalog.text, _session_body.session_id::pg_catalog.text,
        -- iat and exp from one clock reading: the token lives exactly
        -- access_token_seconds (jwt_sign's default iat is the statement's
        -- start, a second or more before a slow sign-in ends: R5)
        'iat'::pg_catalog.text, v_now,
        'exp'::pg_catalog.text, v_exp));
    UPDATE auth.sessions s
       SET token_expires_at = GREATEST(s.token_expires_at, pg_catalog.to_timestamp(v_exp::pg_catalog.float8))
     WHERE s.id OPERATOR(pg_catalog.=) _session_body.session_id;
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, _session_body.status::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object(
        'user'::pg_catalog.text, pg_catalog.jsonb_build_object(
            'id'::pg_catalog.text, v_user.id, 'email'::pg_catalog.text, v_user.email,
            'name'::pg_catalog.text, v_user.name),
        'token'::pg_catalog.text, v_token,
        'refresh_token'::pg_catalog.text, _session_body.refresh_token,
        'expires_in'::pg_catalog.text, GREATEST(v_exp OPERATOR(pg_catalog.-) v_now, 0::pg_catalog.int8));
END
$$;
COMMENT ON FUNCTION auth._session_body(pg_catalog.uuid, pg_catalog.text, pg_catalog.int4) IS
    'mints the access token of a session; returns {"user","token","refresh_token","expires_in"} and sets response.status';
REVOKE ALL ON FUNCTION auth._session_body(pg_catalog.uuid, pg_catalog.text, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._session_body(pg_catalog.uuid, pg_catalog.text, pg_catalog.int4) TO @extowner@;

-- Starts a session of the user (sign-up, sign-in): its row, with the
-- request's user-agent when there is one, and its first refresh token.
-- Sessions of the user that ended by themselves and whose access tokens
-- have all expired are purged on the way (they need no revocation).
CREATE FUNCTION auth._session_start(user_id pg_catalog.uuid, status pg_catalog.int4)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_headers pg_catalog.text := pg_catalog.current_setting('request.headers'::pg_catalog.text, true);
    v_agent   pg_catalog.text;
    v_id      pg_catalog.uuid;
    v_refresh pg_catalog.text := auth._refresh_token();
BEGIN
    IF v_headers IS NOT NULL AND v_headers OPERATOR(pg_catalog.<>) ''::pg_catalog.text THEN
        -- The client's word, shown in auth.sessions() only: headers that are
        -- not JSON (any role can set request.headers) give no user-agent
        -- instead of failing the sign-in (docs/70_findings.md, R1).
        BEGIN
            v_agent := pg_catalog.left(v_headers::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'user-agent'::pg_catalog.text, 512);
        EXCEPTION WHEN data_exception OR statement_too_complex THEN
            v_agent := NULL;
        END;
    END IF;
    DELETE FROM auth.sessions s
     WHERE s.user_id OPERATOR(pg_catalog.=) _session_start.user_id
       AND s.token_expires_at OPERATOR(pg_catalog.<) pg_catalog.now()
       AND auth._session_ends(s.created_at, s.last_used_at) OPERATOR(pg_catalog.<) pg_catalog.now();
    INSERT INTO auth.sessions (user_id, user_agent) VALUES (_session_start.user_id, v_agent)
        RETURNING id INTO v_id;
    INSERT INTO auth.refresh_tokens (hash, session_id) VALUES (auth._refresh_hash(v_refresh), v_id);
    RETURN auth._session_body(v_id, v_refresh, _session_start.status);
END
$$;
COMMENT ON FUNCTION auth._session_start(pg_catalog.uuid, pg_catalog.int4) IS
    'starts a session of a user (row, first refresh token) and returns the sign-up/sign-in body';
REVOKE ALL ON FUNCTION auth._session_start(pg_catalog.uuid, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._session_start(pg_catalog.uuid, pg_catalog.int4) TO @extowner@;

-- ---- the endpoints ----------------------------------------------------------

-- The live sessions of the current user, most recently used first:
-- 200 [{"id","created_at","last_used_at","user_agent","aal","expires_at","current"}],
-- 401 {"error"} without a token of a local user (auth.uid() is NULL for a
-- trusted issuer's token: docs/30_identity.md).  Only reads: works on a
-- hot standby.
CREATE FUNCTION auth.sessions() RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_uid  pg_catalog.uuid := auth.uid();
    v_sid  pg_catalog.text := auth.jwt() OPERATOR(pg_catalog.->>) 'sid'::pg_catalog.text;
    v_list pg_catalog.jsonb;
BEGIN
    IF v_uid IS NULL THEN
        RETURN auth._fail('Not signed in'::pg_catalog.text, 401);
    END IF;
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
               'id'::pg_catalog.text, l.id,
               'created_at'::pg_catalog.text, l.created_at,
               'last_used_at'::pg_catalog.text, l.last_used_at,
               'user_agent'::pg_catalog.text, l.user_agent,
               'aal'::pg_catalog.text, l.aal,
               'expires_at'::pg_catalog.text, l.ends,
               'current'::pg_catalog.text, coalesce(l.id::pg_catalog.text OPERATOR(pg_catalog.=) v_sid, false))
             ORDER BY l.last_used_at DESC, l.id), '[]'::pg_catalog.jsonb)
      INTO v_list
      FROM (SELECT s.id, s.created_at, s.last_used_at, s.user_agent, s.aal,
                   auth._session_ends(s.created_at, s.last_used_at) AS ends
              FROM auth.sessions s
             WHERE s.user_id OPERATOR(pg_catalog.=) v_uid) l
     WHERE l.ends IS NULL OR l.ends OPERATOR(pg_catalog.>) pg_catalog.now();
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN v_list;
END
$$;
COMMENT ON FUNCTION auth.sessions() IS
    'the live sessions of the current user, the current one marked; 401 {"error"} without a token';

-- Ends one session of the current user: 200 {"message"}, 404 {"error"}
-- when the user has no such live session (someone else's is "not found"
-- too), 401 {"error"} without a token.
CREATE FUNCTION auth.revoke_session(id pg_catalog.uuid) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_uid pg_catalog.uuid := auth.uid();
BEGIN
    IF v_uid IS NULL THEN
        RETURN auth._fail('Not signed in'::pg_catalog.text, 401);
    END IF;
    IF revoke_session.id IS NULL
       OR auth._end_sessions(v_uid, revoke_session.id, NULL::pg_catalog.uuid) OPERATOR(pg_catalog.=) 0 THEN
        RETURN auth._fail('Session not found'::pg_catalog.text, 404);
    END IF;
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Session revoked'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.revoke_session(pg_catalog.uuid) IS
    'ends one session of the current user; 200 {"message"}, 404 {"error"} if it has no such live session, 401 without a token';

-- Trades a refresh token for a new access token and a new refresh token
-- (rotation).  The session's row is locked first, so refreshes of one
-- session run one at a time.  A rotated token presented again ends the
-- session (reuse detection: someone else holds a copy), unless it was
-- rotated less than accounts.refresh_reuse_interval_seconds ago: then it
-- returns the same successor (concurrent refreshes, e.g. two tabs), which
-- it unseals with the presented token.  Every failure is the same
-- 401 {"error"}.  Writes: refused on a hot standby or in a read-only
-- transaction, with 25006.
CREATE FUNCTION auth.refresh(refresh_token pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_hash    pg_catalog.bytea := auth._refresh_hash(refresh.refresh_token);
    v_session pg_catalog.uuid;
    v_s       pg_catalog.record;
    v_t       pg_catalog.record;
    v_ends    pg_catalog.timestamptz;
    v_cur     pg_catalog.text := refresh.refresh_token;
    v_next    pg_catalog.text;
    v_steps   pg_catalog.int4 := 0;
BEGIN
    IF pg_catalog.pg_is_in_recovery()
       OR pg_catalog.current_setting('transaction_read_only'::pg_catalog.text) OPERATOR(pg_catalog.=) 'on'::pg_catalog.text THEN
        RAISE EXCEPTION 'cannot refresh a session in a read-only transaction'
            USING ERRCODE = '25006',
                  DETAIL = 'A refresh rotates the refresh token, which writes; this server is a hot standby or the transaction is read only.',
                  HINT = 'Send auth.refresh() to the primary, in a read-write transaction (POST, not GET).';
    END IF;
    SELECT t.session_id INTO v_session FROM auth.refresh_tokens t WHERE t.hash OPERATOR(pg_catalog.=) v_hash;
    IF v_session IS NULL THEN
        RETURN auth._fail('Invalid or expired refresh token, please sign in again'::pg_catalog.text, 401);
    END IF;
    -- One refresh of a session at a time; then the token is read again,
    -- with what the refreshes before this one committed.
    SELECT s.id, s.user_id, s.created_at, s.last_used_at INTO v_s
      FROM auth.sessions s WHERE s.id OPERATOR(pg_catalog.=) v_session FOR UPDATE;
    IF NOT FOUND THEN
        RETURN auth._fail('Invalid or expired refresh token, please sign in again'::pg_catalog.text, 401);
    END IF;
    SELECT t.rotated_at, t.successor INTO v_t
      FROM auth.refresh_tokens t WHERE t.hash OPERATOR(pg_catalog.=) v_hash;
    IF NOT FOUND THEN
        RETURN auth._fail('Invalid or expired refresh token, please sign in again'::pg_catalog.text, 401);
    END IF;
    v_ends := auth._session_ends(v_s.created_at, v_s.last_used_at);
    IF v_ends IS NOT NULL AND v_ends OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
        PERFORM auth._end_sessions(v_s.user_id, v_s.id, NULL::pg_catalog.uuid);
        RETURN auth._fail('Invalid or expired refresh token, please sign in again'::pg_catalog.text, 401);
    END IF;

    IF v_t.rotated_at IS NULL THEN
        -- rotation
        v_next := auth._refresh_token();
        INSERT INTO auth.refresh_tokens (hash, session_id) VALUES (auth._refresh_hash(v_next), v_s.id);
        UPDATE auth.refresh_tokens t
           SET rotated_at = pg_catalog.clock_timestamp(),
               successor = auth._refresh_seal(refresh.refresh_token, v_next)
         WHERE t.hash OPERATOR(pg_catalog.=) v_hash;
        -- A seal serves only in the grace window: past it, erased (empty), so
        -- that an old token and a copy of this table (a dump, a backup) do
        -- not unseal the chain up to the current token (docs/70_findings.md, R2).
        UPDATE auth.refresh_tokens t SET successor = ''::pg_catalog.bytea
         WHERE t.session_id OPERATOR(pg_catalog.=) v_s.id
           AND pg_catalog.octet_length(t.successor) OPERATOR(pg_catalog.>) 0
           AND t.rotated_at OPERATOR(pg_catalog.<=) (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-)
               pg_catalog.make_interval(secs => (SELECT p.refresh_reuse_interval_seconds FROM auth._sessions_policy() p)::pg_catalog.float8));
        -- The 100 most recently rotated tokens are kept for reuse detection,
        -- older ones dropped: a session refreshed in a loop stays bounded (R3).
        DELETE FROM auth.refresh_tokens t
         WHERE t.hash OPERATOR(pg_catalog.=) ANY (ARRAY(
               SELECT o.hash FROM auth.refresh_tokens o
                WHERE o.session_id OPERATOR(pg_catalog.=) v_s.id AND o.rotated_at IS NOT NULL
                ORDER BY o.rotated_at DESC, o.hash OFFSET 100));
    ELSIF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) v_t.rotated_at OPERATOR(pg_catalog.<=)
          pg_catalog.make_interval(secs => (SELECT p.refresh_reuse_interval_seconds FROM auth._sessions_policy() p)::pg_catalog.float8) THEN
        -- grace window: follow the chain to the current token
        LOOP
            v_next := auth._refresh_unseal(v_cur, v_t.successor);
            v_steps := v_steps OPERATOR(pg_catalog.+) 1;
            SELECT t.rotated_at, t.successor INTO v_t
              FROM auth.refresh_tokens t
             WHERE t.hash OPERATOR(pg_catalog.=) auth._refresh_hash(v_next)
               AND t.session_id OPERATOR(pg_catalog.=) v_s.id;
            EXIT WHEN NOT FOUND OR v_t.rotated_at IS NULL OR v_steps OPERATOR(pg_catalog.>=) 1000;
            v_cur := v_next;
        END LOOP;
        IF NOT FOUND OR v_t.rotated_at IS NOT NULL THEN
            PERFORM auth._end_sessions(v_s.user_id, v_s.id, NULL::pg_catalog.uuid);
            RETURN auth._fail('Invalid or expired refresh token, please sign in again'::pg_catalog.text, 401);
        END IF;
    ELSE
        -- reuse of a rotated token: a copy is in other hands; end the session
        PERFORM auth._end_sessions(v_s.user_id, v_s.id, NULL::pg_catalog.uuid);
        RETURN auth._fail('Invalid or expired refresh token, please sign in again'::pg_catalog.text, 401);
    END IF;
    UPDATE auth.sessions s SET last_used_at = pg_catalog.now() WHERE s.id OPERATOR(pg_catalog.=) v_s.id;
    RETURN auth._session_body(v_s.id, v_next, 200);
END
$$;
COMMENT ON FUNCTION auth.refresh(pg_catalog.text) IS
    'rotates a refresh token: 200 {"user","token","refresh_token","expires_in"}, 401 {"error"}; reuse of a rotated token ends the session';

-- Owned by the extension's owner, like the account functions (40_accounts.sql).
ALTER FUNCTION auth.sessions() OWNER TO @extowner@;
ALTER FUNCTION auth.revoke_session(pg_catalog.uuid) OWNER TO @extowner@;
ALTER FUNCTION auth.refresh(pg_catalog.text) OWNER TO @extowner@;
