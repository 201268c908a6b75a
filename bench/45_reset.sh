#!/usr/bin/env bash
# bench/45_reset.sh: reset request timing (recovery, area 45).  Measured, not
# asserted (test/pgtap/45_recovery.sql asserts the equal work per path).
#
# Median server-side time of auth.request_password_reset() for a known and
# an unknown email, N (200) of each, interleaved (alternating order), each
# call its own transaction with its COMMIT inside the timed span (fsync on:
# both paths commit a write); ratio unknown / known (target 0.9-1.1).
#
# Writes bench/45_reset.md.  N=20 bash bench/45_reset.sh for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

N=${N:-200}
OUT=bench/45_reset.md

make -s >/dev/null
auth_workdir
auth_install >/dev/null
auth_start bench45 "fsync = on
synchronous_commit = on"
psql -qX -c "CREATE DATABASE bench45" >/dev/null
export PGDATABASE=bench45
q() { psql -qAtX -v ON_ERROR_STOP=1 "$@"; }

q <<'SQL'
CREATE EXTENSION auth_ext;
SELECT auth.configure('accounts.recovery_requests_per_hour', '1000');
SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
INSERT INTO auth.users (email, name, password_hash)
    SELECT 'user' || i || '@bench.test', 'User ' || i, auth.hash_password('password-' || i)
    FROM generate_series(1, 100) i;
CREATE TABLE timing (kind text, ms double precision, body text);
CREATE PROCEDURE bench_reset(n int, keep boolean) LANGUAGE plpgsql AS $$
DECLARE
    k text;
    t0 timestamptz;
    t1 timestamptz;
    r jsonb;
BEGIN
    FOR i IN 1..n LOOP
        FOR j IN 0..1 LOOP
            k := (ARRAY['known', 'unknown'])[1 + (i + j) % 2];
            t0 := clock_timestamp();
            r := auth.request_password_reset(CASE k WHEN 'known' THEN 'user' || (1 + i % 100) || '@bench.test'
                                                    ELSE 'nobody' || (1 + i % 100) || '@bench.test' END);
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
q -c "CALL bench_reset(5, false)"
echo "timing $N of each kind..."
q -c "CALL bench_reset($N, true)"

TIMES=$(q -F ' | ' <<'SQL'
WITH m AS (
    SELECT kind, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median,
           min(ms) AS min, max(ms) AS max
    FROM timing GROUP BY kind)
SELECT m.kind, m.n, round(m.median::numeric, 3), round(m.min::numeric, 3), round(m.max::numeric, 3),
       round((m.median / k.median)::numeric, 3)
FROM m, m k WHERE k.kind = 'known' ORDER BY m.kind;
SQL
)
BODIES=$(q -c "SELECT count(DISTINCT body) || ' distinct body: ' || min(body) FROM timing")

{
  echo "# Reset request timing (bench/45_reset.sh)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; PostgreSQL $(q -c 'SHOW server_version'), fsync on."
  echo
  echo "## Server-side time of auth.request_password_reset(), $N of each, interleaved, COMMIT included"
  echo
  echo "| email | n | median ms | min ms | max ms | ratio to a known email (target 0.9-1.1) |"
  echo "|---|---|---|---|---|---|"
  while IFS='|' read -r kind n med min max ratio; do
    echo "| ${kind// /} | ${n// /} | ${med// /} | ${min// /} | ${max// /} | ${ratio// /} |"
  done <<<"$TIMES"
  echo
  echo "Bodies: $BODIES."
  echo
  echo "Both paths count the request, make a token and write a token row and an outbox row"
  echo "(and queue a NOTIFY) in a subtransaction, rolled back for an unknown email; both"
  echo "commit a write, so both wait for the WAL flush."
} >"$OUT"
cat "$OUT"
