#!/usr/bin/env bash
# bench/profile.sh: where does a hot path spend its time?  Starts a throwaway
# cluster with auth_ext, makes 20,000 tokens of each kind, then runs
#   SELECT count(<EXPR>) FROM bench.<TABLE>, generate_series(1, 20) WHERE n > 0
# in one backend under `perf record` and prints the flat profile (self time)
# and the inclusive time of auth_ext's own functions.
#
#   bash bench/profile.sh "auth.jwt_verify(tok)" tok_hs256
#   bash bench/profile.sh 'auth.jwt_decode(tok, $BENCH_SECRET)' tok_hs256x
#
# Tables: tok_hs256x (HS256 tokens signed in plain SQL with $BENCH_SECRET,
# for jwt_decode/jws_verify), tok_hs256, tok_eddsa and tok_rs256 (keyring tokens, for
# jwt_verify).  Needs perf (linux-perf); run it as root.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
EXPR=${1:-auth.jwt_verify(tok)}
TABLE=${2:-tok_hs256}
BENCH_SECRET='bench-secret-0123456789abcdef-0123456789abcdef'
EXPR=${EXPR//\$BENCH_SECRET/\'$BENCH_SECRET\'}   # $BENCH_SECRET in EXPR: the secret, quoted
command -v perf >/dev/null || { echo "perf is not installed"; exit 1; }

make -s >/dev/null || exit 1
auth_workdir
auth_install || exit 1
auth_start prof "max_parallel_workers_per_gather = 0" || exit 1
psql -qX -c "CREATE DATABASE bench" >/dev/null
export PGDATABASE=bench
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION auth_ext" -c "SET client_min_messages = warning" \
  -f bench/setup.sql -f bench/plain_sql_jwt.sql >/dev/null || exit 1
psql -qX -v ON_ERROR_STOP=1 -v s="$BENCH_SECRET" >/dev/null <<'SQL' || exit 1
CREATE TABLE bench.claims AS
    SELECT k AS n, bench.claims(k) AS c,
           bench.claims(k) || jsonb_build_object('iat', extract(epoch FROM now())::bigint,
                                                 'exp', extract(epoch FROM now())::bigint + 604800,
                                                 'jti', encode(gen_random_bytes(16), 'hex')) AS cfull
      FROM generate_series(0, 20000) k;
CREATE TABLE bench.tok_hs256x AS SELECT n, plainjwt.sign_hs256(cfull, :'s') AS tok FROM bench.claims;
SELECT auth.create_key('HS256');
CREATE TABLE bench.tok_hs256 AS SELECT n, auth.jwt_sign(c) AS tok FROM bench.claims;
SELECT auth.create_key('EdDSA');
CREATE TABLE bench.tok_eddsa AS SELECT n, auth.jwt_sign(c) AS tok FROM bench.claims WHERE n <= 2000;
SELECT auth.create_key('RS256');
CREATE TABLE bench.tok_rs256 AS SELECT n, auth.jwt_sign(c) AS tok FROM bench.claims WHERE n <= 20000;
SQL

psql -qAtX -v ON_ERROR_STOP=1 >"$AUTH_WORK/run.log" 2>&1 <<SQL &
\\o $AUTH_WORK/pid
SELECT pg_backend_pid();
\\o
SELECT pg_sleep(1);
SELECT count($EXPR) FROM bench.$TABLE, generate_series(1, 20) WHERE n > 0;
SQL
sleep 0.5
pid=$(cat "$AUTH_WORK/pid")
perf record --call-graph dwarf,16384 -F 400 -p "$pid" -o "$AUTH_WORK/perf.data" -- sleep 4 >/dev/null 2>&1
wait
cat "$AUTH_WORK/run.log"
echo "== self time (top symbols)"
perf report -i "$AUTH_WORK/perf.data" --no-children --sort dso,symbol -g none --percent-limit 1 --stdio 2>/dev/null \
  | grep -E "^ +[0-9]" | grep -v "0x0000" | head -45
echo "== inclusive time (callers included; look for auth_ext functions)"
perf report -i "$AUTH_WORK/perf.data" --children --sort symbol -g none --percent-limit 2 --stdio 2>/dev/null \
  | grep -E "^ +[0-9]" | grep -v "0x0000" | head -45
