#!/usr/bin/env bash
# scripts/matrix.sh: the whole `make test` on every PostgreSQL major we support.
#
#   scripts/matrix.sh            `make matrix`: the host's major natively (15 on Debian 12),
#                                then 17 and 18 each in the chroot of the Debian release
#                                that packages it (scripts/chroot.sh), then the cross-major
#                                dump/restore test (test/matrix/cross_major.sh)
#   scripts/matrix.sh 17         `make test PG=17`: only that major
#   scripts/matrix.sh 17 cross   any list of majors and "cross"
#
# A chroot run tests a copy of this tree (git's tracked and untracked-but-not-ignored
# files, so no build product of the host gets in), in a directory of its own inside the
# chroot, as root there (the test scripts start PostgreSQL as the postgres OS user).
# Output: each run's own output, then a header with each run's time (a chroot's time
# includes making it when it is not cached), one line per major ("pg17: N passed,
# N failed"; a run that does not even start, e.g. a failed debootstrap, counts as
# 1 failed), "cross-major: N passed, N failed" and, last, the total "N passed, N failed".  Exit status non-zero when anything failed.
# Needs root (debootstrap, chroot, mount).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

CHROOT_MAJORS=(17 18)
NATIVE=$(pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p')
NATIVE=${NATIVE:-15}

if [ $# -eq 0 ]; then set -- "$NATIVE" "${CHROOT_MAJORS[@]}" cross; fi

# chroot_test MAJOR [CMD]: runs CMD (default: make test) on a copy of the tree in MAJOR's chroot
chroot_test() {
  local major=$1 cmd=${2:-make test} dir run rc
  dir=$(bash scripts/chroot.sh prepare "$major") && run=$(bash scripts/chroot.sh copy "$major" "$ROOT") \
    || { echo "the chroot of PostgreSQL $major could not be made"; return 1; }
  bash scripts/chroot.sh run "$major" -- bash -c "cd '$run' && $cmd"
  rc=$?
  rm -rf --one-file-system "$dir$run"
  return $rc
}

LOGDIR=$(mktemp -d /tmp/auth_matrix.XXXXXX)
trap 'rm -rf "$LOGDIR"' EXIT
trap 'exit 130' INT TERM
LINES=()
PASSED=0
FAILED=0
record() { # record NAME LOG: takes the log's last "N passed, N failed" line (none: 1 failed)
  local name=$1 log=$2 p f last
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
  if [ -n "$last" ]; then
    p=${last%% passed*}; f=${last#*, }; f=${f%% failed}
  else
    p=0; f=1
  fi
  [ "$3" != 0 ] && [ "$f" = 0 ] && f=1   # a non-zero exit is a failure even if the counts say otherwise
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  LINES+=("$name: $p passed, $f failed")
}

TIMES=()
for what in "$@"; do
  log=$LOGDIR/$what.log
  t0=$SECONDS
  case "$what" in
    "$NATIVE")
      echo "======== pg$what (native)"
      bash scripts/test.sh 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
      record "pg$what" "$log" "$rc" ;;
    cross)
      echo "======== cross-major dump/restore ($NATIVE -> ${CHROOT_MAJORS[*]})"
      bash test/matrix/cross_major.sh "${CHROOT_MAJORS[@]}" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
      record "cross-major" "$log" "$rc" ;;
    *)
      echo "======== pg$what (Debian $(bash scripts/chroot.sh suite "$what" 2>/dev/null || echo '?') chroot)"
      chroot_test "$what" 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
      record "pg$what" "$log" "$rc" ;;
  esac
  TIMES+=("$what $((SECONDS - t0)) s")
done

echo "======== matrix (time: $(printf '%s, ' "${TIMES[@]}" | sed 's/, $//'))"
printf '%s\n' "${LINES[@]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
