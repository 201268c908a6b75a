# scripts/tap.sh: sourced by shell test suites.  Minimal TAP producer.
#   ok COND_EXIT_STATUS "description"   e.g.  check [ "$a" = "$b" ]; ok $? "a is b"
TAP_N=0
TAP_FAILED=0
ok() {
  TAP_N=$((TAP_N + 1))
  if [ "$1" = 0 ]; then echo "ok $TAP_N - $2"; else echo "not ok $TAP_N - $2"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}
is() { # is GOT EXPECTED DESCRIPTION
  if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:      '$1'"; echo "#   expected: '$2'"; fi
}
tap_done() { echo "1..$TAP_N"; [ "$TAP_FAILED" = 0 ]; }
