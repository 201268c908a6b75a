#!/usr/bin/env bash
# bench/40_signin.sh: sign-in timing (accounts, area 40).  Measured, not asserted.
#
#  1. Enumeration by timing: median server-side time of auth.signin() for an
#     unknown email, a locked account and a wrong password, N (200) of each,
#     interleaved in one run (rotating order), each call its own transaction
#     with its COMMIT inside the timed span; ratios to the wrong-password
#     median (target 0.9-1.1).  Default Argon2id parameters, fsync on.
#  2. Sign-ins per second (successful ones, token included) with 1 and 2
#     pgbench clients at default parameters, next to the raw
#     argon2id_hash_raw() rate in C on this machine (bench/40_argon2_rate.c).
#
# Writes bench/40_signin.md.  N=20 bash bench/40_signin.sh for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

N=${N:-200}
SECONDS_PGBENCH=${SECONDS_PGBENCH:-10}
OUT=bench/40_signin.md

make -s >/dev/null
auth_workdir
auth_install >/dev/null
# fsync on: a failed sign-in commits a write, an unknown email does not; the
# difference must show if it matters.
auth_start bench40 "fsync = on
synchronous_commit = on
shared_buffers = 128MB"
psql -qX -c "CREATE DATABASE bench40" >/dev/null
export PGDATABASE=bench40
q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

q <<'SQL'
CREATE EXTENSION auth_ext;
-- The wrong-password account must never lock during the run.
SELECT auth.configure('accounts.max_failures', '1000');
INSERT INTO auth.users (email, name, password_hash)
    SELECT 'user' || i || '@bench.test', 'User ' || i, auth.hash_password('password-' || i)
    FROM generate_series(1, 100) i;
INSERT INTO auth.users (email, name, password_hash) VALUES
    ('locked@bench.test', 'Locked', auth.hash_password('the locked password')),
    ('wrong@bench.test', 'Wrong', auth.hash_password('the right password'));
INSERT INTO auth.signin_failures (email, failures, locked_until)
    VALUES ('locked@bench.test', 1000, now() + interval '1 day');
CREATE TABLE timing (kind text, ms double precision, body text);
CREATE PROCEDURE bench_signin(n int, keep boolean) LANGUAGE plpgsql AS $$
DECLARE
    kinds text[] := ARRAY['unknown', 'locked', 'wrong'];
    k text;
    t0 timestamptz;
    t1 timestamptz;
    r jsonb;
BEGIN
    FOR i IN 1..n LOOP
        FOR j IN 0..2 LOOP
            k := kinds[1 + (i + j) % 3];
            t0 := clock_timestamp();
            r := auth.signin(CASE k WHEN 'unknown' THEN 'nobody' || i || '@bench.test'
                                    WHEN 'locked' THEN 'locked@bench.test'
                                    ELSE 'wrong@bench.test' END,
                             'not the password');
            COMMIT;
            t1 := clock_timestamp();
            IF keep THEN
                INSERT INTO timing VALUES (k, 1000 * extract(epoch FROM t1 - t0), r::text);
                COMMIT;
            END IF;
        END LOOP;
    END LOOP;
END $$;
SQL

echo "warm-up..."
q -c "CALL bench_signin(5, false)"
echo "timing $N of each kind..."
q -c "CALL bench_signin($N, true)"

TIMES=$(q -F ' | ' <<'SQL'
WITH m AS (
    SELECT kind, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median,
           min(ms) AS min, max(ms) AS max
    FROM timing GROUP BY kind)
SELECT m.kind, m.n, round(m.median::numeric, 2), round(m.min::numeric, 2), round(m.max::numeric, 2),
       round((m.median / w.median)::numeric, 3)
FROM m, m w WHERE w.kind = 'wrong'
ORDER BY array_position(ARRAY['unknown', 'locked', 'wrong'], m.kind);
SQL
)
BODIES=$(q -c "SELECT count(DISTINCT body) || ' distinct body: ' || min(body) FROM timing")

cat >"$AUTH_WORK/signin.sql" <<'SQL'
\set n random(1, 100)
SELECT auth.signin('user' || :n || '@bench.test', 'password-' || :n);
SQL
RATE1=$(pgbench -n -c 1 -j 1 -T "$SECONDS_PGBENCH" -f "$AUTH_WORK/signin.sql" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
RATE2=$(pgbench -n -c 2 -j 2 -T "$SECONDS_PGBENCH" -f "$AUTH_WORK/signin.sql" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')

cc -O2 -o "$AUTH_WORK/argon2_rate" bench/40_argon2_rate.c -largon2
RAW=$("$AUTH_WORK/argon2_rate" 40)
RAW_RATE=$(sed -n 's/.*hashes_per_second=\([0-9.]*\).*/\1/p' <<<"$RAW")

{
  echo "# Sign-in timing (bench/40_signin.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1);"
  echo "PostgreSQL $(q -c 'SHOW server_version'), fsync on; Argon2id m=19456 KiB, t=2, p=1 (defaults)."
  echo
  echo "## Enumeration by timing: server-side time of auth.signin(), $N of each, interleaved"
  echo
  echo "| case | n | median ms | min ms | max ms | ratio to wrong password (target 0.9-1.1) |"
  echo "|---|---|---|---|---|---|"
  while IFS='|' read -r kind n med min max ratio; do
    echo "| ${kind// /} | ${n// /} | ${med// /} | ${min// /} | ${max// /} | ${ratio// /} |"
  done <<<"$TIMES"
  echo
  echo "Bodies: $BODIES."
  echo
  echo "## Sign-ins per second (successful, with token), default parameters"
  echo
  echo "| what | per second |"
  echo "|---|---|"
  echo "| auth.signin, 1 pgbench client | $RATE1 |"
  echo "| auth.signin, 2 pgbench clients | $RATE2 |"
  echo "| raw argon2id_hash_raw in C, 1 thread | $RAW_RATE |"
  echo "| raw rate x 2 (cores) | $(awk -v r="$RAW_RATE" 'BEGIN { printf "%.1f", 2 * r }') |"
  echo
  echo "A sign-in is one Argon2id verification (the same cost as one hash) plus an"
  echo "EdDSA signature and a few index probes, so its ceiling is the raw Argon2id rate."
} >"$OUT"
cat "$OUT"
