#!/usr/bin/env bash
# bench/20_jwt.sh: per-call cost of auth.jwt_verify (HS256, EdDSA; first
# sight of a token and repeated verification of the same token; ES256 and
# RS256 first sight over N/10 tokens; EdDSA with 1,000 tokens in rotation) and of auth.jwt_decode (HS256,
# explicit secret), each over N calls (default 100000) in one SELECT, next to the SQL floor of the same run: the same
# scan calling a trivial C function (octet_length) instead.  Not part of
# `make test`; prints a table in microseconds per call (median of REPS runs).
#
#   bash bench/20_jwt.sh            N=100000 REPS=3
#   N=20000 REPS=1 bash bench/20_jwt.sh
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
N=${N:-100000}
REPS=${REPS:-3}
make -s >/dev/null || exit 1
auth_workdir
auth_install || exit 1
auth_start bench20 "shared_buffers = 256MB
jit = off
max_parallel_workers_per_gather = 0" || exit 1

psql -qX -v ON_ERROR_STOP=1 -v n="$N" <<'SQL' >/dev/null || exit 1
CREATE EXTENSION auth_ext;
CREATE TABLE hs(tok text);
CREATE TABLE ed(tok text);
SELECT auth.create_key('HS256');
INSERT INTO hs SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i, 'role', 'authenticated',
  'email', 'user' || i || '@example.com')) FROM generate_series(1, :n) i;
SELECT auth.create_key('EdDSA');
INSERT INTO ed SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i, 'role', 'authenticated',
  'email', 'user' || i || '@example.com')) FROM generate_series(1, :n) i;
-- 1,000 distinct EdDSA tokens in rotation (what a pooled connection serving 1,000 users sees)
-- (tokens of their own, all verified once by the backend before it is timed)
CREATE TABLE ed_pool1 AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'pool' || i, 'role', 'authenticated',
  'email', 'pool' || i || '@example.com')) AS tok FROM generate_series(1, 1000) i;
CREATE TABLE ed_pool AS SELECT tok FROM ed_pool1, generate_series(1, greatest(:n / 1000, 2)) g ORDER BY g;
SELECT auth.create_key('ES256');
CREATE TABLE es AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i, 'role', 'authenticated',
  'email', 'user' || i || '@example.com')) AS tok FROM generate_series(1, :n / 10) i;
SELECT auth.create_key('RS256');
CREATE TABLE rs AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i, 'role', 'authenticated',
  'email', 'user' || i || '@example.com')) AS tok FROM generate_series(1, :n / 10) i;
CREATE TABLE hs_same AS SELECT (SELECT tok FROM hs LIMIT 1) AS tok FROM generate_series(1, :n);
CREATE TABLE ed_same AS SELECT (SELECT tok FROM ed LIMIT 1) AS tok FROM generate_series(1, :n);
-- explicit-key tokens for jwt_decode
CREATE TABLE hsx AS SELECT auth.jwt_encode(jsonb_build_object('sub', 'user' || i,
  'exp', extract(epoch from now())::bigint + 3600), repeat('k', 32)) AS tok FROM generate_series(1, :n) i;
CREATE TABLE payloads AS SELECT convert_from(decode(translate(p, '-_', '+/') ||
  repeat('=', (4 - length(p) % 4) % 4), 'base64'), 'UTF8') AS p
  FROM (SELECT split_part(tok, '.', 2) AS p FROM hs) s;
VACUUM ANALYZE;
SQL

# time_query SQL [WARMUP]: microseconds per row of SQL run over N rows, in a fresh backend
# (WARMUP, if given, is run untimed first in the same backend)
time_query() {
  psql -qXAt -v ON_ERROR_STOP=1 <<SQL
SELECT count(*) FROM hs; SELECT count(*) FROM ed; SELECT count(*) FROM es; SELECT count(*) FROM rs;  -- warm the buffers
SELECT auth.jwt_verify(tok) IS NOT NULL FROM hs LIMIT 1; -- load the keyring
SELECT auth.jwt_verify(tok) IS NOT NULL FROM rs LIMIT 1; -- first use of each key's contexts
SELECT auth.jwt_verify(tok) IS NOT NULL FROM es LIMIT 1;
SELECT auth.jwt_verify(tok) IS NOT NULL FROM ed LIMIT 1;
${2:-}
DO \$\$
DECLARE t0 timestamptz; t1 timestamptz; c bigint;
BEGIN
  t0 := clock_timestamp();
  EXECUTE \$q\$ $1 \$q\$ INTO c;
  t1 := clock_timestamp();
  RAISE NOTICE '%', round((extract(epoch from t1 - t0) * 1e6 / c)::numeric, 3);
END \$\$;
SQL
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A Q=(
  [floor_octet_length]="SELECT count(octet_length(tok)) FROM hs"
  [parts_jsonb_parse]="SELECT count(p::jsonb) FROM payloads"
  [hs256_verify_first]="SELECT count(auth.jwt_verify(tok)) FROM hs"
  [hs256_verify_repeat]="SELECT count(auth.jwt_verify(tok)) FROM hs_same"
  [hs256_decode_first]="SELECT count(auth.jwt_decode(tok, repeat('k', 32))) FROM hsx"
  [eddsa_verify_first]="SELECT count(auth.jwt_verify(tok)) FROM ed"
  [eddsa_verify_repeat]="SELECT count(auth.jwt_verify(tok)) FROM ed_same"
  [eddsa_verify_pool1000]="SELECT count(auth.jwt_verify(tok)) FROM ed_pool"
  [es256_verify_first]="SELECT count(auth.jwt_verify(tok)) FROM es"
  [rs256_verify_first]="SELECT count(auth.jwt_verify(tok)) FROM rs"
)
declare -A W=(
  [eddsa_verify_pool1000]="SELECT count(auth.jwt_verify(tok)) FROM ed_pool1;"
)
ORDER=(${BENCH_ONLY:-floor_octet_length parts_jsonb_parse hs256_verify_first hs256_verify_repeat hs256_decode_first eddsa_verify_first eddsa_verify_repeat eddsa_verify_pool1000 es256_verify_first rs256_verify_first})
declare -A R
for name in "${ORDER[@]}"; do
  vals=()
  for ((r = 0; r < REPS; r++)); do
    vals+=("$(time_query "${Q[$name]}" "${W[$name]:-}" 2>&1 | sed -n 's/.*NOTICE: *//p')")
  done
  R[$name]=$(printf '%s\n' "${vals[@]}" | median)
done
echo "| figure | us/call (median of $REPS, $N calls) |"
echo "|---|---:|"
for name in "${ORDER[@]}"; do echo "| $name | ${R[$name]} |"; done
awk -v hs="${R[hs256_verify_first]}" -v f="${R[floor_octet_length]}" -v ed="${R[eddsa_verify_first]}" \
    -v hr="${R[hs256_verify_repeat]}" -v er="${R[eddsa_verify_repeat]}" 'BEGIN {
  printf "| hs256_verify_first / floor | %.1fx |\n", hs / f;
  printf "| hs256_verify_repeat - floor | %.3f |\n", hr - f;
  printf "| eddsa_verify_repeat - floor | %.3f |\n", er - f;
}'
