#!/usr/bin/env bash
# test/sh/70_load.sh: load (area 70).  pgbench with 8 clients mixes sign-in,
# task CRUD under RLS, a failed sign-in and sign-out for T70_LOAD_SECONDS
# (15 in make test; `make soak` runs 60 s or SOAK_SECONDS).  Then:
#   - zero errors: pgbench aborts a client on any error and exits non-zero;
#     a cross-user row seen inside a transaction is turned into an error;
#   - zero cross-user rows, checked afterwards as the owner (each task's
#     title names the user who wrote it);
#   - backend memory bounded: one session runs the same transaction 300
#     times after a warm-up; its memory contexts may not grow by more than
#     T70_MEM_BOUND_KB (default 1024 KiB).
# Password hashing runs at cheap parameters (the cost of Argon2 is not what
# is tested here; bench/ measures it).
source "$AUTH_ROOT/scripts/tap.sh"
plan 7
set -u
DB=t70_load
SECS=${T70_LOAD_SECONDS:-15}
NU=40
BOUND_KB=${T70_MEM_BOUND_KB:-1024}
W=$(mktemp -d "$AUTH_WORK/t70_load.XXXXXX")
chmod 755 "$W"
q() { psql -qXAt -v ON_ERROR_STOP=1 -d $DB "$@"; }
psql -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -qX -c "CREATE DATABASE $DB" >/dev/null
psql -qX -c "DO \$\$ BEGIN CREATE ROLE t70l_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
q >/dev/null <<SQL
CREATE EXTENSION auth_ext;
CREATE EXTENSION auth_ext_todo;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t70l_app;
SELECT auth.configure('password.argon2_memory_kib', '1024');
SELECT auth.configure('password.argon2_iterations', '1');
SELECT auth.signup('load' || g || '@t70.example', 'password-' || g, 'Load ' || g) FROM generate_series(1, $NU) g;
SQL
ok $? "$NU users for the load run"

# one transaction of the mix; :u is the user
cat >"$W/mix.sql" <<'PGB'
\set u random(1, 40)
SELECT auth.signin('load' || :u || '@t70.example', 'password-' || :u)->>'token' AS tok \gset
SELECT auth.signin('nobody@t70.example', 'not the password')->>'error' AS err \gset
BEGIN;
SET LOCAL ROLE t70l_app;
SELECT auth.jwt_verify(':tok') IS NOT NULL AS verified \gset
INSERT INTO todo.tasks (title) VALUES ('load task of ' || :u);
UPDATE todo.tasks SET completed = NOT completed WHERE id = (SELECT max(id) FROM todo.tasks);
SELECT count(*) FILTER (WHERE user_id <> auth.uid() OR title <> 'load task of ' || :u) AS leak FROM todo.tasks \gset
\if :leak
SELECT 'cross-user row seen' :: int;
\endif
DELETE FROM todo.tasks WHERE id = (SELECT min(id) FROM todo.tasks) AND (SELECT count(*) FROM todo.tasks) > 3;
SELECT auth.signout()->>'message' AS bye \gset
COMMIT;
PGB

pgbench -n -c 8 -j 2 -T "$SECS" -f "$W/mix.sql" $DB >"$W/pgbench.log" 2>&1
rc=$?
ok $rc "pgbench: 8 clients for ${SECS}s, no client aborted"
[ $rc = 0 ] || grep -vE '^(progress|transaction type|scaling|query mode|number of (clients|threads))' "$W/pgbench.log" | sed 's/^/# /' | head -15
tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$W/pgbench.log")
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$W/pgbench.log" | head -1)
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$W/pgbench.log")
echo "# load: ${tx:-0} transactions (${tps:-0} tps) of sign-in + failed sign-in + verify + 3 task writes + read + sign-out"
is "${failed:-0}" "0" "no failed transaction"
[ "${tx:-0}" -gt 0 ]; ok $? "transactions were processed"

is "$(q -c "SELECT count(*) FROM todo.tasks t JOIN auth.users u ON u.id = t.user_id
            WHERE t.title <> 'load task of ' || substring(u.email FROM '^load([0-9]+)@')")" "0" \
   "no cross-user row: every task belongs to the user who wrote it"
[ "$(q -c "SELECT count(*) FROM auth.revocations")" -gt 0 ]; ok $? "sign-outs were recorded"

# memory of one backend over many transactions of the same mix (every
# sign-in mints a new token: the verified-token cache, which fills up to its
# own 4 MiB budget by design and whose bound sql/20_tokens.sql tests, is left out)
{
  for i in $(seq 330); do
    u=$(( i % NU + 1 ))
    cat <<SQL
SELECT auth.signin('load$u@t70.example', 'password-$u')->>'token' AS tok \gset
BEGIN;
SET LOCAL ROLE t70l_app;
SELECT auth.jwt_verify(:'tok') IS NOT NULL AS v \gset
INSERT INTO todo.tasks (title) VALUES ('load task of $u');
SELECT count(*) AS n FROM todo.tasks \gset
SELECT auth.signout() IS NOT NULL AS o \gset
COMMIT;
SQL
    [ "$i" = 30 ] && echo "SELECT sum(total_bytes) AS m0 FROM pg_backend_memory_contexts WHERE name <> 'auth_ext token cache' \\gset"
  done
  echo "SELECT ((sum(total_bytes) - :m0) / 1024)::bigint FROM pg_backend_memory_contexts WHERE name <> 'auth_ext token cache';"
} >"$W/mem.sql"
grow=$(q -f "$W/mem.sql" | tail -1)
echo "# backend memory growth over 300 transactions after warm-up: ${grow} KiB"
[ -n "$grow" ] && [ "$grow" -le "$BOUND_KB" ]
ok $? "backend memory grows by at most $BOUND_KB KiB over 300 transactions (got ${grow:-?} KiB)"

psql -qX -c "DROP DATABASE $DB" >/dev/null
psql -qX -c "DROP ROLE IF EXISTS t70l_app" >/dev/null 2>&1
rm -rf "$W"
tap_done
