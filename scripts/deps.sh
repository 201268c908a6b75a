#!/usr/bin/env bash
# scripts/deps.sh: installs what auth_ext needs to build and test, on Debian 12
# with PostgreSQL 15 binaries, or on the Debian release of another major (the
# chroots of scripts/matrix.sh, where they are already installed): the major is
# pg_config's (15 without one), the clang runtime the installed clang's.
# Debian packages through apt-get (update first), the Node packages of the
# interop and HTTP tests through npm ci.
# Idempotent: does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR=$(pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9][0-9]*\).*/\1/p')
PG_MAJOR=${PG_MAJOR:-15}
CLANG_MAJOR=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' | head -1)
CLANG_MAJOR=${CLANG_MAJOR:-14}   # Debian 12's clang
PKGS="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libssl-dev libargon2-dev libcrypt-dev
      postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl pgbouncer
      clang libclang-rt-$CLANG_MAJOR-dev make gcc time curl jq"
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
