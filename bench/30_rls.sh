#!/usr/bin/env bash
# bench/30_rls.sh [SECONDS] [ROUNDS]: what row-level security through
# auth.enable_user_isolation costs on "one user's 20 newest tasks" in a
# 1,000,000-task table over 10,000 users (issue 4; target ratio <= 1.05).
#
#   rls   BEGIN; SELECT auth.jwt_verify(token); SELECT ... FROM todo.tasks
#         ORDER BY created_at DESC LIMIT 20; COMMIT       (role under RLS)
#   hand  the same transaction, the query with a hand-written
#         WHERE user_id = '<uuid>', as a BYPASSRLS role (RLS off)
#
# Both kinds run in the SAME pgbench run, interleaved at random (one script
# per user and kind, equal weights, -M prepared, 1 client), so that the load
# of a shared machine hits both alike; pgbench -r gives each statement's
# latency.  Reported per round: the list query's latency ratio rls/hand and
# the whole transaction's; the median over ROUNDS rounds of SECONDS each.
# Throwaway cluster; never part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SECONDS_PER_ROUND=${1:-20}
ROUNDS=${2:-3}
USERS=10000
TASKS=1000000
SAMPLE=20                       # users with a script of their own

make -s >/dev/null
auth_workdir
auth_install
auth_start bench30 "shared_buffers = 256MB
synchronous_commit = off
jit = off" >/dev/null
psql -qX -c "CREATE DATABASE t30_bench" >/dev/null
export PGDATABASE=t30_bench
load_start=$(date +%s)
psql -qX -v ON_ERROR_STOP=1 -v u=$USERS -v t=$TASKS >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION auth_ext;
CREATE EXTENSION auth_ext_todo;
INSERT INTO auth.users (id, email, name)
    SELECT md5('t30-' || g)::uuid, 'u' || g || '@bench.test', 'User ' || g FROM generate_series(1, :u) g;
ALTER TABLE todo.tasks DISABLE TRIGGER USER;
INSERT INTO todo.tasks (user_id, title, completed, created_at)
    SELECT md5('t30-' || (1 + g % :u))::uuid, 'Task number ' || g, g % 5 = 0,
           now() - g * interval '1 second'
      FROM generate_series(1, :t) g;
ALTER TABLE todo.tasks ENABLE TRIGGER USER;
VACUUM ANALYZE auth.users, todo.tasks;
CREATE ROLE t30_bench_app LOGIN;
CREATE ROLE t30_bench_bypass LOGIN BYPASSRLS;
GRANT SELECT ON todo.tasks TO t30_bench_app, t30_bench_bypass;
SQL
echo "loaded $TASKS tasks over $USERS users in $(( $(date +%s) - load_start )) s"

PGB=$AUTH_WORK/pgb
mkdir -p "$PGB"
LIST="SELECT id, title, completed, created_at FROM todo.tasks"
ORDER="ORDER BY created_at DESC LIMIT 20"
args=()
while IFS='|' read -r n uid tok; do
  printf "BEGIN;\nSET LOCAL ROLE t30_bench_app;\nSELECT auth.jwt_verify('%s') IS NOT NULL;\n%s %s;\nCOMMIT;\n" \
    "$tok" "$LIST" "$ORDER" >"$PGB/rls_$n.sql"
  printf "BEGIN;\nSET LOCAL ROLE t30_bench_bypass;\nSELECT auth.jwt_verify('%s') IS NOT NULL;\n%s WHERE user_id = '%s' %s;\nCOMMIT;\n" \
    "$tok" "$LIST" "$uid" "$ORDER" >"$PGB/hand_$n.sql"
  args+=(-f "$PGB/rls_$n.sql@1" -f "$PGB/hand_$n.sql@1")
done < <(psql -qAtX -F '|' -c "SELECT g, md5('t30-' || g)::uuid,
           auth.jwt_sign(jsonb_build_object('sub', md5('t30-' || g)::uuid))
         FROM generate_series(1, $USERS, $USERS / $SAMPLE) g")

# the driving role may switch to both measured roles
psql -qX -c "CREATE ROLE t30_bench_driver LOGIN IN ROLE t30_bench_app, t30_bench_bypass" >/dev/null

# sanity: the RLS script sees exactly its user's 20 newest tasks
check=$(psql -qAtX -U t30_bench_driver -f "$PGB/rls_1.sql" | tail -20 | wc -l)
[ "$check" = 20 ] || { echo "sanity check failed: $check rows"; exit 1; }

echo "round  list-query ms rls/hand  ratio   transaction ms rls/hand  ratio"
ratios_q=(); ratios_t=()
for r in $(seq "$ROUNDS"); do
  pgbench -n -M prepared -r -T "$SECONDS_PER_ROUND" -U t30_bench_driver "${args[@]}" >"$PGB/round_$r.log" 2>&1
  # per script: transactions, latency average, and the list query's latency
  read -r q_rls q_hand t_rls t_hand < <(awk '
    /^SQL script [0-9]+:/ { kind = ($4 ~ /rls_/) ? "rls" : "hand" }
    /^ - [0-9]+ transactions/ { n = $2; tx[kind] += n }
    /^ - latency average/ { tl[kind] += $5 * n }
    /SELECT id, title/ { ql[kind] += $1 * n }
    END { printf "%.4f %.4f %.4f %.4f\n", ql["rls"]/tx["rls"], ql["hand"]/tx["hand"], tl["rls"]/tx["rls"], tl["hand"]/tx["hand"] }
  ' "$PGB/round_$r.log")
  rq=$(awk -v a="$q_rls" -v b="$q_hand" 'BEGIN { printf "%.3f", a / b }')
  rt=$(awk -v a="$t_rls" -v b="$t_hand" 'BEGIN { printf "%.3f", a / b }')
  ratios_q+=("$rq"); ratios_t+=("$rt")
  printf "%5d  %7.4f / %7.4f   %6s    %7.4f / %7.4f   %6s\n" "$r" "$q_rls" "$q_hand" "$rq" "$t_rls" "$t_hand" "$rt"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "median ratio, list query (RLS / hand-written, RLS off): $(median "${ratios_q[@]}")  (target <= 1.05)"
echo "median ratio, whole transaction:                        $(median "${ratios_t[@]}")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
