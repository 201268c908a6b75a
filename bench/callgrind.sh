#!/usr/bin/env bash
# bench/callgrind.sh: instructions per call of auth.jwt_verify, counted by
# valgrind's callgrind: deterministic, so two commits can be compared on a
# noisy machine where the CPU-time figures of `make bench` move by 10-40 %.
# Sets up the keyring of bench/20_jwt.sh (HS256, EdDSA, ES256, RS256 keys;
# N distinct HS256 tokens, N/10 RS256), stops the server, then runs each
# query in a single-user backend (postgres --single) under callgrind, after
# the warm-up of bench/20_jwt.sh (keyring loaded, each key used once):
#
#   base       the warm-up alone
#   hs_first   SELECT count(auth.jwt_verify(tok)) FROM hs    (first sight)
#   rs_first   the same over rs
#   hs_repeat  one HS256 token N times (verified-token cache)
#
# and prints (collected - base) / rows for each.  Per-function inclusive
# costs: callgrind_annotate --inclusive=yes OUT/NAME.out (OUT is kept).
#
#   bash bench/callgrind.sh                  N=100000, OUT=/tmp/auth_ext_callgrind
#   N=20000 OUT=/tmp/cg-old bash bench/callgrind.sh
#
# To compare with an older commit: git worktree add /tmp/old <commit>, copy
# this file into it, and run it there with another OUT.  Takes about 4
# minutes at N=100000 on one core.  Needs valgrind; run it as root.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
N=${N:-100000}
OUT=${OUT:-/tmp/auth_ext_callgrind}
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
make -s >/dev/null || exit 1
auth_workdir
auth_install || exit 1
auth_start cg "max_parallel_workers_per_gather = 0" || exit 1
psql -qX -c "CREATE DATABASE bench" >/dev/null
export PGDATABASE=bench
psql -qX -v ON_ERROR_STOP=1 -v n="$N" >/dev/null <<'SQL' || exit 1
CREATE EXTENSION auth_ext;
SELECT auth.create_key('HS256');
CREATE TABLE hs AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i, 'role', 'authenticated',
  'email', 'user' || i || '@example.com')) AS tok FROM generate_series(1, :n) i;
SELECT auth.create_key('EdDSA');
CREATE TABLE ed AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i)) AS tok FROM generate_series(1, 10) i;
SELECT auth.create_key('ES256');
CREATE TABLE es AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i)) AS tok FROM generate_series(1, 10) i;
SELECT auth.create_key('RS256');
CREATE TABLE rs AS SELECT auth.jwt_sign(jsonb_build_object('sub', 'user' || i, 'role', 'authenticated',
  'email', 'user' || i || '@example.com')) AS tok FROM generate_series(1, :n / 10) i;
VACUUM ANALYZE;
CHECKPOINT;
SQL
auth_stop cg
mkdir -p "$OUT" && chmod 777 "$OUT"
# single-user mode: one statement per line
WARM="SELECT count(*) FROM hs; SELECT count(*) FROM rs;
SELECT auth.jwt_verify(tok) IS NOT NULL FROM hs LIMIT 1;
SELECT auth.jwt_verify(tok) IS NOT NULL FROM rs LIMIT 1;
SELECT auth.jwt_verify(tok) IS NOT NULL FROM es LIMIT 1;
SELECT auth.jwt_verify(tok) IS NOT NULL FROM ed LIMIT 1;"
# run NAME SQL: the instructions collected for the warm-up and SQL
run() {
  printf '%s\n' "$WARM" "$2" | as_pg valgrind --tool=callgrind --callgrind-out-file="$OUT/$1.out" \
    "$AUTH_BINDIR/postgres" --single -D "$AUTH_WORK/cg/data" -c jit=off bench >"$OUT/$1.stdout" 2>"$OUT/$1.vg"
  grep -q 'ERROR' "$OUT/$1.stdout" && { grep ERROR "$OUT/$1.stdout" >&2; exit 1; }
  sed -n 's/.*Collected : \([0-9]*\)$/\1/p' "$OUT/$1.vg"
}
base=$(run base "SELECT 1;") || exit 1
echo "base (warm-up): $base instructions"
for q in "hs_first $N SELECT count(auth.jwt_verify(tok)) FROM hs;" \
         "rs_first $((N / 10)) SELECT count(auth.jwt_verify(tok)) FROM rs;" \
         "hs_repeat $N SELECT count(auth.jwt_verify(tok)) FROM (SELECT (SELECT tok FROM hs LIMIT 1) AS tok FROM generate_series(1, $N)) s;"; do
  read -r name rows sql <<<"$q"
  c=$(run "$name" "$sql") || exit 1
  echo "$name: $(( (c - base) / rows )) instructions per call ($rows calls)"
done
echo "callgrind files: $OUT"
