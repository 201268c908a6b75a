#!/usr/bin/env bash
# scripts/demo.sh: `make demo`.  Installs what is missing, builds, starts a
# throwaway PostgreSQL with auth_ext and walks through the story, one step of
# scripts/demo/*.sql (or *.sh) after another, printing each step.
# AUTH_KEEP=1 keeps the cluster's directory afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

bash scripts/deps.sh
make -s >/dev/null
auth_workdir
auth_install
auth_start demo
export AUTH_ROOT AUTH_WORK AUTH_BINDIR
psql -qX -c "CREATE DATABASE demo" >/dev/null
export PGDATABASE=demo

echo "auth_ext demo: PostgreSQL $(psql -AtX -c 'show server_version') on socket $PGHOST, port $PGPORT"
for step in scripts/demo/*; do
  echo
  echo "======== $(basename "$step")"
  case "$step" in
    *.sql) psql -X --set ON_ERROR_STOP=1 -e -f "$step" ;;  # -e echoes each query before its result
    *.sh)  bash "$step" ;;
  esac
done
echo
echo "demo finished."
