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
# ONLY=regress,pgtap,... runs a subset (for development); FILES=A,B only the
# pgTAP, shell and node files whose name contains A or B.
#
# What the runner refuses (docs/70_robustness.md, "What the runner checks"):
#   - a TAP suite (pgTAP, shell, fuzz) without its plan "1..N" before its first
#     test; every planned test that did not run counts as failed ("Bail out!"
#     from a setup step, an early exit); more tests than planned fails;
#   - a node file without its "// plan: N" line, or whose "# tests" differs;
#   - a suite still running after AUTH_SUITE_TIMEOUT seconds (default 900; a
#     hang guard, not a speed limit): stopped and failed by name;
#   - a crashed backend, PANIC or sanitizer report in the log of ANY cluster a
#     suite started (scripts/lib.sh lists them in $AUTH_WORK/clusters), read
#     after every suite; a listed log that is missing fails too.
# The summary counts assertions: pgTAP, shell, node, fuzz tests, and pg_regress
# statements (scripts/regress_count.pl); 40_gateway, which tests the
# PostgREST test double and not auth_ext, is counted apart as node(double).
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
PROBLEMS=()
want() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }
pick() { # FILES=30_identity,20_dump: only the files whose name contains one of them
  local f
  [ -z "${FILES:-}" ] && return 0
  for f in ${FILES//,/ }; do [[ "$1" == *"$f"* ]] && return 0; done
  return 1
}
tally() { # tally SUITE PASS FAIL
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-12s %4d passed, %d failed' "$1" "$2" "$3")")
}
problem() { # problem NAME TEXT: printed at once and again before the summary
  echo "!! $1: $2"; PROBLEMS+=("$1: $2")
}

# A hang guard, not a speed assertion: a suite still running after this many
# seconds is stopped (timeout sends TERM, then KILL 10 s later) and fails by name.
SUITE_TIMEOUT=${AUTH_SUITE_TIMEOUT:-900}
run_limited() { timeout -k 10 "$SUITE_TIMEOUT" "$@"; }

# tap_check NAME LOG RC: counts a TAP log honestly into TAP_P / TAP_F.
#  - the plan "1..N" must come before the first test (declared up front);
#  - every planned test that did not run is a failure, and so is running more;
#  - "Bail out!", a timeout (rc 124/137) or a non-zero exit with no failing test
#    is one more failure.
tap_check() {
  local name=$1 log=$2 rc=$3 plan first_test first_plan ran
  TAP_P=$(grep -cE '^ok [0-9]+' "$log")
  TAP_F=$(grep -cE '^not ok [0-9]+' "$log")
  ran=$((TAP_P + TAP_F))
  first_plan=$(grep -nE '^1\.\.[0-9]+' "$log" | head -1 | cut -d: -f1)
  first_test=$(grep -nE '^(not )?ok [0-9]+' "$log" | head -1 | cut -d: -f1)
  plan=$(grep -E '^1\.\.[0-9]+' "$log" | head -1 | sed 's/^1\.\.\([0-9]*\).*/\1/')
  if [ -z "$plan" ]; then
    problem "$name" "no plan"; TAP_F=$((TAP_F + 1))
  elif [ -n "$first_test" ] && [ "$first_plan" -gt "$first_test" ]; then
    problem "$name" "plan 1..$plan printed after the tests, not declared up front"; TAP_F=$((TAP_F + 1))
  fi
  if [ -n "$plan" ] && [ "$ran" -lt "$plan" ]; then
    problem "$name" "planned $plan tests, ran $ran: $((plan - ran)) not run, counted as failed"
    TAP_F=$((TAP_F + plan - ran))
  elif [ -n "$plan" ] && [ "$ran" -gt "$plan" ]; then
    problem "$name" "planned $plan tests, ran $ran"; TAP_F=$((TAP_F + 1))
  fi
  if grep -q '^Bail out!' "$log"; then
    problem "$name" "$(grep -m1 '^Bail out!' "$log")"; [ -z "$plan" ] || [ "$ran" -lt "$plan" ] || TAP_F=$((TAP_F + 1))
  fi
  case $rc in
    0) ;;
    124|137) problem "$name" "timed out after ${SUITE_TIMEOUT} s (AUTH_SUITE_TIMEOUT)"; TAP_F=$((TAP_F + 1)) ;;
    *) [ "$TAP_F" = 0 ] && { problem "$name" "exit status $rc with no failing test"; TAP_F=1; } ;;
  esac
}

