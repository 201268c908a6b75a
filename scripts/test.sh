#!/usr/bin/env bash
# scripts/test.sh: `make test`.  Installs what is missing, builds, installs into a
# private copy of the server, starts a throwaway cluster and runs every suite:
#
#   regress   pg_regress suites in sql/ (make installcheck)
#   pgtap     pgTAP suites in test/pgtap/*.sql (pg_prove), each in database auth_tap
#   shell     TAP-producing scripts test/sh/*.sh (pooling, concurrency, faults, ...)
#   node      node --test suites test/interop/*.test.mjs (jose, better-auth, bcryptjs, HTTP)
#   fuzz      a short smoke of every libFuzzer target (test/fuzz/run.sh), when present
#
# Every suite runs even when an earlier one failed.  The last line is
# "N passed, N failed"; the exit status is non-zero when anything failed.
# ONLY=regress,pgtap,... runs a subset (for development).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bash scripts/deps.sh || exit 1
make -s >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

auth_workdir
auth_install || { echo "0 passed, 1 failed"; exit 1; }
auth_start main "" || { echo "0 passed, 1 failed"; exit 1; }
export AUTH_ROOT AUTH_WORK AUTH_BINDIR

# ---- hook for scripts/asan.sh (make check-asan): restart the server with extra
# environment, e.g. LD_PRELOAD of a sanitizer runtime and its options ----
if [ -n "${AUTH_SERVER_ENV:-}" ]; then
  # shellcheck disable=SC2086
  as_pg env $AUTH_SERVER_ENV "$AUTH_BINDIR/pg_ctl" -D "$AUTH_WORK/main/data" -l "$AUTH_WORK/main/server.log" \
    -w -t 60 restart >/dev/null || { cat "$AUTH_WORK/main/server.log"; echo "0 passed, 1 failed"; exit 1; }
fi

PASSED=0
FAILED=0
SUMMARY=()
want() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }
tally() { # tally SUITE PASS FAIL
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-8s %4d passed, %d failed' "$1" "$2" "$3")")
}
# counts TAP lines "ok N" / "not ok N" at the top level of a log
tap_count() {
  local log=$1
  TAP_P=$(grep -cE '^ok [0-9]+' "$log")
  TAP_F=$(grep -cE '^not ok [0-9]+' "$log")
}

LOGDIR=$AUTH_WORK/logs
mkdir -p "$LOGDIR"

if want regress && ls sql/*.sql >/dev/null 2>&1; then
  echo "== regress (pg_regress)"
  make -s installcheck >"$LOGDIR/regress.log" 2>&1
  rc=$?
  cat "$LOGDIR/regress.log"
  # PostgreSQL 15's pg_regress prints "test NAME ... ok" / "... FAILED" /
  # "... failed (ignored)"; 16 and later print TAP, "ok N - NAME" / "not ok N - NAME"
  p=$(grep -cE '^(ok|test) .* ok( |$)|^ok [0-9]+ ' "$LOGDIR/regress.log")
  f=$(grep -cE 'FAILED|failed \(ignored\)|^not ok [0-9]+ ' "$LOGDIR/regress.log")
  [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
  [ -f regression.diffs ] && [ $rc -ne 0 ] && head -200 regression.diffs
  tally regress "$p" "$f"
fi

if want pgtap && ls test/pgtap/*.sql >/dev/null 2>&1; then
  echo "== pgtap (pg_prove)"
  p=0; f=0
  for t in test/pgtap/*.sql; do
    PGOPTIONS="-c client_min_messages=warning" psql -qX -c "DROP DATABASE IF EXISTS auth_tap" -c "CREATE DATABASE auth_tap" >/dev/null
    psql -qX -d auth_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION auth_ext" >/dev/null
    name=$(basename "$t" .sql)
    pg_prove -v -d auth_tap "$t" >"$LOGDIR/pgtap-$name.log" 2>&1
    rc=$?
    tap_count "$LOGDIR/pgtap-$name.log"
    [ $rc -ne 0 ] && [ "$TAP_F" = 0 ] && TAP_F=1
    if [ $rc -ne 0 ]; then cat "$LOGDIR/pgtap-$name.log"; fi
    echo "$name: $TAP_P passed, $TAP_F failed"
    p=$((p + TAP_P)); f=$((f + TAP_F))
  done
  tally pgtap "$p" "$f"
fi

if want shell && ls test/sh/*.sh >/dev/null 2>&1; then
  echo "== shell suites"
  p=0; f=0
  for t in test/sh/*.sh; do
    name=$(basename "$t" .sh)
    bash "$t" >"$LOGDIR/sh-$name.log" 2>&1
    rc=$?
    tap_count "$LOGDIR/sh-$name.log"
    [ $rc -ne 0 ] && [ "$TAP_F" = 0 ] && TAP_F=1
    if [ $rc -ne 0 ]; then cat "$LOGDIR/sh-$name.log"; fi
    echo "$name: $TAP_P passed, $TAP_F failed"
    p=$((p + TAP_P)); f=$((f + TAP_F))
  done
  tally shell "$p" "$f"
fi

if want node && ls test/interop/*.test.mjs >/dev/null 2>&1; then
  echo "== node suites (node --test)"
  (cd test/interop && node --test --test-concurrency=1 --test-reporter=tap ./*.test.mjs) >"$LOGDIR/node.log" 2>&1
  rc=$?
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$LOGDIR/node.log" | tail -1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$LOGDIR/node.log" | tail -1)
  p=${p:-0}; f=${f:-0}
  [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
  if [ "$f" != 0 ]; then cat "$LOGDIR/node.log"; else grep -E '^# (Subtest|pass|fail)' "$LOGDIR/node.log" | head -100; fi
  tally node "$p" "$f"
fi

if want fuzz && [ -x test/fuzz/run.sh ]; then
  echo "== fuzz smoke"
  bash test/fuzz/run.sh smoke >"$LOGDIR/fuzz.log" 2>&1
  rc=$?
  tap_count "$LOGDIR/fuzz.log"
  [ $rc -ne 0 ] && [ "$TAP_F" = 0 ] && TAP_F=1
  cat "$LOGDIR/fuzz.log" | grep -E '^(ok|not ok|#)' | head -50
  tally fuzz "$TAP_P" "$TAP_F"
fi

# a crash anywhere above shows in the server log
if grep -qE 'terminated by signal|was terminated by exception' "$AUTH_WORK/main/server.log"; then
  echo "server log shows a crashed backend:"; grep -E 'terminated by' "$AUTH_WORK/main/server.log"
  tally server-log 0 1
fi

echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
