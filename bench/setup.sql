-- bench/setup.sql: the bookkeeping of `make bench` (schema bench in the bench
-- database): what each figure is, every timed sample, the ratios, and the
-- timer used for per-call costs in SQL.  Loaded by scripts/bench.sh.

CREATE SCHEMA bench;

-- One row per figure, in the order they were measured.
CREATE TABLE bench.figures (
    ord     serial,
    figure  text PRIMARY KEY,
    unit    text NOT NULL,          -- 'us' per call/row, 'tps', 'MB', 'ms', ...
    n       bigint,                 -- calls/rows per sample (NULL when not meaningful)
    what    text NOT NULL
);

-- One row per timed repetition (warm-ups are never recorded).
CREATE TABLE bench.samples (
    figure  text NOT NULL,
    run     int NOT NULL,
    value   float8 NOT NULL,        -- per-call figures: backend CPU time
    wall    float8                  -- per-call figures: wall-clock time, for reference
);

CREATE TABLE bench.ratios (
    ord     serial,
    name    text PRIMARY KEY,
    formula text NOT NULL,
    value   float8,                 -- NULL: a figure it needs was not measured
    target  text,                   -- e.g. '<= 2', '>= 4'; NULL: informative only
    pass    boolean,
    meaning text
);

CREATE TABLE bench.info (
    ord   serial,
    key   text PRIMARY KEY,
    value text
);

-- Median of a figure's samples (NULL when it has none).
CREATE FUNCTION bench.med(f text) RETURNS float8
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FROM bench.samples WHERE figure = f $$;

-- Records a ratio; target is '<= x', '>= x' or 'x..y' (inclusive range).
CREATE FUNCTION bench.ratio(name text, formula text, value float8, target text, meaning text)
    RETURNS void
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$
    INSERT INTO bench.ratios (name, formula, value, target, pass, meaning)
    VALUES (name, formula, value, target,
            CASE WHEN value IS NULL OR target IS NULL THEN NULL
                 WHEN target LIKE '<=%' THEN value <= substr(target, 3)::float8
                 WHEN target LIKE '>=%' THEN value >= substr(target, 3)::float8
                 WHEN target LIKE '%..%' THEN value BETWEEN split_part(target, '..', 1)::float8
                                                        AND split_part(target, '..', 2)::float8 END,
            meaning)
    ON CONFLICT ON CONSTRAINT ratios_pkey DO UPDATE
        SET formula = excluded.formula, value = excluded.value, target = excluded.target,
            pass = excluded.pass, meaning = excluded.meaning
$$;

-- A ratio that is the quotient of two figures' medians.
CREATE FUNCTION bench.quotient(name text, num text, den text, target text, meaning text)
    RETURNS void
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT bench.ratio(name, num || ' / ' || den, bench.med(num) / bench.med(den), target, meaning) $$;

-- The timer: runs prelude (untimed: loads the library, parses keys, sets an
-- identity, ...); when warm, runs query once untimed and then enough times in
-- a row to last about min_ms (at most 200 times); else runs it once.  Records
-- microseconds per row (elapsed / (n * times)) as sample `run` of `figure`
-- when run > 0.
-- clock 'cpu' (the default) is the backend's CPU time from
-- /proc/self/schedstat: the machine may be shared, and CPU time is what other
-- load inflates least.  The kernel updates it at scheduler ticks (4 ms at
-- HZ=250), so a timed section must last a few hundred milliseconds; 'wall'
-- (clock_timestamp()) is for single calls such as a cold start.  Both clocks
-- are kept.  Both are read inside the backend: no client round trip, no
-- parse/plan of the caller's statement, in the time.
-- SECURITY DEFINER so that the bench's application roles can read their own
-- backend's CPU time too (pg_read_file is for superusers).
CREATE FUNCTION bench.cpu_ns() RETURNS bigint
    LANGUAGE sql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
    AS $$ SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint $$;

CREATE FUNCTION bench.time_sql(figure text, run int, n bigint, query text,
                               prelude text DEFAULT NULL, warm boolean DEFAULT true,
                               clock text DEFAULT 'cpu', min_ms float8 DEFAULT 400)
    RETURNS float8
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
DECLARE
    t0 timestamptz;
    c0 bigint;
    reps int := 1;
    cpu_us float8;
    wall_us float8;
BEGIN
    IF prelude IS NOT NULL THEN
        EXECUTE prelude;
    END IF;
    IF warm THEN
        t0 := clock_timestamp();
        EXECUTE query;
        reps := least(200, greatest(1, ceil(min_ms / greatest(0.001,
                    extract(epoch FROM clock_timestamp() - t0) * 1000))))::int;
    END IF;
    c0 := bench.cpu_ns();
    t0 := clock_timestamp();
    FOR i IN 1 .. reps LOOP
        EXECUTE query;
    END LOOP;
    wall_us := extract(epoch FROM clock_timestamp() - t0) * 1e6 / (n * reps);
    cpu_us := (bench.cpu_ns() - c0) / 1e3 / (n * reps);
    IF run > 0 THEN
        INSERT INTO bench.samples VALUES (figure, run, CASE clock WHEN 'wall' THEN wall_us ELSE cpu_us END, wall_us);
    END IF;
    RETURN cpu_us;
