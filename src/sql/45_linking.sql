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
-- The extension owner administers links and backs them up.
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.identities TO @extowner@;
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
GRANT EXECUTE ON FUNCTION auth.link_identity(pg_catalog.text, pg_catalog.text, pg_catalog.uuid) TO @extowner@;

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
GRANT EXECUTE ON FUNCTION auth.unlink_identity(pg_catalog.text, pg_catalog.text) TO @extowner@;

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
GRANT EXECUTE ON FUNCTION auth._provision_identity(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) TO @extowner@;
