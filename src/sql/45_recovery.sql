-- Recovery (area 45): password change, password reset, email verification
-- and the outbox a mailer reads.
--
-- Like the account functions of 40_accounts.sql these return the JSON body
-- and set response.status, are SECURITY DEFINER owned by the extension
-- owner, pin search_path = pg_catalog, pg_temp and qualify every name.
--
-- One-time tokens (src/accounts/recovery.c, auth._recovery_token): 256 random bits
-- from OpenSSL, base64url.  auth.recovery_tokens keeps only their SHA-256;
-- the token itself is written once, to auth.outbox, for the application's
-- mailer, announced with NOTIFY auth_outbox.  Neither table is readable by
-- application roles, and neither is dumped (a backup must not carry live
-- reset links; pending requests are simply requested again after a restore).

-- ---- users: verified email ------------------------------------------------

-- When the user proved they read the mail sent to email (auth.verify_email);
-- NULL: not verified.  Tokens minted afterwards carry email_verified: true.
ALTER TABLE auth.users ADD COLUMN email_verified_at pg_catalog.timestamptz;

-- ---- tables ---------------------------------------------------------------

-- One-time tokens, by the SHA-256 of the token.  The row is deleted when
-- the token is used (so it works once), when another reset of the same user
-- succeeds, with its user, or once expired (purged by later requests).
CREATE TABLE auth.recovery_tokens (
    token_hash  pg_catalog.bytea PRIMARY KEY,
    kind        pg_catalog.text NOT NULL
                CONSTRAINT recovery_tokens_kind_check
                CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['reset_password', 'verify_email']::pg_catalog.text[])),
    user_id     pg_catalog.uuid NOT NULL
                CONSTRAINT recovery_tokens_user_id_fkey REFERENCES auth.users (id) ON DELETE CASCADE,
    -- the address the token was sent to: it serves only while the account
    -- still has that email
    email       pg_catalog.text NOT NULL,
    expires_at  pg_catalog.timestamptz NOT NULL,
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX recovery_tokens_user_id_idx ON auth.recovery_tokens (user_id);
CREATE INDEX recovery_tokens_expires_at_idx ON auth.recovery_tokens (expires_at);
COMMENT ON TABLE auth.recovery_tokens IS
    'one-time password reset and email verification tokens, by their SHA-256 (not dumped)';
REVOKE ALL ON auth.recovery_tokens FROM PUBLIC;

-- What the application's mailer sends: one row per email to send, with the
-- token in clear (the only place it is).  The mailer, connected as the
-- extension owner, LISTENs on auth_outbox, reads the rows, sends them and
-- deletes them (docs/40_accounts.md, "The outbox").  Rows older than the
-- longest token lifetime are purged by later requests.
CREATE TABLE auth.outbox (
    id          pg_catalog.int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        pg_catalog.text NOT NULL
                CONSTRAINT outbox_kind_check
                CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['reset_password', 'verify_email']::pg_catalog.text[])),
    email       pg_catalog.text NOT NULL,
    token       pg_catalog.text NOT NULL,
    created_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX outbox_created_at_idx ON auth.outbox (created_at);
COMMENT ON TABLE auth.outbox IS
    'emails for the application''s mailer (reset and verification tokens in clear); NOTIFY auth_outbox; extension owner only, not dumped';
REVOKE ALL ON auth.outbox FROM PUBLIC;

-- Requests per (kind, email) in the current hour, known emails or not:
-- request_password_reset writes here in the same way for both, so the
-- rate limit reveals nothing and every request commits a write.
CREATE TABLE auth.recovery_requests (
    kind         pg_catalog.text NOT NULL,
    email        pg_catalog.text NOT NULL,
    window_start pg_catalog.timestamptz NOT NULL,
    requests     pg_catalog.int4 NOT NULL,
    CONSTRAINT recovery_requests_pkey PRIMARY KEY (kind, email)
);
CREATE INDEX recovery_requests_window_start_idx ON auth.recovery_requests (window_start);
COMMENT ON TABLE auth.recovery_requests IS
    'reset and verification requests per email in the current hour (rate limit; not dumped)';
REVOKE ALL ON auth.recovery_requests FROM PUBLIC;

