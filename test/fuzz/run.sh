#!/usr/bin/env bash
# test/fuzz/run.sh: builds and runs the libFuzzer targets of auth_ext.
#
#   test/fuzz/run.sh smoke       every target for a short time (<= 30 s in all);
#                                called by `make test`
#   test/fuzz/run.sh SECONDS     every target for SECONDS each (`make fuzz`,
#                                FUZZ_SECONDS=600 make fuzz); default 60
#   test/fuzz/run.sh SECONDS T.. only the named targets
#
# A target is test/fuzz/fuzz_<name>.c.  Its header names the server-independent
# sources it needs on a line of its own:
#     fuzz-sources: src/core/base64url.c src/core/jws_split.c
#     fuzz-libs: -lcrypto                 (optional)
# A target whose sources are not in the tree is a failing test (never skipped).
# Targets are built with clang -fsanitize=fuzzer,address,undefined (UBSan
# reports are fatal) into test/fuzz/build/.  The seed corpus of a target is
# test/fuzz/corpus/<name>/ and is never written to: new inputs go to a scratch
# directory.  A crash leaves its input in test/fuzz/build/crash-<name>-*; once
# fixed, copy it into the target's corpus so the smoke replays it forever.
#
# Output is TAP:  ok N - fuzz <name>: <execs> execs, cov <n>
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
MODE=${1:-60}
shift || true
ONLY_TARGETS=("$@")

CC=${FUZZ_CC:-clang}
BUILD=$ROOT/test/fuzz/build
mkdir -p "$BUILD"
SCRATCH=$(mktemp -d /tmp/auth_fuzz.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Isrc/core -Itest/fuzz"

TARGETS=()
for f in test/fuzz/fuzz_*.c; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .c); name=${name#fuzz_}
  if [ ${#ONLY_TARGETS[@]} -gt 0 ] && [[ " ${ONLY_TARGETS[*]} " != *" $name "* ]]; then continue; fi
  TARGETS+=("$name")
done

# builds one target; prints the reason and fails when it cannot
build_target() {
  local name=$1 src=test/fuzz/fuzz_$1.c srcs libs s
  srcs=$(sed -n 's/^.*fuzz-sources:\(.*\)$/\1/p' "$src" | head -1)
  libs=$(sed -n 's/^.*fuzz-libs:\(.*\)$/\1/p' "$src" | head -1)
  for s in $srcs; do
    [ -f "$s" ] || { echo "# $name: $s is not in this tree"; return 2; }
  done
  # shellcheck disable=SC2086
  $CC $CFLAGS -o "$BUILD/fuzz_$name" "$src" $srcs $libs 2>"$BUILD/fuzz_$name.build.log" \
    || { echo "# build of $name failed:"; sed 's/^/#   /' "$BUILD/fuzz_$name.build.log" | head -40; return 1; }
}

# the runnable targets; the plan (one test per target) comes first
RUN=()
N=0
FAILED=0
echo "1..${#TARGETS[@]}"
for t in "${TARGETS[@]}"; do
  build_target "$t"
  case $? in
    0) RUN+=("$t") ;;
    2) N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - fuzz $t: a source it names is missing" ;;
    *) N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - fuzz $t: build failed" ;;
  esac
done

if [ "$MODE" = smoke ]; then
  # 30 s in all, shared between the targets, at least 2 s each
  per=2
  [ ${#RUN[@]} -gt 0 ] && per=$(( 28 / ${#RUN[@]} ))
  [ "$per" -lt 2 ] && per=2
else
  per=$MODE
fi

TOTAL_EXECS=0
for t in "${RUN[@]}"; do
  N=$((N + 1))
  mkdir -p "$SCRATCH/$t" "test/fuzz/corpus/$t"
  dict=()
  [ -f "test/fuzz/fuzz_$t.dict" ] && dict=(-dict="test/fuzz/fuzz_$t.dict")
  log=$BUILD/fuzz_$t.log
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    "$BUILD/fuzz_$t" -max_total_time="$per" -print_final_stats=1 -rss_limit_mb=1024 \
      -timeout=5 -max_len=8192 "${dict[@]}" -artifact_prefix="$BUILD/crash-$t-" \
      "$SCRATCH/$t" "test/fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  execs=${execs:-0}; cov=${cov:-0}
  TOTAL_EXECS=$((TOTAL_EXECS + execs))
  if [ $rc -eq 0 ] && [ "$execs" -gt 0 ]; then
    echo "ok $N - fuzz $t: $execs execs, cov $cov"
  else
    FAILED=$((FAILED + 1))
    echo "not ok $N - fuzz $t: exit $rc after $execs execs, cov $cov"
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 | sed 's/^/#   /'
    ls "$BUILD"/crash-"$t"-* "$BUILD"/leak-"$t"-* "$BUILD"/timeout-"$t"-* "$BUILD"/oom-"$t"-* 2>/dev/null | sed 's/^/#   input: /'
  fi
done
echo "# fuzz: ${#RUN[@]} targets, $TOTAL_EXECS execs in all, ${per}s each"
[ "$FAILED" = 0 ]
