#!/usr/bin/env bash
# scripts/soak.sh: `make soak` (SOAK_SECONDS=600 make soak).  The long form of
# the load test: test/sh/70_load.sh for SECONDS (default 60) on a throwaway
# cluster of its own, then the server log is checked for crashed backends.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
SECS=${1:-60}
bash scripts/deps.sh || exit 1
make -s >/dev/null || { echo "build failed"; exit 1; }
auth_workdir
auth_install || exit 1
auth_start main "" || exit 1
export AUTH_ROOT AUTH_WORK AUTH_BINDIR
T70_LOAD_SECONDS=$SECS bash test/sh/70_load.sh
rc=$?
if grep -qE 'terminated by signal|was terminated by exception' "$AUTH_WORK/main/server.log"; then
  echo "server log shows a crashed backend:"; grep -E 'terminated by' "$AUTH_WORK/main/server.log"; rc=1
fi
exit $rc