-- The extension owner's mailer reads and deletes the outbox; the recovery
-- functions run as the owner and write all three (UPDATE: their purges
-- lock the rows they delete, FOR UPDATE SKIP LOCKED).
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.outbox, auth.recovery_tokens TO @extowner@;
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.recovery_requests TO @extowner@;

-- ---- C helpers (src/accounts/recovery.c) -------------------------------------------

CREATE FUNCTION auth._recovery_policy(
    OUT reset_token_seconds pg_catalog.int4, OUT verify_token_seconds pg_catalog.int4,
    OUT requests_per_hour pg_catalog.int4)
    RETURNS pg_catalog.record
    -- UNSAFE: may load the settings cache, which takes a fresh snapshot.
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_recovery_policy';
COMMENT ON FUNCTION auth._recovery_policy() IS
    'the accounts.* settings of password reset and email verification';
REVOKE ALL ON FUNCTION auth._recovery_policy() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._recovery_policy() TO @extowner@;

CREATE FUNCTION auth._recovery_token() RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_recovery_token';
COMMENT ON FUNCTION auth._recovery_token() IS
    'a new one-time token: 256 random bits from OpenSSL, base64url';
REVOKE ALL ON FUNCTION auth._recovery_token() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._recovery_token() TO @extowner@;

-- ---- internal helpers -----------------------------------------------------


