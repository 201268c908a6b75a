#!/usr/bin/env bash
# test/sh/70_mutation.sh: SQL-level mutation test (area 70).  Valid tokens and
# password hashes are mutated tens of thousands of times (bit flips,
# truncations, deletions, insertions, replacements, duplications, splices
# with other tokens, segment swaps, huge and empty values) and fed to
# auth.jwt_verify, auth.jwt_decode, auth.jws_verify and
# auth.verify_password.  Every call must either give the right answer for
# an unmodified input (the claims; true for the right password) or fail
# cleanly: PT401 for tokens; 22023 or false for hashes.  Also tokens whose
# payload JSON is mutated and then RE-SIGNED with the HMAC key (so they pass
# the signature and reach the claim parser): the answer is PT401 or exactly
# the mutated claims.  The loops run inside the server (PL/pgSQL, one
# subtransaction per call); random() is seeded, so a failure reproduces.
# The server must not restart (postmaster start time) and its log must show
# no backend terminated by a signal.
#   T70_MUTATIONS (default 20000) = mutations per token kind (jws_verify:
#   half), T70_HASH_MUTATIONS (default 2000) = hash mutations.
source "$AUTH_ROOT/scripts/tap.sh"
plan 12
set -u
DB=t70_mutation
N=${T70_MUTATIONS:-20000}
NH=${T70_HASH_MUTATIONS:-2000}
q() { psql -qXAt -v ON_ERROR_STOP=1 -d $DB "$@"; }
psql -qX -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
start0=$(psql -qXAt -c "SELECT pg_postmaster_start_time()")

q >/dev/null <<'SQL'
CREATE EXTENSION auth_ext;
CREATE EXTENSION pgcrypto;
CREATE SCHEMA t70;
-- cheap hashes, and low caps so that no mutated hash can cost much
SELECT auth.configure('password.argon2_max_memory_kib', '1024');
SELECT auth.configure('password.argon2_max_iterations', '4');
SELECT auth.configure('password.bcrypt_max_cost', '6');
SELECT auth.configure('password.scrypt_max_memory_kib', '33000');
SELECT auth.configure('password.pbkdf2_max_iterations', '20000');
SELECT auth.configure('password.sha_crypt_max_rounds', '5000');

CREATE FUNCTION t70.b64url(b bytea) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT translate(encode(b, 'base64'), E'+/=\n', '-_') $$;

