# scripts/tap.sh: sourced by shell test suites.  Minimal TAP producer.
#
#   plan N                   first: declares N tests, prints "1..N" before any of them
#   ok STATUS "description"  e.g.  [ "$a" = "$b" ]; ok $? "a is b"; returns STATUS,
#                            so `ok $? "..." || { diagnose; }` runs the diagnosis
#   is GOT EXPECTED "description"
#   log_clean LOG "description"  LOG exists and shows no crashed backend or PANIC
#   sqlstate CMD ARGS...     runs a psql command line; prints "ok" or the SQLSTATE
#                            of its first error (a negative check names its error)
#   bail "reason"            a setup step failed: prints "Bail out! reason", exits 1
#                            (a setup step is never counted as a test)
#   tap_done                 last: fails when a test failed or the count differs from
#                            the plan
#
# scripts/test.sh reads the plan from the first line and counts every test that was
# planned but not run as a failure (a suite that exits early cannot look green).
TAP_N=0
TAP_FAILED=0
TAP_PLAN=
plan() {
  [ -z "$TAP_PLAN" ] && [ "$TAP_N" = 0 ] || { echo "Bail out! plan declared twice or after a test"; exit 1; }
  TAP_PLAN=$1
  echo "1..$1"
}
ok() {
  TAP_N=$((TAP_N + 1))
  if [ "$1" = 0 ]; then echo "ok $TAP_N - $2"; return 0; fi
  echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1))
  return 1
}
is() { # is GOT EXPECTED DESCRIPTION
  if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; return 1; fi
}
log_clean() { # log_clean LOG DESCRIPTION: a missing log is a failure, never a pass
  if [ ! -f "$1" ]; then ok 1 "$2"; echo "#   no log at $1"; return 1; fi
  if grep -qE 'terminated by signal|was terminated by exception|PANIC:' "$1"; then
    ok 1 "$2"; grep -E 'terminated by signal|was terminated by exception|PANIC:' "$1" | head -5 | sed 's/^/#   /'; return 1
  fi
  ok 0 "$2"
}
sqlstate() {
  local out
  out=$("$@" -v VERBOSITY=verbose 2>&1) && { echo ok; return 0; }
  printf '%s\n' "$out" | sed -n 's/^\(psql:[^ ]* \)\{0,1\}ERROR: *\([0-9A-Z]\{5\}\):.*/\2/p' | head -1
}
bail() { echo "Bail out! $*"; exit 1; }
tap_done() {
  if [ -z "$TAP_PLAN" ]; then echo "# no plan declared"; echo "1..$TAP_N"; return 1; fi
  if [ "$TAP_N" != "$TAP_PLAN" ]; then echo "# planned $TAP_PLAN tests, ran $TAP_N"; return 1; fi
  [ "$TAP_FAILED" = 0 ]
}
