-- bench/signin_timing.sql: sign-in time must not reveal whether an account
-- exists or is locked (issue 5).  bench.signin_timing(n) times n sign-ins of
-- each kind, interleaved in one backend (the order rotates every round):
--   unknown  an email no account has
--   locked   the right password of a locked account
--   wrong    a wrong password for an existing, unlocked account
-- and records each call (milliseconds) as a sample of signin_time.<kind>.
-- Needs accounts bench_locked@example.com (locked, lockout long enough) and
-- bench_wrong@example.com; the failure counter of the latter (auth.signin_failures,
-- keyed by email) is cleared before each of its attempts (untimed) so it never
-- locks.  Each unknown email is tried once, so none of them locks either.

CREATE FUNCTION bench.signin_timing(n int, pw text) RETURNS void
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    AS $$
DECLARE
    kinds text[] := ARRAY['unknown', 'locked', 'wrong'];
    kind text;
    t0 timestamptz;
    ms float8;
BEGIN
    -- warm-up: the dummy hash of the unknown-email path is made once per backend
    PERFORM auth.signin('nobody-warmup@example.com', pw);
    FOR i IN 1 .. n LOOP
        FOR j IN 0 .. 2 LOOP
            kind := kinds[1 + (i + j) % 3];
            IF kind = 'wrong' THEN
                DELETE FROM auth.signin_failures WHERE email = 'bench_wrong@example.com';
            END IF;
            t0 := clock_timestamp();
            IF kind = 'unknown' THEN
                PERFORM auth.signin('nobody' || i || '@example.com', pw);
            ELSIF kind = 'locked' THEN
                PERFORM auth.signin('bench_locked@example.com', pw);
            ELSE
                PERFORM auth.signin('bench_wrong@example.com', pw || ' but wrong');
            END IF;
            ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
            INSERT INTO bench.samples VALUES ('signin_time.' || kind, i, ms);
        END LOOP;
    END LOOP;
END
$$;