END
$$;

-- Deterministic user ids: user k (1-based) is 00000000-0000-4000-8000-<k in 12 digits>.
CREATE FUNCTION bench.uid(k int) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ('00000000-0000-4000-8000-' || lpad(k::text, 12, '0'))::uuid $$;

-- The claims auth.signin() puts in a token, for user k (jwt_sign adds iat, exp, jti).
CREATE FUNCTION bench.claims(k int) RETURNS jsonb
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT jsonb_build_object('sub', bench.uid(k), 'user_id', bench.uid(k),
                              'email', 'user' || k || '@example.com', 'name', 'User Number ' || k,
                              'role', 'authenticated')
$$;

-- The payload segment of a compact JWS, decoded to text.
CREATE FUNCTION bench.payload_of(tok text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
    SELECT convert_from(decode(rpad(translate(split_part(tok, '.', 2), '-_', '+/'),
                                    (length(split_part(tok, '.', 2)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')
$$;

-- The server's work for one GET /tasks request, n requests in a row in one
-- backend, one transaction each (COMMIT in the loop), users in rotation:
--   auth:   set_config('request.headers', <bearer token>); auth.pre_request();
--           20 newest tasks through the RLS policies
--   noauth: set_config('request.headers', <no token>); 20 newest tasks
--           WHERE user_id = <the user's id>, as a BYPASSRLS role
--   (lazy:  as auth with identity.from_request on and no pre_request())
--   rls:    auth.jwt_verify(<token>); 20 newest tasks through the policies
--   hand:   auth.jwt_verify(<token>); 20 newest WHERE user_id = <the user's id>,
--           as a BYPASSRLS role
-- No protocol, no client: what authentication adds to the work of the server.
-- Returns CPU and wall microseconds per request.
CREATE PROCEDURE bench.request_loop(kind text, n int,
                                    INOUT cpu_us float8 DEFAULT NULL, INOUT wall_us float8 DEFAULT NULL)
    LANGUAGE plpgsql
    AS $$
DECLARE
    hdrs text[] := (SELECT array_agg(json_build_object('authorization', 'Bearer ' || tok)::text ORDER BY u.n)
                      FROM bench.users u);
    uids uuid[] := (SELECT array_agg(u.uid ORDER BY u.n) FROM bench.users u);
    toks text[] := (SELECT array_agg(u.tok ORDER BY u.n) FROM bench.users u);
    m int := array_length(uids, 1);
    k int;
    c0 bigint;
    t0 timestamptz;
BEGIN
    COMMIT;
    c0 := bench.cpu_ns();
    t0 := clock_timestamp();
    FOR i IN 1 .. n LOOP
        k := 1 + i % m;
        IF kind = 'auth' THEN
            PERFORM set_config('request.headers', hdrs[k], true);
            PERFORM auth.pre_request();
            PERFORM count(*) FROM (SELECT id, title, completed, created_at FROM bench.tasks
                                    ORDER BY created_at DESC LIMIT 20) s;
        ELSIF kind = 'lazy' THEN
            -- identity.from_request = on: the RLS query's reader verifies the token
            PERFORM set_config('request.headers', hdrs[k], true);
            PERFORM count(*) FROM (SELECT id, title, completed, created_at FROM bench.tasks
                                    ORDER BY created_at DESC LIMIT 20) s;
        ELSIF kind = 'rls' THEN
            PERFORM auth.jwt_verify(toks[k]);
            PERFORM count(*) FROM (SELECT id, title, completed, created_at FROM bench.tasks
                                    ORDER BY created_at DESC LIMIT 20) s;
        ELSIF kind = 'hand' THEN
            PERFORM auth.jwt_verify(toks[k]);
            PERFORM count(*) FROM (SELECT id, title, completed, created_at FROM bench.tasks
                                    WHERE user_id = uids[k] ORDER BY created_at DESC LIMIT 20) s;
        ELSE
            PERFORM set_config('request.headers', '{"accept": "application/json"}', true);
            PERFORM count(*) FROM (SELECT id, title, completed, created_at FROM bench.tasks
                                    WHERE user_id = uids[k] ORDER BY created_at DESC LIMIT 20) s;
        END IF;
        COMMIT;
    END LOOP;
    cpu_us := (bench.cpu_ns() - c0) / 1e3 / n;
    wall_us := extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END
$$;
