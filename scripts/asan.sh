#!/usr/bin/env bash
# scripts/asan.sh: `make check-asan`.  The regress and pgTAP suites against
# auth_ext built with AddressSanitizer and UndefinedBehaviorSanitizer.
#
# How: the tree is copied (git ls-files, plus uncommitted files) to a scratch
# directory so the normal build is left alone; there the module is built with
# AUTH_EXT_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer"
# (the compiler links libasan/libubsan into auth_ext.so).  The server itself is
# not instrumented, so the ASan runtime must come first in every backend:
# scripts/test.sh restarts its cluster with AUTH_SERVER_ENV, here
#   LD_PRELOAD=<gcc's libasan.so>
#   ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=<dir>/asan
#   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=<dir>/ubsan
# (detect_leaks=0: the postmaster and backends never free their memory
# contexts at exit, which LeakSanitizer would report; abort_on_error: a report
# kills the backend, which the crash check also sees.)  Then
# ONLY=regress,pgtap scripts/test.sh runs as usual.  It fails when a suite
# fails, when the server log shows a crashed backend, or when any sanitizer
# report was written.  SUITES=regress,pgtap,shell widens the run.
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
export AUTH_SHARED=${AUTH_SHARED:-$(cd "$SRC/.." && pwd)/shared}

LIBASAN=$(gcc -print-file-name=libasan.so)
[ -f "$LIBASAN" ] || { echo "check-asan: gcc's libasan.so not found"; exit 1; }

TREE=$(mktemp -d /tmp/auth_asan_tree.XXXXXX)
REPORTS=$(mktemp -d /tmp/auth_asan_reports.XXXXXX)
chmod 755 "$TREE"; chmod 1777 "$REPORTS"
trap 'rm -rf "$TREE"' EXIT

# the working tree as it is, without build outputs
git ls-files -co --exclude-standard | grep -v '^test/interop/node_modules/' | tar -cf - -T - | tar -xf - -C "$TREE"
[ -d test/interop/node_modules ] && ln -s "$SRC/test/interop/node_modules" "$TREE/test/interop/node_modules"

export AUTH_EXT_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize=alignment"
export AUTH_SERVER_ENV="LD_PRELOAD=$LIBASAN ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path=$REPORTS/asan UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:log_path=$REPORTS/ubsan"

make -s -C "$TREE" >/dev/null || { echo "check-asan: sanitised build failed"; exit 1; }
if ! ldd "$TREE/auth_ext.so" | grep -q libasan; then
  echo "check-asan: auth_ext.so is not linked with libasan"; exit 1
fi

ONLY=${SUITES:-regress,pgtap} bash "$TREE/scripts/test.sh"
rc=$?

n=$(find "$REPORTS" -type f | wc -l)
if [ "$n" -gt 0 ]; then
  echo "== sanitizer reports ($n files in $REPORTS)"
  for f in "$REPORTS"/*; do echo "--- $f"; head -60 "$f"; done
  rc=1
else
  echo "== sanitizer reports: none"
  rmdir "$REPORTS"
fi
[ $rc -eq 0 ] && echo "check-asan: clean" || echo "check-asan: FAILED"
exit $rc