# logs_check SUITE: reads what every cluster listed in $AUTH_WORK/clusters/list
# (scripts/lib.sh: main, replicas, fault clusters) logged during SUITE.  A
# listed log that is missing is a failure; so is a crashed backend, a PANIC or
# a sanitizer report.  Kills a suite declared (auth_expect_kills NAME N) are
# allowed: exactly N lines "terminated by signal 9".  Sets LOGS_F.
declare -A LOG_SEEN=()
CRASH_RE='terminated by signal|was terminated by exception|PANIC:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|Sanitizer:DEADLYSIGNAL'
logs_check() {
  local suite=$1 name log seen new kills want_kills
  LOGS_F=0
  [ -f "$AUTH_WORK/clusters/list" ] || { problem "$suite" "no cluster list $AUTH_WORK/clusters/list"; LOGS_F=1; return; }
  while read -r name; do
    log=$AUTH_WORK/clusters/$name.log
    if [ ! -f "$log" ]; then problem "$suite" "cluster $name: server log $log is missing"; LOGS_F=$((LOGS_F + 1)); continue; fi
    seen=${LOG_SEEN[$name]:-0}
    new=$(tail -c +"$((seen + 1))" "$log" | grep -E "$CRASH_RE")
    LOG_SEEN[$name]=$(stat -c %s "$log")
    want_kills=$(cat "$AUTH_WORK/clusters/$name.kills" 2>/dev/null)
    if [ -n "$want_kills" ] && [ ! -f "$AUTH_WORK/clusters/$name.kills-checked" ]; then
      touch "$AUTH_WORK/clusters/$name.kills-checked"
      kills=$(printf '%s\n' "$new" | grep -c 'terminated by signal 9: Killed')
      [ "$kills" = "$want_kills" ] || { problem "$suite" "cluster $name: $kills backends killed by signal 9, the suite declared $want_kills"; LOGS_F=$((LOGS_F + 1)); }
      new=$(printf '%s\n' "$new" | grep -v 'terminated by signal 9: Killed')
    fi
    if [ -n "$new" ]; then
      problem "$suite" "cluster $name logged a crash, PANIC or sanitizer report:"
      printf '%s\n' "$new" | head -20 | sed 's/^/#   /'
      LOGS_F=$((LOGS_F + 1))
    fi
  done <"$AUTH_WORK/clusters/list"
}

LOGDIR=$AUTH_WORK/logs
mkdir -p "$LOGDIR"

