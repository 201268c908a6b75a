-- Accounts (area 40): users, sign-up, sign-in, sign-out, revocation, lockout.
--
-- The account functions speak the todo app's HTTP contract: they return the
-- JSON body and set PostgREST's response.status instead of raising for the
-- expected failures, so that a failed sign-in commits its failure count.
-- They are SECURITY DEFINER (application roles never read password hashes,
-- failure counts or revocations) and since 1.2 belong to the extension's
-- owner, not the bootstrap superuser, so that they run with the owner's
-- grants only (docs/00_design_notes.md, "Security"); they pin
-- search_path = pg_catalog, pg_temp and qualify every name.

-- ---- users ----------------------------------------------------------------

CREATE TABLE auth.users (
    id            pg_catalog.uuid PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid(),
    -- Stored lowercase, so the unique constraint is case-insensitive and
    -- race-free: two concurrent sign-ups of one email cannot both commit.
    email         pg_catalog.text NOT NULL
                  CONSTRAINT users_email_key UNIQUE
                  CONSTRAINT users_email_check
                  CHECK (email OPERATOR(pg_catalog.=) pg_catalog.lower(email)
                         AND pg_catalog.octet_length(email) OPERATOR(pg_catalog.<=) 254),
    name          pg_catalog.text NOT NULL
                  CONSTRAINT users_name_check
                  CHECK (name OPERATOR(pg_catalog.=) pg_catalog.btrim(name)
                         AND pg_catalog.char_length(name) OPERATOR(pg_catalog.>=) 1
                         AND pg_catalog.char_length(name) OPERATOR(pg_catalog.<=) 100),
    -- NULL: the account has no password (sign-in always fails, at full cost).
    password_hash pg_catalog.text,
    created_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE auth.users IS
    'accounts of auth_ext: email (lowercase, unique), name, password hash';
-- Application roles never read password hashes; they go through the functions.
REVOKE ALL ON auth.users FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.users'::pg_catalog.regclass, ''::pg_catalog.text);

CREATE FUNCTION auth._users_touch() RETURNS pg_catalog.trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION auth._users_touch() IS 'row trigger: keeps auth.users.updated_at current';
REVOKE ALL ON FUNCTION auth._users_touch() FROM PUBLIC;

CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users
    FOR EACH ROW EXECUTE FUNCTION auth._users_touch();

-- ---- revocations ----------------------------------------------------------

-- One table, one text key, so that auth_revocation_check() finds every kind
-- of row in a single index scan (key = ANY('{jti:<jti>,sid:<sid>,sub:<sub>}')):
--   jti:<jti>  the token was signed out; kept until it expired (purged by
--              later sign-outs one day after its exp, a margin over any leeway)
--   sid:<sid>  the session ended (42_sessions.sql): every token carrying
--              that sid is revoked; kept, and purged, like jti: rows, until
--              the last token minted for the session expired
--   sub:<sub>  every token of the user with iat <= not_before is revoked
--              (sign-out everywhere); kept as long as the user exists
CREATE TABLE auth.revocations (
    key         pg_catalog.text PRIMARY KEY,
    not_before  pg_catalog.int8,
    expires_at  pg_catalog.timestamptz,
    CONSTRAINT revocations_kind_check CHECK (
        ((key OPERATOR(pg_catalog.~~) 'jti:%'::pg_catalog.text OR key OPERATOR(pg_catalog.~~) 'sid:%'::pg_catalog.text)
         AND not_before IS NULL AND expires_at IS NOT NULL)
        OR (key OPERATOR(pg_catalog.~~) 'sub:%'::pg_catalog.text AND not_before IS NOT NULL AND expires_at IS NULL))
);
CREATE INDEX revocations_expires_at_idx ON auth.revocations (expires_at)
    WHERE expires_at IS NOT NULL;
COMMENT ON TABLE auth.revocations IS
    'revoked tokens (jti:<jti>), ended sessions (sid:<sid>) and users signed out everywhere (sub:<sub>)';
-- Read by C without permission checks; nobody else needs it.
REVOKE ALL ON auth.revocations FROM PUBLIC;
-- Every backend forgets the tokens it found not revoked when this changes.
CREATE TRIGGER revocations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.revocations
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();
-- A dump must not bring revoked tokens back to life.
SELECT pg_catalog.pg_extension_config_dump('auth.revocations'::pg_catalog.regclass, ''::pg_catalog.text);

-- The key of a jti or sub in auth.revocations; values over 200 bytes are
-- keyed by their SHA-256, so that no token has a key too long for the
-- index.  revocation.c computes the same.
CREATE FUNCTION auth._revocation_key(prefix pg_catalog.text, value pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT prefix OPERATOR(pg_catalog.||) CASE
    WHEN pg_catalog.octet_length(value) OPERATOR(pg_catalog.<=) 200 THEN value
    ELSE 'sha256:'::pg_catalog.text OPERATOR(pg_catalog.||) pg_catalog.encode(pg_catalog.sha256(
        pg_catalog.convert_to(value, pg_catalog.getdatabaseencoding())), 'hex'::pg_catalog.text)
    END
$$;
COMMENT ON FUNCTION auth._revocation_key(pg_catalog.text, pg_catalog.text) IS
    'key of a jti or sub in auth.revocations (SHA-256 of values over 200 bytes)';
REVOKE ALL ON FUNCTION auth._revocation_key(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._revocation_key(pg_catalog.text, pg_catalog.text) TO @extowner@;

-- ---- lockout ------------------------------------------------------------

-- Consecutive sign-in failures per email, known or not: every failed
-- sign-in, whether the email is unknown, the password wrong or the account
-- locked, writes here in the same way, so that none of them commits faster
-- than the others (a transaction that writes nothing skips the WAL flush).
-- The row is deleted on success; rows idle for a day are purged by later
-- successful sign-ins.  Not dumped: it is transient state.
CREATE TABLE auth.signin_failures (
    email        pg_catalog.text PRIMARY KEY,
    failures     pg_catalog.int4 NOT NULL,
    locked_until pg_catalog.timestamptz,
    last_failure pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX signin_failures_last_failure_idx ON auth.signin_failures (last_failure);
COMMENT ON TABLE auth.signin_failures IS
    'consecutive failed sign-ins per email, and the end of its current lockout';
-- Lockout state is nobody's business but the sign-in function's.
REVOKE ALL ON auth.signin_failures FROM PUBLIC;

-- The extension owner (the database owner on managed Postgres, who is not a
-- superuser, while the objects of a trusted extension belong to the
-- bootstrap superuser) administers accounts: imports and deletes users,
-- backs them up with pg_dump, unlocks an account by deleting its failures.
-- The account functions run as the owner (1.2), so it also writes the
-- lockout state.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.users, auth.revocations, auth.signin_failures TO @extowner@;


-- ---- C helpers ------------------------------------------------------------

CREATE FUNCTION auth._accounts_policy(
    OUT max_failures pg_catalog.int4, OUT lockout_base_seconds pg_catalog.int4,
    OUT lockout_max_seconds pg_catalog.int4, OUT token_role pg_catalog.text)
    RETURNS pg_catalog.record
    -- UNSAFE: may load the settings cache, which takes a fresh snapshot.
    LANGUAGE C STABLE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_accounts_policy';
COMMENT ON FUNCTION auth._accounts_policy() IS
    'the accounts.* settings in force (lockout policy, token role)';
-- Lockout policy is not for application roles to read.
REVOKE ALL ON FUNCTION auth._accounts_policy() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._accounts_policy() TO @extowner@;

CREATE FUNCTION auth._dummy_hash() RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_dummy_hash';
COMMENT ON FUNCTION auth._dummy_hash() IS
    'hash of a random password at the current parameters (cached per backend), verified when there is no real hash';
-- Internal to sign-in.
REVOKE ALL ON FUNCTION auth._dummy_hash() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._dummy_hash() TO @extowner@;

-- The hash a sign-in verifies when the email has no account (or no
-- password): the stored hash of a real account, picked by the email through
-- the primary key (the first id at or after md5(email) as a uuid, wrapping
-- around).  So an unknown email costs what a real account of this database
-- costs, whatever the stored hashes' parameters are (old Argon2 settings,
-- imported bcrypt or better-auth scrypt), and always the same one for the
-- same email.  NULL when no account has a password (the caller then uses
-- auth._dummy_hash()).  Reads auth.users as the account functions' owner.
CREATE FUNCTION auth._decoy_hash(email pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT coalesce(
    (SELECT u.password_hash FROM auth.users u
      WHERE u.id OPERATOR(pg_catalog.>=) pg_catalog.md5(_decoy_hash.email)::pg_catalog.uuid
        AND u.password_hash IS NOT NULL
      ORDER BY u.id LIMIT 1),
    (SELECT u.password_hash FROM auth.users u
      WHERE u.password_hash IS NOT NULL
      ORDER BY u.id LIMIT 1))
$$;
COMMENT ON FUNCTION auth._decoy_hash(pg_catalog.text) IS
    'internal to sign-in: the stored hash of a real account, chosen by email, verified for an unknown email';
REVOKE ALL ON FUNCTION auth._decoy_hash(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._decoy_hash(pg_catalog.text) TO @extowner@;

-- Counts one failed sign-in of email (unless it is locked); returns the
-- count and whether the email is locked.  Called by auth.signin with the
-- email's advisory lock held.
CREATE FUNCTION auth._count_failure(email pg_catalog.text,
    OUT failures pg_catalog.int4, OUT locked pg_catalog.bool)
    RETURNS pg_catalog.record
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
INSERT INTO auth.signin_failures AS f (email, failures)
    VALUES (_count_failure.email, 1)
    ON CONFLICT ON CONSTRAINT signin_failures_pkey DO UPDATE
        SET failures = CASE WHEN f.locked_until OPERATOR(pg_catalog.>) pg_catalog.now()
                            THEN f.failures ELSE f.failures OPERATOR(pg_catalog.+) 1 END,
            last_failure = pg_catalog.now()
    RETURNING f.failures, coalesce(f.locked_until OPERATOR(pg_catalog.>) pg_catalog.now(), false)
$$;
COMMENT ON FUNCTION auth._count_failure(pg_catalog.text) IS
    'internal to sign-in: counts a failed attempt of email, returns (failures, locked)';
REVOKE ALL ON FUNCTION auth._count_failure(pg_catalog.text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._count_failure(pg_catalog.text) TO @extowner@;

-- ---- the account functions ------------------------------------------------

-- Sets response.status and returns {"error": message}.
CREATE FUNCTION auth._fail(message pg_catalog.text, status pg_catalog.int4 DEFAULT 400) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, _fail.status::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('error'::pg_catalog.text, _fail.message);
END
$$;
COMMENT ON FUNCTION auth._fail(pg_catalog.text, pg_catalog.int4) IS
    'sets response.status and returns the error body {"error": message}';
REVOKE ALL ON FUNCTION auth._fail(pg_catalog.text, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._fail(pg_catalog.text, pg_catalog.int4) TO @extowner@;

-- Starts a session of the user and returns the sign-up/sign-in body
-- {"user", "token", "refresh_token", "expires_in"}, setting response.status
-- (42_sessions.sql: auth._session_start, auth._session_body).  Not
-- SECURITY DEFINER: called by the account functions, it signs as their
-- owner; called directly after an over-broad EXECUTE grant, auth.jwt_sign
-- refuses the caller (src/base/admin.c).  email and name are those of the user
-- row, kept in the signature since 1.0.
CREATE FUNCTION auth._session(user_id pg_catalog.uuid, email pg_catalog.text, name pg_catalog.text,
                              status pg_catalog.int4)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN auth._session_start(_session.user_id, _session.status);
END
$$;
COMMENT ON FUNCTION auth._session(pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
    'starts a session of a user and returns the sign-up/sign-in body';
-- Mints tokens for anyone: internal only.
REVOKE ALL ON FUNCTION auth._session(pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._session(pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) TO @extowner@;

CREATE FUNCTION auth.signup(email pg_catalog.text, password pg_catalog.text, name pg_catalog.text)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_name  pg_catalog.text := pg_catalog.btrim(signup.name, E' \t\r\n'::pg_catalog.text);
    v_email pg_catalog.text := pg_catalog.lower(pg_catalog.btrim(signup.email, E' \t\r\n'::pg_catalog.text));
    v_id    pg_catalog.uuid;
BEGIN
    IF v_name IS NULL OR v_name OPERATOR(pg_catalog.=) ''::pg_catalog.text THEN
        RETURN auth._fail('Name is required'::pg_catalog.text, 400);
    END IF;
    IF pg_catalog.char_length(v_name) OPERATOR(pg_catalog.>) 100 THEN
        RETURN auth._fail('Name must be 100 characters or less'::pg_catalog.text, 400);
    END IF;
    IF v_email IS NULL
       OR pg_catalog.octet_length(v_email) OPERATOR(pg_catalog.>) 254
       OR v_email OPERATOR(pg_catalog.!~) '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:].]+$'::pg_catalog.text THEN
        RETURN auth._fail('Please enter a valid email'::pg_catalog.text, 400);
    END IF;
    IF signup.password IS NULL OR pg_catalog.char_length(signup.password) OPERATOR(pg_catalog.<) 8 THEN
        RETURN auth._fail('Password must be at least 8 characters'::pg_catalog.text, 400);
    END IF;
    -- hash_password would refuse it with an error; say it as the contract does.
    IF pg_catalog.octet_length(signup.password) OPERATOR(pg_catalog.>) 4096 THEN
        RETURN auth._fail('Password must be 4096 bytes or less'::pg_catalog.text, 400);
    END IF;
    -- Cheap early answer; the unique constraint below is what makes it race-free.
    IF EXISTS (SELECT FROM auth.users u WHERE u.email OPERATOR(pg_catalog.=) v_email) THEN
        RETURN auth._fail('Email already registered'::pg_catalog.text, 400);
    END IF;
    BEGIN
        INSERT INTO auth.users (email, name, password_hash)
            VALUES (v_email, v_name, auth.hash_password(signup.password))
            RETURNING id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        RETURN auth._fail('Email already registered'::pg_catalog.text, 400);
    END;
    RETURN auth._session(v_id, v_email, v_name, 201);
END
$$;
COMMENT ON FUNCTION auth.signup(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
    'creates an account and its first session; 201 {"user","token","refresh_token","expires_in"} or 400 {"error"} (sets response.status)';

-- Locks email after a failed attempt that reached max_failures: for base,
-- 2 base, 4 base, ... up to the maximum (sign-in and change_password).
CREATE FUNCTION auth._lock_out(email pg_catalog.text, failures pg_catalog.int4, max_failures pg_catalog.int4,
                               base_seconds pg_catalog.int4, max_seconds pg_catalog.int4)
    RETURNS pg_catalog.void
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
UPDATE auth.signin_failures f
   SET locked_until = pg_catalog.now() OPERATOR(pg_catalog.+) pg_catalog.make_interval(secs => LEAST(
       _lock_out.max_seconds::pg_catalog.float8,
       _lock_out.base_seconds::pg_catalog.float8 OPERATOR(pg_catalog.*) pg_catalog.power(2::pg_catalog.float8,
           LEAST(_lock_out.failures OPERATOR(pg_catalog.-) _lock_out.max_failures, 40)::pg_catalog.float8)))
 WHERE f.email OPERATOR(pg_catalog.=) _lock_out.email
$$;
COMMENT ON FUNCTION auth._lock_out(pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) IS
    'internal: locks an email that reached max_failures, as sign-in does';
REVOKE ALL ON FUNCTION auth._lock_out(pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth._lock_out(pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) TO @extowner@;

-- Sign-in.  Every sign-in of an email takes a transaction-level advisory
-- lock on it (auth_ext's lock class 0x61757468, 'auth', and the email's
-- hash) before counting the attempt as a failure, so that concurrent wrong
-- guesses are counted one at a time.  When another transaction holds it (a
-- sign-in in progress, or a raw-SQL session that left one open), the
-- password is verified without waiting against the committed lockout
-- state: a right password signs in at once, a wrong one waits for the lock
-- and is then counted as usual.  No correct sign-in waits on another
-- session's open transaction (finding 4, docs/70_findings.md).
CREATE FUNCTION auth.signin(email pg_catalog.text, password pg_catalog.text) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_email  pg_catalog.text := pg_catalog.lower(pg_catalog.btrim(signin.email, E' \t\r\n'::pg_catalog.text));
    v_lock   pg_catalog.int4;
    v_free   pg_catalog.bool;
    v_policy pg_catalog.record;
    v_user   pg_catalog.record;
    v_state  pg_catalog.record;
    v_dummy  pg_catalog.text;
    v_hash   pg_catalog.text;
    v_ok     pg_catalog.bool;
BEGIN
    IF v_email IS NULL OR v_email OPERATOR(pg_catalog.=) ''::pg_catalog.text THEN
        RETURN auth._fail('Email is required'::pg_catalog.text, 400);
    END IF;
    IF signin.password IS NULL OR signin.password OPERATOR(pg_catalog.=) ''::pg_catalog.text THEN
        RETURN auth._fail('Password is required'::pg_catalog.text, 400);
    END IF;
    -- Too long to be anyone's password (hash_password refuses it); the same
    -- answer for every email, so it reveals nothing.
    IF pg_catalog.octet_length(signin.password) OPERATOR(pg_catalog.>) 4096
       OR pg_catalog.octet_length(v_email) OPERATOR(pg_catalog.>) 254 THEN
        RETURN auth._fail('Invalid email or password'::pg_catalog.text, 400);
    END IF;
    SELECT * INTO v_policy FROM auth._accounts_policy();
    v_lock := pg_catalog.hashtext(v_email);
    v_free := pg_catalog.pg_try_advisory_xact_lock(1635087464, v_lock);

    IF v_free THEN
        -- Count the attempt as a failure before verifying (undone on
        -- success), unless the email is locked.
        SELECT * INTO v_state FROM auth._count_failure(v_email);
    ELSE
        -- Busy: the committed state, read without waiting.
        SELECT f.failures, coalesce(f.locked_until OPERATOR(pg_catalog.>) pg_catalog.now(), false) AS locked
          INTO v_state
          FROM auth.signin_failures f WHERE f.email OPERATOR(pg_catalog.=) v_email;
    END IF;

    -- Fetched on every path, so that the backend's first sign-in (which
    -- makes the dummy hash) is slower whatever the email, not only for an
    -- unknown one.
    v_dummy := auth._dummy_hash();
    SELECT u.id, u.email, u.name, u.password_hash INTO v_user
        FROM auth.users u WHERE u.email OPERATOR(pg_catalog.=) v_email;
    -- One verification in every case: against the account's own hash, or,
    -- when there is no account or no password, against the stored hash of
    -- a real account (auth._decoy_hash: same algorithm and parameters as
    -- some account here), and also when the account is locked.
    v_hash := coalesce(v_user.password_hash, auth._decoy_hash(v_email), v_dummy);
    BEGIN
        v_ok := auth.verify_password(signin.password, v_hash);
    EXCEPTION WHEN invalid_parameter_value THEN
        -- A stored hash auth_ext cannot read (corrupt, or a hostile cost):
        -- the same answer and the same work as a wrong password.
        PERFORM auth.verify_password(signin.password, v_dummy);
        v_ok := false;
    END;
    v_ok := v_ok AND v_user.password_hash IS NOT NULL;

    IF NOT v_free AND NOT (v_ok AND NOT coalesce(v_state.locked, false)) THEN
        -- A failure to count: wait for the other sign-in of this email, then
        -- count it as above.
        PERFORM pg_catalog.pg_advisory_xact_lock(1635087464, v_lock);
        v_free := true;
        SELECT * INTO v_state FROM auth._count_failure(v_email);
    END IF;

    IF coalesce(v_state.locked, false) OR NOT v_ok THEN
        -- Locked: refused without being counted, so hammering a locked
        -- account does not lengthen its lockout.  Otherwise lock at
        -- max_failures (auth._lock_out: base, 2 base, 4 base, ... up to the maximum).
        IF NOT v_state.locked AND v_state.failures OPERATOR(pg_catalog.>=) v_policy.max_failures THEN
            PERFORM auth._lock_out(v_email, v_state.failures, v_policy.max_failures,
                                   v_policy.lockout_base_seconds, v_policy.lockout_max_seconds);
        END IF;
        RETURN auth._fail('Invalid email or password'::pg_catalog.text, 400);
    END IF;

    -- Success: the count starts again; purge a batch of long-idle rows
    -- (failed attempts on emails nobody signed in with since).  Rows another
    -- open transaction holds are skipped, never waited for.
    DELETE FROM auth.signin_failures f
        WHERE f.email OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT o.email FROM auth.signin_failures o
            WHERE o.email OPERATOR(pg_catalog.=) v_email
            FOR UPDATE SKIP LOCKED));
    DELETE FROM auth.signin_failures f
        WHERE f.email OPERATOR(pg_catalog.=) ANY (ARRAY(
            SELECT o.email FROM auth.signin_failures o
            WHERE o.last_failure OPERATOR(pg_catalog.<)
                  (pg_catalog.now() OPERATOR(pg_catalog.-) '1 day'::pg_catalog.interval)
              AND (o.locked_until IS NULL OR o.locked_until OPERATOR(pg_catalog.<) pg_catalog.now())
            LIMIT 100
            FOR UPDATE SKIP LOCKED));
    -- Upgrade old or foreign hashes (bcrypt, better-auth scrypt, weaker
    -- Argon2) now that we hold the password.
    IF auth.password_needs_rehash(v_user.password_hash) THEN
        UPDATE auth.users u SET password_hash = auth.hash_password(signin.password)
            WHERE u.id OPERATOR(pg_catalog.=) v_user.id;
    END IF;
    RETURN auth._session(v_user.id, v_user.email, v_user.name, 200);
END
$$;
COMMENT ON FUNCTION auth.signin(pg_catalog.text, pg_catalog.text) IS
    'signs in, starting a session; 200 {"user","token","refresh_token","expires_in"} or 400 {"error"} (sets response.status); counts failures for lockout';

CREATE FUNCTION auth.signout() RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_claims pg_catalog.jsonb := auth.jwt();
BEGIN
    -- The token's session ends: every token of it stops verifying.
    PERFORM auth._end_sessions(s.user_id, s.id, NULL::pg_catalog.uuid)
       FROM auth.sessions s
      WHERE s.user_id OPERATOR(pg_catalog.=) auth.uid()
        AND s.id::pg_catalog.text OPERATOR(pg_catalog.=) (v_claims OPERATOR(pg_catalog.->>) 'sid'::pg_catalog.text);
    IF v_claims OPERATOR(pg_catalog.?) 'jti'::pg_catalog.text
       AND pg_catalog.jsonb_typeof(v_claims OPERATOR(pg_catalog.->) 'exp'::pg_catalog.text)
           OPERATOR(pg_catalog.=) 'number'::pg_catalog.text THEN
        INSERT INTO auth.revocations (key, expires_at)
            VALUES (auth._revocation_key('jti:'::pg_catalog.text, v_claims OPERATOR(pg_catalog.->>) 'jti'::pg_catalog.text),
                    pg_catalog.to_timestamp((v_claims OPERATOR(pg_catalog.->>) 'exp'::pg_catalog.text)::pg_catalog.float8))
            ON CONFLICT (key) DO NOTHING;
        -- Opportunistic purge of revocations of tokens long expired, a batch
        -- at a time; the day of margin outlasts any configured leeway.
        DELETE FROM auth.revocations r
            WHERE r.key OPERATOR(pg_catalog.=) ANY (ARRAY(
                SELECT o.key FROM auth.revocations o
                WHERE o.expires_at OPERATOR(pg_catalog.<)
                      (pg_catalog.now() OPERATOR(pg_catalog.-) '1 day'::pg_catalog.interval)
                LIMIT 100
                FOR UPDATE SKIP LOCKED));
    ELSIF v_claims IS NOT NULL THEN
        -- A token without a jti cannot be revoked on its own: say so (finding 7).
        RAISE EXCEPTION 'This token cannot be signed out'
            USING ERRCODE = '22023',
                  DETAIL = 'It has no "jti" claim, so it stays valid until it expires.',
                  HINT = 'auth.signout_everywhere() revokes every token of the user; auth.jwt_sign() adds a jti.';
    END IF;
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Signed out successfully'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.signout() IS
    'ends the session of the current token (by sid) and revokes the token (by jti); 200 even without a token; 22023 for a token without jti';

CREATE FUNCTION auth.signout_everywhere() RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_sub pg_catalog.text := auth.jwt() OPERATOR(pg_catalog.->>) 'sub'::pg_catalog.text;
    -- Tokens are revoked up to and including this second (iat has whole
    -- seconds), so one minted earlier in the same second cannot survive.
    -- The wall clock, not the transaction's start: a token minted by another
    -- session while this transaction ran is "before now" too.
    v_now pg_catalog.int8 := pg_catalog.floor(pg_catalog.date_part('epoch'::pg_catalog.text,
                                 pg_catalog.clock_timestamp()))::pg_catalog.int8;
BEGIN
    IF v_sub IS NULL THEN
        RETURN auth._fail('Not signed in'::pg_catalog.text, 401);
    END IF;
    -- A token of a trusted issuer (25_issuers.sql) names the provider's
    -- subject, not a local user: revoking "every token of" that sub could
    -- sign out a local user whose uuid the provider's sub equals.
    IF EXISTS (SELECT FROM auth.trusted_issuers t
                WHERE t.issuer OPERATOR(pg_catalog.=) (auth.jwt() OPERATOR(pg_catalog.->>) 'iss'::pg_catalog.text)) THEN
        RETURN auth._fail('Signed in with another identity provider: sign out there'::pg_catalog.text, 400);
    END IF;
    -- Every session ends (refresh tokens included); the sub: row below
    -- also revokes the user's tokens that carry no sid.
    PERFORM auth._end_sessions(auth.uid(), NULL::pg_catalog.uuid);
    INSERT INTO auth.revocations AS r (key, not_before)
        VALUES (auth._revocation_key('sub:'::pg_catalog.text, v_sub), v_now)
        ON CONFLICT (key) DO UPDATE
            SET not_before = GREATEST(r.not_before, excluded.not_before);
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, '200'::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('message'::pg_catalog.text, 'Signed out everywhere'::pg_catalog.text);
END
$$;
COMMENT ON FUNCTION auth.signout_everywhere() IS
    'ends every session of the current user and revokes every token of the user issued up to now; 401 {"error"} without a token';

-- The account functions belong to the extension's owner (1.2): they run
-- with its grants above, never as the bootstrap superuser.  EXECUTE stays
-- with PUBLIC: they are the anonymous entry point of the HTTP contract
-- (docs/00_design_notes.md, "Security", for the choice and its limits).
ALTER FUNCTION auth.signup(pg_catalog.text, pg_catalog.text, pg_catalog.text) OWNER TO @extowner@;
ALTER FUNCTION auth.signin(pg_catalog.text, pg_catalog.text) OWNER TO @extowner@;
ALTER FUNCTION auth.signout() OWNER TO @extowner@;
ALTER FUNCTION auth.signout_everywhere() OWNER TO @extowner@;
