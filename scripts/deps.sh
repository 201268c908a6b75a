#!/usr/bin/env bash
# scripts/deps.sh: installs what auth_ext needs to build and test, on Debian 12
# with PostgreSQL 15 binaries.  Debian packages through apt-get (update first),
# the Node packages of the interop and HTTP tests through npm ci.
# Idempotent: does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="postgresql-15 postgresql-contrib postgresql-server-dev-15 libssl-dev libargon2-dev libcrypt-dev
      postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl pgbouncer
      clang libclang-rt-14-dev make gcc time"
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "deps: installing$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -f test/interop/package.json ] && [ ! -d test/interop/node_modules ]; then
  echo "deps: npm ci in test/interop"
  (cd test/interop && npm ci --no-audit --no-fund --loglevel=error)
fi