-- Raises 25006 with a clear message on a hot standby, before anything is
-- read (so the answer says nothing about the account).
CREATE FUNCTION auth._require_primary(action pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE EXCEPTION 'cannot % on a hot standby', _require_primary.action
            USING ERRCODE = '25006',
                  DETAIL = 'It writes to the database, and a standby is read-only.',
                  HINT = 'Send this request to the primary.';
    END IF;
END
$$;
COMMENT ON FUNCTION auth._require_primary(pg_catalog.text) IS
    'raises 25006 "cannot <action> on a hot standby" when in recovery';
REVOKE ALL ON FUNCTION auth._require_primary(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._require_primary(pg_catalog.text) TO @extowner@;

-- The password rules of sign-up for a new password: the error body, or
-- NULL when the password is acceptable.
CREATE FUNCTION auth._new_password_problem(password pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT CASE
    WHEN _new_password_problem.password IS NULL
         OR pg_catalog.char_length(_new_password_problem.password) OPERATOR(pg_catalog.<) 8
        THEN 'Password must be at least 8 characters'::pg_catalog.text
    WHEN pg_catalog.octet_length(_new_password_problem.password) OPERATOR(pg_catalog.>) 4096
        THEN 'Password must be 4096 bytes or less'::pg_catalog.text
    END
$$;
COMMENT ON FUNCTION auth._new_password_problem(pg_catalog.text) IS
    'the sign-up rules for a new password: the error message, or NULL when it is fine';
REVOKE ALL ON FUNCTION auth._new_password_problem(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._new_password_problem(pg_catalog.text) TO @extowner@;

-- The signed-in local user: the account whose id is auth.uid() (NULL for
-- anonymous requests and for a trusted issuer's token, whose sub is the
-- provider's, not a local user), or no row.
CREATE FUNCTION auth._current_user(
    OUT id pg_catalog.uuid, OUT email pg_catalog.text, OUT password_hash pg_catalog.text,
    OUT email_verified_at pg_catalog.timestamptz)
    RETURNS SETOF pg_catalog.record
    LANGUAGE sql STABLE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT u.id, u.email, u.password_hash, u.email_verified_at
  FROM auth.users u
 WHERE u.id OPERATOR(pg_catalog.=) auth.uid()
$$;
COMMENT ON FUNCTION auth._current_user() IS
    'the account of the current token (not a trusted issuer''s), or no row';
REVOKE ALL ON FUNCTION auth._current_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._current_user() TO @extowner@;

-- Counts one request of kind for email in the current hour; true while
-- within accounts.recovery_requests_per_hour.  Also purges a batch of rows
-- whose hour is long over (rows another transaction holds are skipped).
CREATE FUNCTION auth._count_request(kind pg_catalog.text, email pg_catalog.text, per_hour pg_catalog.int4)
    RETURNS pg_catalog.bool
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_requests pg_catalog.int4;
BEGIN
    -- A row whose hour is over counts nothing any more (the upsert below
    -- would start it again): purged then, not a day later, so a flood of
    -- requests for made-up emails keeps an hour of rows, not a day (R6).
    DELETE FROM auth.recovery_requests r
        WHERE (r.kind, r.email) OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT (o.kind, o.email) FROM auth.recovery_requests o
            WHERE o.window_start OPERATOR(pg_catalog.<)
                  (pg_catalog.now() OPERATOR(pg_catalog.-) '1 hour'::pg_catalog.interval)
            LIMIT 100
            FOR UPDATE SKIP LOCKED));
    INSERT INTO auth.recovery_requests AS r (kind, email, window_start, requests)
        VALUES (_count_request.kind, _count_request.email, pg_catalog.now(), 1)
        ON CONFLICT ON CONSTRAINT recovery_requests_pkey DO UPDATE
            SET window_start = CASE WHEN r.window_start OPERATOR(pg_catalog.<)
                                         (pg_catalog.now() OPERATOR(pg_catalog.-) '1 hour'::pg_catalog.interval)
                                    THEN pg_catalog.now() ELSE r.window_start END,
                requests = CASE WHEN r.window_start OPERATOR(pg_catalog.<)
                                     (pg_catalog.now() OPERATOR(pg_catalog.-) '1 hour'::pg_catalog.interval)
                                THEN 1 ELSE r.requests OPERATOR(pg_catalog.+) 1 END
        RETURNING r.requests INTO v_requests;
    RETURN v_requests OPERATOR(pg_catalog.<=) _count_request.per_hour;
END
$$;
COMMENT ON FUNCTION auth._count_request(pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
    'internal: counts a reset/verification request of email this hour; true while under the limit';
REVOKE ALL ON FUNCTION auth._count_request(pg_catalog.text, pg_catalog.text, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._count_request(pg_catalog.text, pg_catalog.text, pg_catalog.int4) TO @extowner@;

-- Stores the hash of token for user_id, puts the token in the outbox for
-- email and announces it (NOTIFY auth_outbox, payload: the outbox row's id;
-- sent at commit).  Purges a batch of expired tokens and of outbox rows
-- older than the longest token lifetime.
CREATE FUNCTION auth._issue_token(kind pg_catalog.text, user_id pg_catalog.uuid, email pg_catalog.text,
                                  token pg_catalog.text, seconds pg_catalog.int4)
    RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_id pg_catalog.int8;
    v_policy pg_catalog.record;
BEGIN
    SELECT * INTO v_policy FROM auth._recovery_policy();
    DELETE FROM auth.recovery_tokens t
        WHERE t.token_hash OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT o.token_hash FROM auth.recovery_tokens o
            WHERE o.expires_at OPERATOR(pg_catalog.<) pg_catalog.now()
            LIMIT 100
            FOR UPDATE SKIP LOCKED));
    DELETE FROM auth.outbox b
        WHERE b.id OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT o.id FROM auth.outbox o
            WHERE o.created_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-)
                  pg_catalog.make_interval(secs => GREATEST(v_policy.reset_token_seconds,
                                                            v_policy.verify_token_seconds)::pg_catalog.float8))
            LIMIT 100
            FOR UPDATE SKIP LOCKED));
    INSERT INTO auth.recovery_tokens (token_hash, kind, user_id, email, expires_at)
        VALUES (pg_catalog.sha256(pg_catalog.convert_to(_issue_token.token, pg_catalog.getdatabaseencoding())),
                _issue_token.kind, _issue_token.user_id, _issue_token.email,
                pg_catalog.now() OPERATOR(pg_catalog.+)
                    pg_catalog.make_interval(secs => _issue_token.seconds::pg_catalog.float8));
    INSERT INTO auth.outbox (kind, email, token)
        VALUES (_issue_token.kind, _issue_token.email, _issue_token.token)
        RETURNING id INTO v_id;
    PERFORM pg_catalog.pg_notify('auth_outbox'::pg_catalog.text, v_id::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth._issue_token(pg_catalog.text, pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
    'internal: stores a token''s hash, writes the token to auth.outbox, NOTIFY auth_outbox';
REVOKE ALL ON FUNCTION auth._issue_token(pg_catalog.text, pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._issue_token(pg_catalog.text, pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) TO @extowner@;

-- Uses a one-time token of kind: deletes it and returns its user and email
-- when it is valid (exists, not expired, the account still has that email);
-- no row otherwise.  An expired token is deleted all the same.
CREATE FUNCTION auth._use_token(kind pg_catalog.text, token pg_catalog.text,
    OUT user_id pg_catalog.uuid, OUT email pg_catalog.text)
    RETURNS SETOF pg_catalog.record
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
WITH used AS (
    DELETE FROM auth.recovery_tokens t
     WHERE t.token_hash OPERATOR(pg_catalog.=) pg_catalog.sha256(pg_catalog.convert_to(_use_token.token, pg_catalog.getdatabaseencoding()))
       AND t.kind OPERATOR(pg_catalog.=) _use_token.kind
    RETURNING t.user_id, t.email, t.expires_at)
SELECT used.user_id, used.email FROM used JOIN auth.users u ON u.id OPERATOR(pg_catalog.=) used.user_id
 WHERE used.expires_at OPERATOR(pg_catalog.>) pg_catalog.now()
   AND u.email OPERATOR(pg_catalog.=) used.email
$$;
COMMENT ON FUNCTION auth._use_token(pg_catalog.text, pg_catalog.text) IS
    'internal: consumes a one-time token; its (user_id, email) when it was valid';
REVOKE ALL ON FUNCTION auth._use_token(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._use_token(pg_catalog.text, pg_catalog.text) TO @extowner@;

-- ---- the recovery functions -----------------------------------------------

-- Changes the signed-in user's password.  The current password is checked
-- as a sign-in checks it: under the email's advisory lock, counted as a
-- failure first (auth._count_failure), refused while the email is locked,
-- and a wrong one can lock the email like a failed sign-in (so a stolen
-- token cannot be used to guess the password).  On success every other
-- session of the user ends (auth._end_sessions), the current one does not.
CREATE FUNCTION auth.change_password(current_password pg_catalog.text, new_password pg_catalog.text)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_user    pg_catalog.record;
    v_policy  pg_catalog.record;
    v_state   pg_catalog.record;
    v_problem pg_catalog.text := auth._new_password_problem(change_password.new_password);
    v_ok      pg_catalog.bool;
BEGIN
    SELECT * INTO v_user FROM auth._current_user();
    IF v_user.id IS NULL THEN
        RETURN auth._fail('Not signed in'::pg_catalog.text, 401);
    END IF;
    IF change_password.current_password IS NULL
       OR change_password.current_password OPERATOR(pg_catalog.=) ''::pg_catalog.text THEN
        RETURN auth._fail('Current password is required'::pg_catalog.text, 400);
    END IF;
    IF v_problem IS NOT NULL THEN
        RETURN auth._fail(v_problem, 400);
    END IF;
    PERFORM auth._require_primary('change a password'::pg_catalog.text);
    SELECT * INTO v_policy FROM auth._accounts_policy();
    PERFORM pg_catalog.pg_advisory_xact_lock(1635087464, pg_catalog.hashtext(v_user.email));
    SELECT * INTO v_state FROM auth._count_failure(v_user.email);
    BEGIN
        v_ok := auth.verify_password(change_password.current_password,
                                     coalesce(v_user.password_hash, auth._dummy_hash()));
    EXCEPTION WHEN invalid_parameter_value THEN
        v_ok := false;
    END;
    IF v_state.locked OR NOT v_ok OR v_user.password_hash IS NULL THEN
        IF NOT v_state.locked AND v_state.failures OPERATOR(pg_catalog.>=) v_policy.max_failures THEN
            PERFORM auth._lock_out(v_user.email, v_state.failures, v_policy.max_failures,
                                   v_policy.lockout_base_seconds, v_policy.lockout_max_seconds);
        END IF;
        RETURN auth._fail('Current password is incorrect'::pg_catalog.text, 400);
    END IF;
    DELETE FROM auth.signin_failures f WHERE f.email OPERATOR(pg_catalog.=) v_user.email;
    UPDATE auth.users u SET password_hash = auth.hash_password(change_password.new_password)
        WHERE u.id OPERATOR(pg_catalog.=) v_user.id;
    -- A reset link requested before the change must not undo it.
    DELETE FROM auth.recovery_tokens t
        WHERE t.user_id OPERATOR(pg_catalog.=) v_user.id
          AND t.kind OPERATOR(pg_catalog.=) 'reset_password'::pg_catalog.text;
    -- every other session: the current one is the live session the token's sid names
    PERFORM auth._end_sessions(v_user.id, auth._current_session());
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Password changed'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.change_password(pg_catalog.text, pg_catalog.text) IS
    'changes the signed-in user''s password; 200 {"message"}, 400/401 {"error"}; ends the user''s other sessions';

-- Asks for a password reset link.  The same body (200) and the same work
-- whether the email has an account or not: both count the request
-- (auth._count_request, a write), make a token and run auth._issue_token
-- (token row, outbox row, NOTIFY) in a subtransaction; for an unknown
-- email it runs against another account's id and is rolled back, so
-- nothing is kept and nothing is sent.  Over the hourly limit neither
-- writes a token.
CREATE FUNCTION auth.request_password_reset(email pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_email   pg_catalog.text := pg_catalog.lower(pg_catalog.btrim(request_password_reset.email, E' \t\r\n'::pg_catalog.text));
    v_policy  pg_catalog.record;
    v_allowed pg_catalog.bool;
    v_user    pg_catalog.uuid;
    v_target  pg_catalog.uuid;
    v_token   pg_catalog.text;
BEGIN
    IF v_email IS NULL OR v_email OPERATOR(pg_catalog.=) ''::pg_catalog.text THEN
        RETURN auth._fail('Email is required'::pg_catalog.text, 400);
    END IF;
    IF pg_catalog.octet_length(v_email) OPERATOR(pg_catalog.>) 254
       OR v_email OPERATOR(pg_catalog.!~) '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:].]+$'::pg_catalog.text THEN
        RETURN auth._fail('Please enter a valid email'::pg_catalog.text, 400);
    END IF;
    PERFORM auth._require_primary('request a password reset'::pg_catalog.text);
    SELECT * INTO v_policy FROM auth._recovery_policy();
    v_allowed := auth._count_request('reset_password'::pg_catalog.text, v_email, v_policy.requests_per_hour);
    SELECT u.id INTO v_user FROM auth.users u WHERE u.email OPERATOR(pg_catalog.=) v_email;
    v_target := coalesce(v_user, (SELECT u.id FROM auth.users u ORDER BY u.id LIMIT 1));
    v_token := auth._recovery_token();
    IF v_allowed AND v_target IS NOT NULL THEN
        BEGIN
            PERFORM auth._issue_token('reset_password'::pg_catalog.text, v_target, v_email, v_token,
                                      v_policy.reset_token_seconds);
            IF v_user IS NULL THEN
                -- undoes the token, the outbox row and the notification
                RAISE EXCEPTION USING ERRCODE = 'AXR01';
            END IF;
        EXCEPTION WHEN SQLSTATE 'AXR01' THEN
            NULL;
        END;
    END IF;
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text,
        'If an account exists for this email, a password reset link has been sent'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.request_password_reset(pg_catalog.text) IS
    'asks for a reset link (outbox); 200 {"message"} whether the email exists or not';

-- Sets a new password with a reset token: works once, before expiry, and
-- ends every session of the user.  Also unlocks the email (its sign-in
-- failures are forgotten) and voids the user's other reset tokens.
CREATE FUNCTION auth.reset_password(token pg_catalog.text, new_password pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_problem pg_catalog.text := auth._new_password_problem(reset_password.new_password);
    v_used    pg_catalog.record;
BEGIN
    IF v_problem IS NOT NULL THEN
        RETURN auth._fail(v_problem, 400);
    END IF;
    IF reset_password.token IS NULL OR pg_catalog.octet_length(reset_password.token) OPERATOR(pg_catalog.>) 1024 THEN
        RETURN auth._fail('Invalid or expired token'::pg_catalog.text, 400);
    END IF;
    PERFORM auth._require_primary('reset a password'::pg_catalog.text);
    SELECT * INTO v_used FROM auth._use_token('reset_password'::pg_catalog.text, reset_password.token);
    IF v_used.user_id IS NULL THEN
        RETURN auth._fail('Invalid or expired token'::pg_catalog.text, 400);
    END IF;
    UPDATE auth.users u SET password_hash = auth.hash_password(reset_password.new_password)
        WHERE u.id OPERATOR(pg_catalog.=) v_used.user_id;
    DELETE FROM auth.recovery_tokens t
        WHERE t.user_id OPERATOR(pg_catalog.=) v_used.user_id
          AND t.kind OPERATOR(pg_catalog.=) 'reset_password'::pg_catalog.text;
    DELETE FROM auth.signin_failures f WHERE f.email OPERATOR(pg_catalog.=) v_used.email;
    PERFORM auth._end_sessions(v_used.user_id, NULL::pg_catalog.uuid);
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Password has been reset'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.reset_password(pg_catalog.text, pg_catalog.text) IS
    'sets a new password with a reset token (once, before expiry); ends every session of the user';

-- Sends the signed-in user a verification link (outbox).  Already
-- verified: 200 and nothing sent; over the hourly limit: 429.
CREATE FUNCTION auth.request_email_verification() RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_user   pg_catalog.record;
    v_policy pg_catalog.record;
BEGIN
    SELECT * INTO v_user FROM auth._current_user();
    IF v_user.id IS NULL THEN
        RETURN auth._fail('Not signed in'::pg_catalog.text, 401);
    END IF;
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    IF v_user.email_verified_at IS NOT NULL THEN
        RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Email already verified'::pg_catalog.text);
    END IF;
    PERFORM auth._require_primary('request an email verification'::pg_catalog.text);
    SELECT * INTO v_policy FROM auth._recovery_policy();
    IF NOT auth._count_request('verify_email'::pg_catalog.text, v_user.email, v_policy.requests_per_hour) THEN
        RETURN auth._fail('Too many requests, try again later'::pg_catalog.text, 429);
    END IF;
    PERFORM auth._issue_token('verify_email'::pg_catalog.text, v_user.id, v_user.email,
                              auth._recovery_token(), v_policy.verify_token_seconds);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Verification email sent'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.request_email_verification() IS
    'sends the signed-in user an email verification link (outbox); 200 {"message"}, 401/429 {"error"}';

-- Marks the token's user's email verified.  Works without a token (the
-- link may be opened in another browser); signed in as another local
-- account (auth.uid()), the token is refused and left unused.
CREATE FUNCTION auth.verify_email(token pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_uid  pg_catalog.uuid := auth.uid();
    v_used pg_catalog.record;
BEGIN
    IF verify_email.token IS NULL OR pg_catalog.octet_length(verify_email.token) OPERATOR(pg_catalog.>) 1024 THEN
        RETURN auth._fail('Invalid or expired token'::pg_catalog.text, 400);
    END IF;
    PERFORM auth._require_primary('verify an email'::pg_catalog.text);
    BEGIN
        SELECT * INTO v_used FROM auth._use_token('verify_email'::pg_catalog.text, verify_email.token);
        IF v_used.user_id IS NULL
           OR v_uid OPERATOR(pg_catalog.<>) v_used.user_id THEN
            -- another account's token stays unused (the subtransaction is undone)
            RAISE EXCEPTION USING ERRCODE = 'AXR01';
        END IF;
    EXCEPTION WHEN SQLSTATE 'AXR01' THEN
        RETURN auth._fail('Invalid or expired token'::pg_catalog.text, 400);
    END;
    UPDATE auth.users u SET email_verified_at = pg_catalog.now()
        WHERE u.id OPERATOR(pg_catalog.=) v_used.user_id AND u.email_verified_at IS NULL;
    DELETE FROM auth.recovery_tokens t
        WHERE t.user_id OPERATOR(pg_catalog.=) v_used.user_id
          AND t.kind OPERATOR(pg_catalog.=) 'verify_email'::pg_catalog.text;
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Email verified'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.verify_email(pg_catalog.text) IS
    'marks the token''s user''s email verified (once, before expiry); 200 {"message"} or 400 {"error"}';

-- Entry points of the HTTP contract, run as the extension owner (see
-- 40_accounts.sql); EXECUTE stays with PUBLIC.
ALTER FUNCTION auth.change_password(pg_catalog.text, pg_catalog.text) OWNER TO @extowner@;
ALTER FUNCTION auth.request_password_reset(pg_catalog.text) OWNER TO @extowner@;
ALTER FUNCTION auth.reset_password(pg_catalog.text, pg_catalog.text) OWNER TO @extowner@;
ALTER FUNCTION auth.request_email_verification() OWNER TO @extowner@;
ALTER FUNCTION auth.verify_email(pg_catalog.text) OWNER TO @extowner@;
