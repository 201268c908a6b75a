/* auth_ext--1.1--1.2.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION auth_ext UPDATE TO '1.2'" to load this file. \quit

-- 1.2: security round 2 (issue 13; docs/70_findings.md, docs/00_design_notes.md
-- "Security").  The same changes as src/sql made to a fresh 1.2 install:
--   * this script, like the install script, pins its search_path and
--     qualifies every name;
--   * the schema auth is claimed: owned by the bootstrap superuser, no
--     object but ours in it (refused otherwise), no grant but USAGE to PUBLIC;
--   * every SQL and PL/pgSQL function pins search_path = pg_catalog, pg_temp
--     and qualifies every type, relation, function and operator;
--   * key management and configure are SECURITY INVOKER and check inside
--     that the caller has the extension owner's privileges
--     (auth._require_admin, src/base/admin.c; auth.jwt_sign checks the same in C);
--   * the account functions belong to the extension owner, which gets the
--     grants they need; sign-in no longer waits on another session's open
--     transaction and verifies an unknown email against a real stored hash
--     (auth._decoy_hash).
SET LOCAL search_path = pg_catalog, pg_temp;

CREATE FUNCTION auth._claim_schema(nsp pg_catalog.name) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_nsp     pg_catalog.oid;
    v_foreign pg_catalog.text;
    v_grantee pg_catalog.oid;
BEGIN
    SELECT n.oid INTO STRICT v_nsp FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) nsp;
    -- Every object of the schema must belong to auth_ext or auth_ext_todo
    -- (row types, array types, indexes and identity sequences come with
    -- their table).
    WITH objs(classid, objid) AS (
        SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) v_nsp
           AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f,c}'::pg_catalog."char"[])
        UNION ALL
        SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid FROM pg_catalog.pg_class c
         WHERE c.relnamespace OPERATOR(pg_catalog.=) v_nsp AND c.relkind OPERATOR(pg_catalog.=) 'S'
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                            WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                              AND d.objid OPERATOR(pg_catalog.=) c.oid
                              AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog."char"[]))
        UNION ALL
        SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid FROM pg_catalog.pg_proc p
         WHERE p.pronamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_type'::pg_catalog.regclass, t.oid FROM pg_catalog.pg_type t
         WHERE t.typnamespace OPERATOR(pg_catalog.=) v_nsp AND t.typrelid OPERATOR(pg_catalog.=) 0
           AND t.typcategory OPERATOR(pg_catalog.<>) 'A' AND t.typtype OPERATOR(pg_catalog.<>) 'm'
        UNION ALL
        SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_operator o
         WHERE o.oprnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_collation o
         WHERE o.collnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_conversion o
         WHERE o.connamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_opclass o
         WHERE o.opcnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_opfamily o
         WHERE o.opfnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_config o
         WHERE o.cfgnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_dict o
         WHERE o.dictnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_parser o
         WHERE o.prsnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_ts_template o
         WHERE o.tmplnamespace OPERATOR(pg_catalog.=) v_nsp
        UNION ALL
        SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, o.oid FROM pg_catalog.pg_statistic_ext o
         WHERE o.stxnamespace OPERATOR(pg_catalog.=) v_nsp
    )
    SELECT pg_catalog.string_agg(pg_catalog.pg_describe_object(o.classid, o.objid, 0), ', ')
      INTO v_foreign
      FROM objs o
     WHERE NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
         WHERE d.classid OPERATOR(pg_catalog.=) o.classid AND d.objid OPERATOR(pg_catalog.=) o.objid
           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
           AND e.extname OPERATOR(pg_catalog.=) ANY ('{auth_ext,auth_ext_todo}'::pg_catalog.name[]));
    IF v_foreign IS NOT NULL THEN
        RAISE EXCEPTION 'schema "%" holds objects that are not part of auth_ext', nsp
            USING ERRCODE = '42P06', DETAIL = 'Found: ' OPERATOR(pg_catalog.||) v_foreign OPERATOR(pg_catalog.||) '.',
                  HINT = 'auth_ext needs a schema of its own: drop these objects or move them elsewhere (ALTER ... SET SCHEMA), then try again.';
    END IF;
    -- Owned by the role running this script (the bootstrap superuser for a
    -- trusted extension), with no grant left but the owner's: the
    -- extension's owner and everyone else can then not create objects here.
    EXECUTE pg_catalog.format('ALTER SCHEMA %I OWNER TO %I', nsp, CURRENT_USER);
    FOR v_grantee IN SELECT DISTINCT a.grantee
                       FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
                      WHERE n.oid OPERATOR(pg_catalog.=) v_nsp AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON SCHEMA %I FROM %s CASCADE', nsp,
            CASE WHEN v_grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                 ELSE pg_catalog.quote_ident(v_grantee::pg_catalog.regrole::pg_catalog.text) END);
    END LOOP;
END
$$;
COMMENT ON FUNCTION auth._claim_schema(pg_catalog.name) IS
    'install/upgrade: refuse a schema holding foreign objects, make the running role (bootstrap superuser) its owner and drop every other grant';
REVOKE ALL ON FUNCTION auth._claim_schema(pg_catalog.name) FROM PUBLIC;
SELECT auth._claim_schema('auth'::pg_catalog.name);
GRANT USAGE ON SCHEMA auth TO PUBLIC;

CREATE FUNCTION auth._require_admin(action pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE C STABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_require_admin_sql';
COMMENT ON FUNCTION auth._require_admin(pg_catalog.text) IS
    'raises 42501 unless current_user has the privileges of the extension owner (src/base/admin.c)';
REVOKE ALL ON FUNCTION auth._require_admin(pg_catalog.text) FROM PUBLIC;

-- ---- settings and keys: SECURITY INVOKER with the admin check ----
CREATE OR REPLACE FUNCTION auth.configure(name pg_catalog.text, value pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('change auth_ext settings'::pg_catalog.text);
    IF NOT EXISTS (SELECT FROM auth.settings() s WHERE s.name OPERATOR(pg_catalog.=) configure.name) THEN
        RAISE EXCEPTION 'unknown auth_ext setting "%"', configure.name
            USING ERRCODE = '42704', HINT = 'SELECT name FROM auth.settings() lists them.';
    END IF;
    IF configure.value IS NULL THEN
        DELETE FROM auth.config c WHERE c.name OPERATOR(pg_catalog.=) configure.name;
    ELSE
        INSERT INTO auth.config AS c (name, value)
            VALUES (configure.name, auth._check_setting(configure.name, configure.value))
            ON CONFLICT ON CONSTRAINT config_pkey DO UPDATE SET value = excluded.value;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION auth.create_key(algorithm pg_catalog.text DEFAULT 'EdDSA'::pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k pg_catalog.record;
BEGIN
    PERFORM auth._require_admin('create keys'::pg_catalog.text);
    SELECT * INTO STRICT k FROM auth._make_key(create_key.algorithm, NULL::pg_catalog.jsonb);
    INSERT INTO auth.keys (kid, algorithm, public_jwk, private_key, verify_only)
        VALUES (k.kid, k.alg, k.public_jwk, k.private_key, false);
    RETURN k.kid;
END
$$;

CREATE OR REPLACE FUNCTION auth.import_jwk(jwk pg_catalog.jsonb) RETURNS pg_catalog.text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k        pg_catalog.record;
    existing pg_catalog.jsonb;
BEGIN
    PERFORM auth._require_admin('import keys'::pg_catalog.text);
    SELECT * INTO STRICT k FROM auth._make_key(NULL::pg_catalog.text, import_jwk.jwk);
    SELECT x.public_jwk INTO existing FROM auth.keys x WHERE x.kid OPERATOR(pg_catalog.=) k.kid;
    IF FOUND THEN
        IF existing OPERATOR(pg_catalog.=) k.public_jwk THEN
            RETURN k.kid;       -- the same key again: nothing to do
        END IF;
        RAISE EXCEPTION 'a different key with kid "%" exists', k.kid
            USING ERRCODE = '23505', HINT = 'Retire or delete it first, or give the JWK another kid.';
    END IF;
    INSERT INTO auth.keys (kid, algorithm, public_jwk, private_key, verify_only)
        VALUES (k.kid, k.alg, k.public_jwk, k.private_key, true);
    RETURN k.kid;
END
$$;

CREATE OR REPLACE FUNCTION auth.import_jwks(jwks pg_catalog.jsonb) RETURNS SETOF pg_catalog.text
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k pg_catalog.jsonb;
BEGIN
    PERFORM auth._require_admin('import keys'::pg_catalog.text);
    IF pg_catalog.jsonb_typeof(import_jwks.jwks OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text) IS NULL
       OR pg_catalog.jsonb_typeof(import_jwks.jwks OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text)
          OPERATOR(pg_catalog.<>) 'array'::pg_catalog.text THEN
        RAISE EXCEPTION 'a JWKS is an object with a "keys" array'
            USING ERRCODE = '22023';
    END IF;
    FOR k IN SELECT pg_catalog.jsonb_array_elements(import_jwks.jwks OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text) LOOP
        RETURN NEXT auth.import_jwk(k);
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION auth.retire_key(kid pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('retire keys'::pg_catalog.text);
    UPDATE auth.keys k SET retired_at = pg_catalog.now()
        WHERE k.kid OPERATOR(pg_catalog.=) retire_key.kid AND k.retired_at IS NULL;
    IF NOT FOUND AND NOT EXISTS (SELECT FROM auth.keys k WHERE k.kid OPERATOR(pg_catalog.=) retire_key.kid) THEN
        RAISE EXCEPTION 'no key with kid "%"', retire_key.kid USING ERRCODE = '42704';
    END IF;
END
$$;

-- ---- identity ----
CREATE OR REPLACE FUNCTION auth.enable_user_isolation(tbl pg_catalog.regclass, owner_column pg_catalog.name DEFAULT 'user_id'::pg_catalog.name)
    RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    col_type pg_catalog.oid;
    col_num  pg_catalog.int2;
    reader   pg_catalog.text;
    pol      pg_catalog.name;
BEGIN
    SELECT a.atttypid, a.attnum INTO col_type, col_num
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) tbl
       AND a.attname OPERATOR(pg_catalog.=) owner_column
       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of relation % does not exist', owner_column, tbl
            USING ERRCODE = '42703';
    END IF;

    -- The InitPlan form: (SELECT ...) is evaluated once per query, not per row,
    -- and compares to the bare column, so the index on it is used.
    IF col_type OPERATOR(pg_catalog.=) 'pg_catalog.uuid'::pg_catalog.regtype THEN
        reader := '(SELECT auth.uid())';
    ELSIF col_type OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.text'::pg_catalog.regtype,
                                                     'pg_catalog.varchar'::pg_catalog.regtype]) THEN
        reader := '(SELECT auth.user_id())';
    ELSE
        RAISE EXCEPTION 'owner column "%" of relation % has type %', owner_column, tbl, col_type::pg_catalog.regtype
            USING ERRCODE = '42804',
                  HINT = 'The owner column must be uuid (compared to auth.uid()) or text (compared to auth.user_id()).';
    END IF;

    EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);

    -- Re-running replaces the four policies (e.g. after a change of owner column).
    FOR pol IN SELECT p.polname FROM pg_catalog.pg_policy p
                WHERE p.polrelid OPERATOR(pg_catalog.=) tbl
                  AND p.polname OPERATOR(pg_catalog.=) ANY (ARRAY['auth_isolation_select'::pg_catalog.name,
                        'auth_isolation_insert'::pg_catalog.name, 'auth_isolation_update'::pg_catalog.name,
                        'auth_isolation_delete'::pg_catalog.name]) LOOP
        EXECUTE pg_catalog.format('DROP POLICY %I ON %s', pol, tbl);
    END LOOP;
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_select ON %s FOR SELECT USING (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader);
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_insert ON %s FOR INSERT WITH CHECK (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader);
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_update ON %s FOR UPDATE USING (%I OPERATOR(pg_catalog.=) %s) WITH CHECK (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader, owner_column, reader);
    EXECUTE pg_catalog.format(
        'CREATE POLICY auth_isolation_delete ON %s FOR DELETE USING (%I OPERATOR(pg_catalog.=) %s)',
        tbl, owner_column, reader);

    -- An index whose first key column is the owner column serves the policy.
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index i
                    WHERE i.indrelid OPERATOR(pg_catalog.=) tbl
                      AND i.indkey[0] OPERATOR(pg_catalog.=) col_num
                      AND i.indpred IS NULL) THEN
        EXECUTE pg_catalog.format('CREATE INDEX ON %s (%I)', tbl, owner_column);
    END IF;
END
$$;

-- ---- accounts ----

CREATE OR REPLACE FUNCTION auth._users_touch() RETURNS pg_catalog.trigger
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    NEW.updated_at := pg_catalog.now();
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION auth._revocation_key(prefix pg_catalog.text, value pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
SELECT prefix OPERATOR(pg_catalog.||) CASE
    WHEN pg_catalog.octet_length(value) OPERATOR(pg_catalog.<=) 200 THEN value
    ELSE 'sha256:'::pg_catalog.text OPERATOR(pg_catalog.||) pg_catalog.encode(pg_catalog.sha256(
        pg_catalog.convert_to(value, pg_catalog.getdatabaseencoding())), 'hex'::pg_catalog.text)
    END
$$;

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

CREATE OR REPLACE FUNCTION auth._fail(message pg_catalog.text, status pg_catalog.int4 DEFAULT 400) RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM pg_catalog.set_config('response.status'::pg_catalog.text, _fail.status::pg_catalog.text, true);
    RETURN pg_catalog.jsonb_build_object('error'::pg_catalog.text, _fail.message);
END
$$;

CREATE OR REPLACE FUNCTION auth._session(user_id pg_catalog.uuid, email pg_catalog.text, name pg_catalog.text,
                              status pg_catalog.int4)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN auth._session_start(_session.user_id, _session.status);
END
$$;

CREATE OR REPLACE FUNCTION auth.signup(email pg_catalog.text, password pg_catalog.text, name pg_catalog.text)
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

CREATE OR REPLACE FUNCTION auth.signin(email pg_catalog.text, password pg_catalog.text) RETURNS pg_catalog.jsonb
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

CREATE OR REPLACE FUNCTION auth.signout() RETURNS pg_catalog.jsonb
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

CREATE OR REPLACE FUNCTION auth.signout_everywhere() RETURNS pg_catalog.jsonb
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

-- The account functions belong to the extension's owner (1.2): they run
-- with its grants (given at the end of this script), never as the bootstrap superuser.  EXECUTE stays
-- with PUBLIC: they are the anonymous entry point of the HTTP contract
-- (docs/00_design_notes.md, "Security", for the choice and its limits).


-- ---- 1.2: trusted issuers (issue 15), as src/sql/25_issuers.sql ----

-- Tokens from other identity providers (issue 15; src/identity/issuers.c, src/identity/issuers_check.c): issuers
-- the owner trusts with their public keys (a JWKS), audiences and claim
-- mapping.  auth.jwt_verify() verifies a token whose "iss" names one of
-- them with that issuer's keys only, any other token with auth.keys only.
--
-- auth.trusted_issuers holds public keys only (trust_issuer refuses private
-- material), but its contents decide who may act as whom: no application
-- role may read or write it.  C code reads it without permission checks
-- into a per-backend cache that the statement trigger below invalidates in
-- every backend at commit, so a rotated key set counts at once everywhere.
-- The functions are SECURITY INVOKER and check first that the caller has
-- the extension owner's privileges (auth._require_admin).

CREATE TABLE auth.trusted_issuers (
    issuer     pg_catalog.text PRIMARY KEY CHECK (issuer OPERATOR(pg_catalog.<>) ''::pg_catalog.text),
    keys       pg_catalog.jsonb NOT NULL,
    audience   pg_catalog.text[],
    options    pg_catalog.jsonb NOT NULL,
    updated_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);
COMMENT ON TABLE auth.trusted_issuers IS
    'other identity providers whose tokens auth.jwt_verify accepts: public keys [{kid, algorithms, jwk}], audiences (NULL: any), claim mapping options; change it with auth.trust_issuer/distrust_issuer';
REVOKE ALL ON auth.trusted_issuers FROM PUBLIC;
-- The extension owner administers issuers and backs them up.
SELECT pg_catalog.pg_extension_config_dump('auth.trusted_issuers'::pg_catalog.regclass, ''::pg_catalog.text);

CREATE TRIGGER trusted_issuers_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.trusted_issuers
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth._issuer_check(issuer pg_catalog.text, jwks pg_catalog.jsonb,
    audience pg_catalog.text[], options pg_catalog.jsonb) RETURNS pg_catalog.jsonb
    LANGUAGE C STABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_issuer_check';
COMMENT ON FUNCTION auth._issuer_check(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) IS
    'internal: checks what auth.trust_issuer was given; returns the keys and options to store';
-- Internal helper of trust_issuer.
REVOKE ALL ON FUNCTION auth._issuer_check(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) FROM PUBLIC;

CREATE FUNCTION auth.trust_issuer(issuer pg_catalog.text, jwks pg_catalog.jsonb,
    audience pg_catalog.text[] DEFAULT NULL::pg_catalog.text[],
    options pg_catalog.jsonb DEFAULT '{}'::pg_catalog.jsonb) RETURNS SETOF pg_catalog.text
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v pg_catalog.jsonb;
BEGIN
    PERFORM auth._require_admin('trust issuers'::pg_catalog.text);
    v := auth._issuer_check(trust_issuer.issuer, trust_issuer.jwks, trust_issuer.audience,
                            trust_issuer.options);
    -- one statement: the whole key set is replaced at once
    INSERT INTO auth.trusted_issuers AS t (issuer, keys, audience, options)
        VALUES (trust_issuer.issuer, v OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text,
                trust_issuer.audience, v OPERATOR(pg_catalog.->) 'options'::pg_catalog.text)
        ON CONFLICT ON CONSTRAINT trusted_issuers_pkey DO UPDATE
        SET keys = excluded.keys, audience = excluded.audience, options = excluded.options,
            updated_at = pg_catalog.clock_timestamp();
    RETURN QUERY SELECT k OPERATOR(pg_catalog.->>) 'kid'::pg_catalog.text
        FROM pg_catalog.jsonb_array_elements(v OPERATOR(pg_catalog.->) 'keys'::pg_catalog.text) k;
END
$$;
COMMENT ON FUNCTION auth.trust_issuer(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) IS
    'trust another identity provider''s public JWKS for tokens whose iss is issuer (creates it or replaces its whole key set); returns the kids now trusted';
-- Trust is for the extension owner.
REVOKE ALL ON FUNCTION auth.trust_issuer(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) FROM PUBLIC;

CREATE FUNCTION auth.distrust_issuer(issuer pg_catalog.text) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('distrust issuers'::pg_catalog.text);
    DELETE FROM auth.trusted_issuers t WHERE t.issuer OPERATOR(pg_catalog.=) distrust_issuer.issuer;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no trusted issuer "%"', distrust_issuer.issuer USING ERRCODE = '42704';
    END IF;
END
$$;
COMMENT ON FUNCTION auth.distrust_issuer(pg_catalog.text) IS
    'stop trusting an issuer: its tokens stop verifying at once in every session';
REVOKE ALL ON FUNCTION auth.distrust_issuer(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION auth.issuers() RETURNS TABLE (issuer pg_catalog.text, kids pg_catalog.text[],
    audience pg_catalog.text[], options pg_catalog.jsonb, keys pg_catalog.jsonb,
    updated_at pg_catalog.timestamptz)
    LANGUAGE plpgsql STABLE PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM auth._require_admin('list issuers'::pg_catalog.text);
    RETURN QUERY
        SELECT t.issuer,
               ARRAY(SELECT k OPERATOR(pg_catalog.->>) 'kid'::pg_catalog.text
                       FROM pg_catalog.jsonb_array_elements(t.keys) k),
               t.audience, t.options, t.keys, t.updated_at
          FROM auth.trusted_issuers t ORDER BY t.issuer;
END
$$;
COMMENT ON FUNCTION auth.issuers() IS
    'the trusted issuers with their kids, audiences, options and public keys';
REVOKE ALL ON FUNCTION auth.issuers() FROM PUBLIC;

-- Linking external users to local rows (issue 15, item 3; src/identity/linking.c).
-- auth.identities maps a trusted issuer's subject (the value of its
-- user_id_claim) to a local user, so that auth.uid() is one stable local
-- uuid whichever provider the person signed in with.  The owner links and
-- unlinks (auth.link_identity/unlink_identity); an issuer trusted with
-- "provision": true links the first verified token of an unknown subject
-- to a new local user by itself (auth._provision_identity, run by C with
-- the extension owner's rights).
--
-- Who the table links decides who acts as whom: no application role may
-- read or write it.  C code reads it without permission checks into a
-- per-backend cache that the statement trigger below drops in every backend
-- at commit, so a link or unlink counts at once everywhere.  It comes after
-- 40_accounts.sql: its rows belong to auth.users rows.

CREATE TABLE auth.identities (
    issuer     pg_catalog.text NOT NULL,
    subject    pg_catalog.text NOT NULL
               CONSTRAINT identities_subject_check CHECK (subject OPERATOR(pg_catalog.<>) ''::pg_catalog.text),
    user_id    pg_catalog.uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    created_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT identities_pkey PRIMARY KEY (issuer, subject)
);
COMMENT ON TABLE auth.identities IS
    'subjects of trusted issuers linked to local users: a token of issuer whose user id claim is subject has auth.uid() = user_id; change it with auth.link_identity/unlink_identity';
-- The user's links, and the foreign key's ON DELETE CASCADE.
CREATE INDEX identities_user_id_idx ON auth.identities (user_id);
REVOKE ALL ON auth.identities FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('auth.identities'::pg_catalog.regclass, ''::pg_catalog.text);

CREATE TRIGGER identities_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON auth.identities
    FOR EACH STATEMENT EXECUTE FUNCTION auth._invalidate_cache();

CREATE FUNCTION auth.link_identity(issuer pg_catalog.text, subject pg_catalog.text,
    user_id pg_catalog.uuid) RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_current pg_catalog.uuid;
BEGIN
    PERFORM auth._require_admin('link identities'::pg_catalog.text);
    IF NOT EXISTS (SELECT FROM auth.trusted_issuers t
                    WHERE t.issuer OPERATOR(pg_catalog.=) link_identity.issuer) THEN
        RAISE EXCEPTION 'no trusted issuer "%"', link_identity.issuer USING ERRCODE = '42704',
            HINT = 'Trust it first with auth.trust_issuer().';
    END IF;
    IF NOT EXISTS (SELECT FROM auth.users u WHERE u.id OPERATOR(pg_catalog.=) link_identity.user_id) THEN
        RAISE EXCEPTION 'no user %', link_identity.user_id USING ERRCODE = '42704';
    END IF;
    INSERT INTO auth.identities AS i (issuer, subject, user_id)
        VALUES (link_identity.issuer, link_identity.subject, link_identity.user_id)
        ON CONFLICT ON CONSTRAINT identities_pkey DO NOTHING;
    IF NOT FOUND THEN
        SELECT i.user_id INTO v_current FROM auth.identities i
         WHERE i.issuer OPERATOR(pg_catalog.=) link_identity.issuer
           AND i.subject OPERATOR(pg_catalog.=) link_identity.subject;
        IF v_current OPERATOR(pg_catalog.<>) link_identity.user_id THEN
            RAISE EXCEPTION 'subject "%" of issuer "%" is linked to another user', link_identity.subject,
                link_identity.issuer USING ERRCODE = '23505',
                HINT = 'Unlink it first with auth.unlink_identity().';
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION auth.link_identity(pg_catalog.text, pg_catalog.text, pg_catalog.uuid) IS
    'link the subject (user id claim) of a trusted issuer to local user user_id: its tokens then have auth.uid() = user_id, at once in every session';
-- Linking decides who acts as whom: for the extension owner.
REVOKE ALL ON FUNCTION auth.link_identity(pg_catalog.text, pg_catalog.text, pg_catalog.uuid) FROM PUBLIC;

CREATE FUNCTION auth.unlink_identity(issuer pg_catalog.text, subject pg_catalog.text)
    RETURNS pg_catalog.uuid
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_user pg_catalog.uuid;
BEGIN
    PERFORM auth._require_admin('unlink identities'::pg_catalog.text);
    DELETE FROM auth.identities i
     WHERE i.issuer OPERATOR(pg_catalog.=) unlink_identity.issuer
       AND i.subject OPERATOR(pg_catalog.=) unlink_identity.subject
     RETURNING i.user_id INTO v_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'subject "%" of issuer "%" is not linked', unlink_identity.subject,
            unlink_identity.issuer USING ERRCODE = '42704';
    END IF;
    RETURN v_user;
END
$$;
COMMENT ON FUNCTION auth.unlink_identity(pg_catalog.text, pg_catalog.text) IS
    'remove the link of a trusted issuer''s subject (the local user stays); returns the user it was linked to';
REVOKE ALL ON FUNCTION auth.unlink_identity(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

-- Internal: what the C code (linking.c) runs, as the extension owner, for
-- the first verified token of an unknown subject of an issuer trusted with
-- "provision": true.  Never links to an existing local user: a new one,
-- without a password, named after the token's "name" claim (else
-- 'external user'), with the token's email only when the token says it is
-- verified ("email_verified": true) and no account has it, else the
-- placeholder '<id>@external.invalid' (a reserved domain: never delivered).
-- Two first requests at once: ON CONFLICT DO NOTHING makes the second wait
-- for the first and then use its user.
CREATE FUNCTION auth._provision_identity(issuer pg_catalog.text, subject pg_catalog.text,
    claims pg_catalog.jsonb) RETURNS pg_catalog.uuid
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    v_user  pg_catalog.uuid;
    v_email pg_catalog.text;
    v_name  pg_catalog.text := pg_catalog.btrim(claims OPERATOR(pg_catalog.->>) 'name'::pg_catalog.text);
    v_verified pg_catalog.jsonb := claims OPERATOR(pg_catalog.->) 'email_verified'::pg_catalog.text;
BEGIN
    PERFORM auth._require_admin('provision identities'::pg_catalog.text);
    -- The primary key (issuer, subject) cannot index much more (54000, with
    -- this function's text in the error): refused as a token, cleanly (R8).
    IF pg_catalog.octet_length(_provision_identity.issuer) OPERATOR(pg_catalog.+)
       pg_catalog.octet_length(_provision_identity.subject) OPERATOR(pg_catalog.>) 2048 THEN
        RAISE EXCEPTION 'the token''s subject is too long to be linked to a local user'
            USING ERRCODE = 'PT401',
                  DETAIL = pg_catalog.format('Issuer "%s" provisions local users; its subject and issuer together may have 2048 bytes, this one has %s.',
                                             _provision_identity.issuer,
                                             pg_catalog.octet_length(_provision_identity.issuer) OPERATOR(pg_catalog.+)
                                             pg_catalog.octet_length(_provision_identity.subject)),
                  HINT = 'Map a shorter claim with the issuer''s user_id_claim option.';
    END IF;
    SELECT i.user_id INTO v_user FROM auth.identities i
     WHERE i.issuer OPERATOR(pg_catalog.=) _provision_identity.issuer
       AND i.subject OPERATOR(pg_catalog.=) _provision_identity.subject;
    IF FOUND THEN
        RETURN v_user;
    END IF;
    IF v_name IS NULL OR pg_catalog.char_length(v_name) OPERATOR(pg_catalog.<) 1
       OR pg_catalog.char_length(v_name) OPERATOR(pg_catalog.>) 100 THEN
        v_name := 'external user'::pg_catalog.text;
    END IF;
    v_user := pg_catalog.gen_random_uuid();
    IF v_verified OPERATOR(pg_catalog.=) 'true'::pg_catalog.jsonb
       OR v_verified OPERATOR(pg_catalog.=) '"true"'::pg_catalog.jsonb THEN
        -- normalised and checked as sign-up does, else the placeholder (R4)
        v_email := pg_catalog.lower(pg_catalog.btrim(claims OPERATOR(pg_catalog.->>) 'email'::pg_catalog.text,
                                                     E' \t\r\n'::pg_catalog.text));
        IF pg_catalog.octet_length(v_email) OPERATOR(pg_catalog.>) 254
           OR v_email OPERATOR(pg_catalog.!~) '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+\.[^@[:space:][:cntrl:].]+$'::pg_catalog.text THEN
            v_email := NULL;
        END IF;
    END IF;
    LOOP
        BEGIN
            WITH linked AS (
                INSERT INTO auth.identities AS i (issuer, subject, user_id)
                VALUES (_provision_identity.issuer, _provision_identity.subject, v_user)
                ON CONFLICT ON CONSTRAINT identities_pkey DO NOTHING
                RETURNING i.user_id)
            INSERT INTO auth.users (id, email, name)
                SELECT linked.user_id,
                       COALESCE(v_email, linked.user_id::pg_catalog.text
                           OPERATOR(pg_catalog.||) '@external.invalid'::pg_catalog.text),
                       v_name
                  FROM linked;
            EXIT;
        EXCEPTION WHEN unique_violation OR check_violation THEN
            -- the token's email is taken (never linked to its account) or unusable
            IF v_email IS NULL THEN
                RAISE;
            END IF;
            v_email := NULL;
        END;
    END LOOP;
    -- ours, or the one a concurrent first request linked
    SELECT i.user_id INTO v_user FROM auth.identities i
     WHERE i.issuer OPERATOR(pg_catalog.=) _provision_identity.issuer
       AND i.subject OPERATOR(pg_catalog.=) _provision_identity.subject;
    RETURN v_user;
END
$$;
COMMENT ON FUNCTION auth._provision_identity(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
    'internal: links a provisioning issuer''s unknown subject to a new local user (called by auth.jwt_verify as the extension owner)';
-- Only the extension owner (auth.jwt_verify runs it with the owner's rights).
REVOKE ALL ON FUNCTION auth._provision_identity(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) FROM PUBLIC;

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

-- ---- 1.2: sessions and refresh tokens (issue 16), as src/sql/42_sessions.sql ----
-- The revocations take sid:<sid> rows; comments of the account functions
-- as 40_accounts.sql has them now (their bodies are above).
ALTER TABLE auth.revocations DROP CONSTRAINT revocations_kind_check,
    ADD CONSTRAINT revocations_kind_check CHECK (
        ((key OPERATOR(pg_catalog.~~) 'jti:%'::pg_catalog.text OR key OPERATOR(pg_catalog.~~) 'sid:%'::pg_catalog.text)
         AND not_before IS NULL AND expires_at IS NOT NULL)
        OR (key OPERATOR(pg_catalog.~~) 'sub:%'::pg_catalog.text AND not_before IS NOT NULL AND expires_at IS NULL));
COMMENT ON TABLE auth.revocations IS
    'revoked tokens (jti:<jti>), ended sessions (sid:<sid>) and users signed out everywhere (sub:<sub>)';
COMMENT ON FUNCTION auth._session(pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) IS
    'starts a session of a user and returns the sign-up/sign-in body';
COMMENT ON FUNCTION auth.signup(pg_catalog.text, pg_catalog.text, pg_catalog.text) IS
    'creates an account and its first session; 201 {"user","token","refresh_token","expires_in"} or 400 {"error"} (sets response.status)';
COMMENT ON FUNCTION auth.signin(pg_catalog.text, pg_catalog.text) IS
    'signs in, starting a session; 200 {"user","token","refresh_token","expires_in"} or 400 {"error"} (sets response.status); counts failures for lockout';
COMMENT ON FUNCTION auth.signout() IS
    'ends the session of the current token (by sid) and revokes the token (by jti); 200 even without a token; 22023 for a token without jti';
COMMENT ON FUNCTION auth.signout_everywhere() IS
    'ends every session of the current user and revokes every token of the user issued up to now; 401 {"error"} without a token';

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

CREATE FUNCTION auth._refresh_token() RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_token';
COMMENT ON FUNCTION auth._refresh_token() IS
    'a new refresh token: 256 bits from OpenSSL RAND_bytes, base64url';
REVOKE ALL ON FUNCTION auth._refresh_token() FROM PUBLIC;

CREATE FUNCTION auth._refresh_hash(token pg_catalog.text) RETURNS pg_catalog.bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_hash';
COMMENT ON FUNCTION auth._refresh_hash(pg_catalog.text) IS
    'SHA-256 of a refresh token (what auth.refresh_tokens stores); NULL for a text that is not one';
REVOKE ALL ON FUNCTION auth._refresh_hash(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION auth._refresh_seal(token pg_catalog.text, successor pg_catalog.text) RETURNS pg_catalog.bytea
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_seal';
COMMENT ON FUNCTION auth._refresh_seal(pg_catalog.text, pg_catalog.text) IS
    'successor XOR HMAC-SHA256(token, label): the successor, recoverable only with token';
REVOKE ALL ON FUNCTION auth._refresh_seal(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION auth._refresh_unseal(token pg_catalog.text, sealed pg_catalog.bytea) RETURNS pg_catalog.text
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'auth_refresh_unseal';
COMMENT ON FUNCTION auth._refresh_unseal(pg_catalog.text, pg_catalog.bytea) IS
    'the successor sealed by auth._refresh_seal(token, successor)';
REVOKE ALL ON FUNCTION auth._refresh_unseal(pg_catalog.text, pg_catalog.bytea) FROM PUBLIC;

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

-- ---- 1.2: password reset and email verification (issue 16), as src/sql/45_recovery.sql ----

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

CREATE FUNCTION auth._recovery_token() RETURNS pg_catalog.text
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE
    AS 'MODULE_PATHNAME', 'auth_recovery_token';
COMMENT ON FUNCTION auth._recovery_token() IS
    'a new one-time token: 256 random bits from OpenSSL, base64url';
REVOKE ALL ON FUNCTION auth._recovery_token() FROM PUBLIC;

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

-- The grants and ownership of this script (the account functions, the trusted issuers
-- and the linked identities above) are the extension owner's: one list, given here.  Not @extowner@:
-- in an update script that is the role running ALTER EXTENSION, which may be
-- a superuser updating the extension of a database owner.
DO $$
DECLARE
    v_owner pg_catalog.text := (SELECT e.extowner::pg_catalog.regrole::pg_catalog.text
                                  FROM pg_catalog.pg_extension e
                                 WHERE e.extname OPERATOR(pg_catalog.=) 'auth_ext'::pg_catalog.name);
    v_stmt  pg_catalog.text;
BEGIN
    FOREACH v_stmt IN ARRAY ARRAY[
        'GRANT EXECUTE ON FUNCTION auth._require_admin(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._check_setting(pg_catalog.text, pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._make_key(pg_catalog.text, pg_catalog.jsonb) TO',
        'GRANT INSERT, UPDATE ON auth.signin_failures TO',
        'GRANT EXECUTE ON FUNCTION auth._revocation_key(pg_catalog.text, pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._accounts_policy() TO',
        'GRANT EXECUTE ON FUNCTION auth._dummy_hash() TO',
        'GRANT EXECUTE ON FUNCTION auth._decoy_hash(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._count_failure(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._fail(pg_catalog.text, pg_catalog.int4) TO',
        'GRANT EXECUTE ON FUNCTION auth._session(pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) TO',
        'ALTER FUNCTION auth.signup(pg_catalog.text, pg_catalog.text, pg_catalog.text) OWNER TO',
        'ALTER FUNCTION auth.signin(pg_catalog.text, pg_catalog.text) OWNER TO',
        'ALTER FUNCTION auth.signout() OWNER TO',
        'ALTER FUNCTION auth.signout_everywhere() OWNER TO',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON auth.trusted_issuers TO',
        'GRANT EXECUTE ON FUNCTION auth._issuer_check(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) TO',
        'GRANT EXECUTE ON FUNCTION auth.trust_issuer(pg_catalog.text, pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb) TO',
        'GRANT EXECUTE ON FUNCTION auth.distrust_issuer(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth.issuers() TO',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON auth.identities TO',
        'GRANT EXECUTE ON FUNCTION auth.link_identity(pg_catalog.text, pg_catalog.text, pg_catalog.uuid) TO',
        'GRANT EXECUTE ON FUNCTION auth.unlink_identity(pg_catalog.text, pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._provision_identity(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) TO',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON auth.sessions, auth.refresh_tokens TO',
        'GRANT EXECUTE ON FUNCTION auth._sessions_policy() TO',
        'GRANT EXECUTE ON FUNCTION auth._refresh_token() TO',
        'GRANT EXECUTE ON FUNCTION auth._refresh_hash(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._refresh_seal(pg_catalog.text, pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._refresh_unseal(pg_catalog.text, pg_catalog.bytea) TO',
        'GRANT EXECUTE ON FUNCTION auth._session_ends(pg_catalog.timestamptz, pg_catalog.timestamptz) TO',
        'GRANT EXECUTE ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid, pg_catalog.uuid) TO',
        'GRANT EXECUTE ON FUNCTION auth._end_sessions(pg_catalog.uuid, pg_catalog.uuid) TO',
        'GRANT EXECUTE ON FUNCTION auth._current_session() TO',
        'GRANT EXECUTE ON FUNCTION auth._session_body(pg_catalog.uuid, pg_catalog.text, pg_catalog.int4) TO',
        'GRANT EXECUTE ON FUNCTION auth._session_start(pg_catalog.uuid, pg_catalog.int4) TO',
        'ALTER FUNCTION auth.sessions() OWNER TO',
        'ALTER FUNCTION auth.revoke_session(pg_catalog.uuid) OWNER TO',
        'ALTER FUNCTION auth.refresh(pg_catalog.text) OWNER TO',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON auth.outbox, auth.recovery_tokens TO',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON auth.recovery_requests TO',
        'GRANT EXECUTE ON FUNCTION auth._recovery_policy() TO',
        'GRANT EXECUTE ON FUNCTION auth._recovery_token() TO',
        'GRANT EXECUTE ON FUNCTION auth._require_primary(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._new_password_problem(pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._current_user() TO',
        'GRANT EXECUTE ON FUNCTION auth._count_request(pg_catalog.text, pg_catalog.text, pg_catalog.int4) TO',
        'GRANT EXECUTE ON FUNCTION auth._issue_token(pg_catalog.text, pg_catalog.uuid, pg_catalog.text, pg_catalog.text, pg_catalog.int4) TO',
        'GRANT EXECUTE ON FUNCTION auth._use_token(pg_catalog.text, pg_catalog.text) TO',
        'GRANT EXECUTE ON FUNCTION auth._lock_out(pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4, pg_catalog.int4) TO',
        'ALTER FUNCTION auth.change_password(pg_catalog.text, pg_catalog.text) OWNER TO',
        'ALTER FUNCTION auth.request_password_reset(pg_catalog.text) OWNER TO',
        'ALTER FUNCTION auth.reset_password(pg_catalog.text, pg_catalog.text) OWNER TO',
        'ALTER FUNCTION auth.request_email_verification() OWNER TO',
        'ALTER FUNCTION auth.verify_email(pg_catalog.text) OWNER TO']::pg_catalog.text[] LOOP
        EXECUTE v_stmt OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) v_owner;
    END LOOP;
END
$$;