-- one random mutation of t; others are tokens (or hashes) to splice from
CREATE FUNCTION t70.mutate0(t text, others text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n int := length(t);
    p int := floor(random() * greatest(n, 1))::int;
    k int := floor(random() * 10)::int;
    c int;
    o text := others[1 + floor(random() * array_length(others, 1))::int];
    a text[] := string_to_array(t, '.');
    b text[] := string_to_array(o, '.');
    chars text := 'AZaz09-_.=+/ \"{}$,é' || chr(127) || chr(1);
BEGIN
    CASE k
    WHEN 0, 1 THEN                      -- flip one of the 7 low bits of a character
        c := ascii(substr(t, p + 1, 1)) # (1 << floor(random() * 7)::int);
        IF c = 0 THEN c := 64; END IF;
        RETURN overlay(t PLACING chr(c) FROM p + 1 FOR 1);
    WHEN 2 THEN RETURN left(t, p);      -- truncation (p = 0: empty)
    WHEN 3 THEN RETURN overlay(t PLACING '' FROM p + 1 FOR 1 + floor(random() * 4)::int);
    WHEN 4 THEN                         -- insertion
        RETURN overlay(t PLACING substr(chars, 1 + floor(random() * length(chars))::int, 1) FROM p + 1 FOR 0);
    WHEN 5 THEN                         -- replacement
        RETURN overlay(t PLACING substr(chars, 1 + floor(random() * length(chars))::int, 1) FROM p + 1 FOR 1);
    WHEN 6 THEN                         -- duplication of a range
        RETURN left(t, p) || substr(t, p + 1, 1 + floor(random() * 12)::int) || substr(t, p + 1);
    WHEN 7 THEN                         -- splice with another value
        RETURN left(t, p) || substr(o, 1 + floor(random() * length(o))::int);
    WHEN 8 THEN                         -- segments swapped, borrowed, dropped, added
        CASE floor(random() * 9)::int
        WHEN 0 THEN RETURN concat_ws('.', a[2], a[1], a[3]);
        WHEN 1 THEN RETURN concat_ws('.', b[1], a[2], a[3]);
        WHEN 2 THEN RETURN concat_ws('.', a[1], b[2], a[3]);
        WHEN 3 THEN RETURN concat_ws('.', a[1], a[2], b[3]);
        WHEN 4 THEN RETURN a[1] || '.' || a[2] || '.';
        WHEN 5 THEN RETURN a[1] || '.' || a[2];
        WHEN 6 THEN RETURN t || '.' || a[3];
        WHEN 7 THEN RETURN concat_ws('.', a[3], a[2], a[1]);
        ELSE RETURN '.' || t;
        END CASE;
    ELSE                                -- huge and empty
        CASE floor(random() * 7)::int
        WHEN 0 THEN RETURN '';
        WHEN 1 THEN RETURN repeat(t, 40);
        WHEN 2 THEN RETURN repeat('a', 70000);
        WHEN 3 THEN RETURN t || repeat('A', 20000);
        WHEN 4 THEN RETURN repeat('.', 3000);
        WHEN 5 THEN RETURN repeat('$', 500);
        ELSE RETURN ' ' || t || ' ';
        END CASE;
    END CASE;
END
$$;

-- (a segment operation on a value without dots gives NULL: make it '')
CREATE FUNCTION t70.mutate(t text, others text[]) RETURNS text LANGUAGE sql AS
$$ SELECT coalesce(t70.mutate0(t, others), '') $$;

-- tokens of every algorithm family, all verifiable by the keyring
CREATE TABLE t70.tokens (alg text, token text, claims jsonb);
DO $$
DECLARE alg text; tok text;
BEGIN
    FOREACH alg IN ARRAY ARRAY['HS256', 'HS512', 'ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] LOOP
        PERFORM auth.create_key(alg);
        tok := auth.jwt_sign(jsonb_build_object('sub', 'u-' || alg, 'role', 'authenticated', 'n', 1));
        INSERT INTO t70.tokens VALUES (alg, tok, auth.jwt_verify(tok));
    END LOOP;
END $$;

CREATE TABLE t70.result (suite text, tried int, ok int, expected_error int,
                         unexpected int, sample text);

-- mutation loop over f(token) for the tokens in t70.tokens
CREATE FUNCTION t70.run_tokens(suite text, n int, key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    toks text[] := (SELECT array_agg(token ORDER BY alg) FROM t70.tokens);
    claims jsonb[] := (SELECT array_agg(t.claims ORDER BY alg) FROM t70.tokens t);
    i int; j int; m text; r jsonb;
    n_ok int := 0; n_err int := 0; n_bad int := 0; sample text;
BEGIN
    FOR i IN 1 .. n LOOP
        j := 1 + (i % array_length(toks, 1));
        IF key IS NOT NULL THEN j := 1; END IF;          -- jwt_decode: the HS256 token
        m := t70.mutate(toks[j], toks);
        BEGIN
            IF key IS NULL THEN
                r := auth.jwt_verify(m);
            ELSIF suite = 'jws_verify' THEN
                r := convert_from(auth.jws_verify(m, key, '{HS256}'), 'UTF8')::jsonb;
            ELSE
                r := auth.jwt_decode(m, key, '{HS256}');
            END IF;
            -- (a splice may give back another valid token whole)
            IF m = ANY (toks) AND r = claims[array_position(toks, m)] THEN
                n_ok := n_ok + 1;
            ELSE
                n_bad := n_bad + 1;
                sample := coalesce(sample, 'accepted a mutation: ' || left(m, 300));
            END IF;
        EXCEPTION WHEN SQLSTATE 'PT401' THEN
            n_err := n_err + 1;
        WHEN OTHERS THEN
            n_bad := n_bad + 1;
            sample := coalesce(sample, SQLSTATE || ' ' || SQLERRM || ' on ' || left(m, 300));
        END;
    END LOOP;
    INSERT INTO t70.result VALUES (suite, n, n_ok, n_err, n_bad, sample);
END
$$;

-- HS256 tokens whose payload JSON text is mutated, then signed again
CREATE FUNCTION t70.run_resigned(n int, key text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    base text[] := ARRAY[
        '{"sub":"alice","exp":4000000000,"iat":1700000000,"aud":["a","b"],"n":1.5}',
        '{"sub":"bob","exp":4000000000,"nbf":1000,"x":{"y":[1,2,{"z":null}]}}',
        '{"exp":4000000000,"s":"\u00e9\"\\","e":1e2,"t":true}'];
    hdr text := t70.b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'));
    i int; m text; si text; tok text; r jsonb; want jsonb;
    n_ok int := 0; n_err int := 0; n_bad int := 0; sample text;
BEGIN
    FOR i IN 1 .. n LOOP
        m := t70.mutate(base[1 + i % 3], base);
        IF i % 50 = 0 THEN m := '{"exp":4000000000,"d":' || repeat('[', 100000) || repeat(']', 100000) || '}'; END IF;
        IF i % 50 = 1 THEN m := '{"exp":4000000000,"exp":"soon","sub":"x"}'; END IF;
        si := hdr || '.' || t70.b64url(convert_to(m, 'UTF8'));
        tok := si || '.' || t70.b64url(hmac(convert_to(si, 'UTF8'), convert_to(key, 'UTF8'), 'sha256'));
        BEGIN
            want := NULL;
            BEGIN want := m::jsonb; EXCEPTION WHEN OTHERS THEN want := NULL; END;
            r := auth.jwt_decode(tok, key, '{HS256}');
            IF r = want THEN
                n_ok := n_ok + 1;
            ELSE
                n_bad := n_bad + 1;
                sample := coalesce(sample, 'accepted with other claims: ' || left(m, 300));
            END IF;
        EXCEPTION WHEN SQLSTATE 'PT401' THEN
            n_err := n_err + 1;
        WHEN OTHERS THEN
            n_bad := n_bad + 1;
            sample := coalesce(sample, SQLSTATE || ' ' || SQLERRM || ' on ' || left(m, 300));
        END;
    END LOOP;
    INSERT INTO t70.result VALUES ('resigned', n, n_ok, n_err, n_bad, sample);
END
$$;

-- password hashes of every format the extension reads
CREATE TABLE t70.hashes (fmt text, hash text);
INSERT INTO t70.hashes VALUES
    ('argon2id', auth.hash_password('correct horse', 'argon2id', '{"m": 64, "t": 1, "p": 1}')),
    ('bcrypt', auth.hash_password('correct horse', 'bcrypt', '{"cost": 4}')),
    ('scrypt', auth.hash_password('correct horse', 'scrypt', '{"ln": 4, "r": 8, "p": 1}')),
    ('pbkdf2', auth.hash_password('correct horse', 'pbkdf2-sha256', '{"i": 1000}'));

-- PHC-style strings imply the key length: true when m is h with its key (the
-- part after the last '$') cut short to >= 16 bytes.  Compared on the decoded
-- bytes: a cut can end in a character that differs from h's but encodes the
-- same leading bits ("...7tE" is the 29-byte prefix of "...7tFeYjE").
CREATE FUNCTION t70.key_cut_short(m text, h text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    mk text := substring(m FROM '[^$]*$');
    hk text := substring(h FROM '[^$]*$');
    mb bytea; hb bytea;
BEGIN
    IF left(m, length(m) - length(mk)) <> left(h, length(h) - length(hk)) THEN
        RETURN false;
    END IF;
    mk := translate(mk, '.', '+'); hk := translate(hk, '.', '+');   -- passlib's ab64
    mb := decode(mk || repeat('=', (4 - length(mk) % 4) % 4), 'base64');
    hb := decode(hk || repeat('=', (4 - length(hk) % 4) % 4), 'base64');
    RETURN length(mb) >= 16 AND length(mb) < length(hb) AND substr(hb, 1, length(mb)) = mb;
EXCEPTION WHEN OTHERS THEN
    RETURN false;   -- not base64: not a cut key
END
$$;

CREATE FUNCTION t70.run_hashes(n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    hs text[] := (SELECT array_agg(hash ORDER BY fmt) FROM t70.hashes);
    i int; j int; m text; r boolean;
    n_ok int := 0; n_err int := 0; n_bad int := 0; n_short int := 0; sample text;
BEGIN
    FOR i IN 1 .. n LOOP
        j := 1 + (i % array_length(hs, 1));
        m := t70.mutate(hs[j], hs);
        BEGIN
            r := auth.verify_password('correct horse', m);
            -- a stored key cut short (>= 16 bytes) is the same hash, shorter; it
            -- can be another one's: a segment operation borrows the part of a
            -- pbkdf2 hash before its first '.' (passlib's ab64 has '.' for '+')
            -- Never Argon2: its tag length is an input of the hash, so a
            -- shorter tag is another value, not a prefix: true there is wrong.
            IF r AND m NOT LIKE '$argon2%' AND EXISTS (SELECT 1 FROM unnest(hs) h WHERE t70.key_cut_short(m, h)) THEN
                n_short := n_short + 1;
            -- bcrypt $2a$ and $2b$ hash a short ASCII password alike
            ELSIF r IS NOT NULL AND (r = (m = ANY (hs) OR regexp_replace(m, '^\$2a\$', '$2b$') = ANY (hs))) THEN
                IF r THEN n_ok := n_ok + 1; ELSE n_err := n_err + 1; END IF;
            ELSE
                n_bad := n_bad + 1;
                sample := coalesce(sample, 'wrong answer ' || coalesce(r::text, 'NULL') || ' for ' || left(m, 300) || ' (unmodified: ' || hs[j] || ')');
            END IF;
        EXCEPTION WHEN SQLSTATE '22023' THEN
            n_err := n_err + 1;
        WHEN OTHERS THEN
            n_bad := n_bad + 1;
            sample := coalesce(sample, SQLSTATE || ' ' || SQLERRM || ' on ' || left(m, 300));
        END;
    END LOOP;
    INSERT INTO t70.result VALUES ('hashes', n, n_ok + n_short, n_err, n_bad, sample);
    RAISE NOTICE 'hashes: % truncated keys (>= 16 bytes) accepted', n_short;
END
$$;
SQL
[ $? = 0 ] || bail "set-up: keys of 7 algorithms, tokens, hashes of 4 formats"

is "$(q -c "SELECT count(*) FROM t70.tokens WHERE claims->>'sub' = 'u-' || alg")" "7" \
   "the unmodified token of every algorithm verifies"
# Argon2's tag length is hashed in: the stored tag cut to 18 bytes (24 base64
# characters) must not verify; positive control first, the whole hash does.
is "$(q -c "SELECT auth.verify_password('correct horse', hash) || '/' ||
                   auth.verify_password('correct horse', regexp_replace(hash, '[^$]*$', '') || left(substring(hash FROM '[^$]*$'), 24))
            FROM t70.hashes WHERE fmt = 'argon2id'")" "true/false" \
   "an Argon2id hash verifies, the same hash with its tag cut to 18 bytes does not"
is "$(q -c "SELECT count(*) FILTER (WHERE auth.verify_password('correct horse', hash))
                 || '/' || count(*) FILTER (WHERE NOT auth.verify_password('wrong horse', hash)) FROM t70.hashes")" "4/4" \
   "the unmodified hashes verify the right password and refuse a wrong one"

q -c "SELECT setseed(0.70); SELECT t70.run_tokens('jwt_verify', $N, NULL)" >/dev/null
ok $? "jwt_verify mutation loop ran"
# jwt_decode takes an explicit key: its loop mutates a token made by
# jwt_encode with a known HMAC secret
q >/dev/null <<SQL
SELECT setseed(0.72);
UPDATE t70.tokens SET alg = '0-explicit', token = auth.jwt_encode('{"sub":"explicit","exp":4000000000}', repeat('k', 32)),
    claims = '{"sub":"explicit","exp":4000000000}' WHERE alg = 'HS256';
SELECT t70.run_tokens('jwt_decode', $N, repeat('k', 32));
SELECT setseed(0.725);
SELECT t70.run_tokens('jws_verify', $((N / 2)), repeat('k', 32));
SELECT setseed(0.73);
SELECT t70.run_resigned($((N / 4)), repeat('k', 32));
SELECT setseed(0.74);
SELECT t70.run_hashes($NH);
SQL
ok $? "jwt_decode, jws_verify, re-signed claims and verify_password loops ran"

while IFS='|' read -r suite tried okn err bad sample; do
  is "$bad" "0" "$suite: $tried mutations, $okn right answers for unmodified input, $err clean errors, 0 unexpected"
  [ "$bad" != 0 ] && echo "#   first unexpected: $sample"
done < <(q -c "SELECT suite, tried, ok, expected_error, unexpected, coalesce(sample, '') FROM t70.result ORDER BY suite")

total=$(q -c "SELECT sum(tried) FROM t70.result")
echo "# mutations tried in all: $total"

is "$(psql -qXAt -c "SELECT pg_postmaster_start_time()")" "$start0" "the server did not restart"
log_clean "$AUTH_WORK/main/server.log" "no backend terminated by a signal"

psql -qX -c "DROP DATABASE $DB" >/dev/null
tap_done