if want regress && ls sql/*.sql >/dev/null 2>&1; then
  echo "== regress (pg_regress)"
  run_limited make -s installcheck >"$LOGDIR/regress.log" 2>&1
  rc=$?
  cat "$LOGDIR/regress.log"
  # Counted per statement, not per file (scripts/regress_count.pl): each SQL
  # statement of sql/NAME.sql echoed in its expected output is one check; a
  # failing file fails the statements its regression.diffs hunks fall in; a file
  # pg_regress did not report (crash, not run) fails all its statements.
  # Reads 15's "test NAME ... ok|FAILED" and 16+'s TAP "ok N - NAME".
  rm -f "$LOGDIR/regress.count"
  [ -f regression.diffs ] && [ $rc -ne 0 ] && head -200 regression.diffs
  rdiffs=regression.diffs; [ $rc -eq 0 ] && rdiffs=/dev/null   # a stale diffs file from an earlier run is not read
  perl scripts/regress_count.pl "$LOGDIR/regress.log" "$rdiffs" >"$LOGDIR/regress.count"
  grep -v '^regress: ' "$LOGDIR/regress.count"
  last=$(grep -E '^regress: [0-9]+ passed, [0-9]+ failed$' "$LOGDIR/regress.count")
  if [ -z "$last" ]; then problem regress "scripts/regress_count.pl gave no count"; p=0; f=1
  else p=${last#regress: }; p=${p%% passed*}; f=${last#*, }; f=${f%% failed}; fi
  [ $rc = 124 ] || [ $rc = 137 ] && problem regress "timed out after ${SUITE_TIMEOUT} s"
  [ $rc -ne 0 ] && [ "$f" = 0 ] && { problem regress "make installcheck exited $rc with no failing check"; f=1; }
  logs_check regress; f=$((f + LOGS_F))
  tally regress "$p" "$f"
fi

if want pgtap && ls test/pgtap/*.sql >/dev/null 2>&1; then
  echo "== pgtap (pg_prove)"
  p=0; f=0
  for t in test/pgtap/*.sql; do
    name=$(basename "$t" .sql)
    pick "$name" || continue
    PGOPTIONS="-c client_min_messages=warning" psql -qX -c "DROP DATABASE IF EXISTS auth_tap" -c "CREATE DATABASE auth_tap" >/dev/null \
      && psql -qX -d auth_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION auth_ext" >/dev/null \
      || problem "pgtap/$name" "setting up database auth_tap failed"
    run_limited pg_prove -v -d auth_tap "$t" >"$LOGDIR/pgtap-$name.log" 2>&1
    rc=$?
    tap_check "pgtap/$name" "$LOGDIR/pgtap-$name.log" $rc
    logs_check "pgtap/$name"; TAP_F=$((TAP_F + LOGS_F))
    if [ $rc -ne 0 ] || [ "$TAP_F" != 0 ]; then cat "$LOGDIR/pgtap-$name.log"; fi
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
    pick "$name" || continue
    run_limited bash "$t" >"$LOGDIR/sh-$name.log" 2>&1
    rc=$?
    tap_check "sh/$name" "$LOGDIR/sh-$name.log" $rc
    logs_check "sh/$name"; TAP_F=$((TAP_F + LOGS_F))
    if [ $rc -ne 0 ] || [ "$TAP_F" != 0 ]; then cat "$LOGDIR/sh-$name.log"; fi
    echo "$name: $TAP_P passed, $TAP_F failed"
    p=$((p + TAP_P)); f=$((f + TAP_F))
  done
  tally shell "$p" "$f"
fi

# node --test, one process per file (as --test-concurrency=1 ran them).  Each
# file declares its count on a line "// plan: N" (tests and subtests, as
# node --test counts them in "# tests N"); fewer is a failure per missing test.
# 40_gateway tests the PostgREST test double, not auth_ext: counted apart.
if want node && ls test/interop/*.test.mjs >/dev/null 2>&1; then
  echo "== node suites (node --test)"
  p=0; f=0; dp=0; df=0
  for t in test/interop/*.test.mjs; do
    name=$(basename "$t" .test.mjs)
    pick "$name" || continue
    (cd test/interop && run_limited node --test --test-reporter=tap "./$name.test.mjs") >"$LOGDIR/node-$name.log" 2>&1
    rc=$?
    np=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$LOGDIR/node-$name.log" | tail -1)
    nf=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$LOGDIR/node-$name.log" | tail -1)
    nc=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$LOGDIR/node-$name.log" | tail -1)
    nt=$(sed -n 's/^# tests \([0-9]*\)$/\1/p' "$LOGDIR/node-$name.log" | tail -1)
    np=${np:-0}; nf=$(( ${nf:-0} + ${nc:-0} )); nt=${nt:-0}
    plan=$(sed -n 's|^// plan: \([0-9]*\).*|\1|p' "$t" | head -1)
    if [ -z "$plan" ]; then problem "node/$name" "no '// plan: N' line"; nf=$((nf + 1))
    elif [ "$nt" -lt "$plan" ]; then problem "node/$name" "planned $plan tests, ran $nt"; nf=$((nf + plan - nt))
    elif [ "$nt" -gt "$plan" ]; then problem "node/$name" "planned $plan tests, ran $nt"; nf=$((nf + 1)); fi
    case $rc in 0) ;; 124|137) problem "node/$name" "timed out after ${SUITE_TIMEOUT} s"; nf=$((nf + 1)) ;;
      *) [ "$nf" = 0 ] && { problem "node/$name" "exit status $rc with no failing test"; nf=1; } ;; esac
    logs_check "node/$name"; nf=$((nf + LOGS_F))
    if [ "$nf" != 0 ]; then cat "$LOGDIR/node-$name.log"; fi
    echo "$name: $np passed, $nf failed"
    if [ "$name" = 40_gateway ]; then dp=$((dp + np)); df=$((df + nf)); else p=$((p + np)); f=$((f + nf)); fi
  done
  tally node "$p" "$f"
  tally "node(double)" "$dp" "$df"
fi

if want fuzz && [ -x test/fuzz/run.sh ]; then
  echo "== fuzz smoke"
  run_limited bash test/fuzz/run.sh smoke >"$LOGDIR/fuzz.log" 2>&1
  rc=$?
  tap_check fuzz "$LOGDIR/fuzz.log" $rc
  grep -E '^(ok|not ok|#|1\.\.|Bail)' "$LOGDIR/fuzz.log" | head -50
  tally fuzz "$TAP_P" "$TAP_F"
fi

if [ ${#PROBLEMS[@]} -gt 0 ]; then
  echo "== problems found by the runner"
  printf '%s\n' "${PROBLEMS[@]}"
fi
echo "== summary"
printf '%s\n' "${SUMMARY[@]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
