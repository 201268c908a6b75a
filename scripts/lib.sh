# scripts/lib.sh: sourced by the other scripts.  A throwaway PostgreSQL cluster
# with auth_ext installed, private to one run:
#
#   auth_workdir            creates $AUTH_WORK (removed on exit, with everything in it)
#   auth_install            copies the server binaries into $AUTH_WORK/install and
#                           installs auth_ext there (make install DESTDIR=...), so a
#                           run never depends on, or changes, the system's directories
#   auth_start NAME [CONF]  initdb + start cluster NAME; exports PGHOST PGPORT PGUSER
#                           PGDATABASE; TCP is off, the socket lives in a private
#                           directory, so its port cannot collide with anything
#   auth_stop NAME          stop it (auth_workdir's exit trap stops all of them)
#   as_pg CMD...            run CMD as the postgres OS user when we are root
#   auth_expect_kills NAME N  the suite kills N backends of cluster NAME with
#                           signal 9 on purpose (scripts/test.sh allows exactly
#                           that many "terminated by signal 9" lines in its log)
#
# Every cluster's server log is $AUTH_WORK/clusters/NAME.log ($dir/server.log is
# a link to it), listed in $AUTH_WORK/clusters/list when the cluster is made: a
# suite that removes its cluster's directory leaves the log for scripts/test.sh,
# which reads every listed log after every suite (crashes, PANIC, sanitizers).
#
# PostgreSQL refuses to run as root, so as root the server runs as "postgres".

set -o pipefail
AUTH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The system's pg_config, found once: scripts that source this file again with the
# private copy's bin directory on PATH must still copy from, and build for, the system.
export AUTH_PG_CONFIG=${AUTH_PG_CONFIG:-$(command -v pg_config)}
SYS_BINDIR=$("$AUTH_PG_CONFIG" --bindir)
SYS_PKGLIBDIR=$("$AUTH_PG_CONFIG" --pkglibdir)
SYS_SHAREDIR=$("$AUTH_PG_CONFIG" --sharedir)
AUTH_CLUSTERS=()

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# auth_log_register NAME: the cluster's log lives outside its directory, listed
auth_log_register() {
  local name=$1 logs=$AUTH_WORK/clusters
  mkdir -p "$logs"
  [ "$(id -u)" = 0 ] && chown postgres "$logs"
  : >>"$logs/$name.log"
  [ "$(id -u)" = 0 ] && chown postgres "$logs/$name.log"
  ln -sfn "$logs/$name.log" "$AUTH_WORK/$name/server.log"
  grep -qxF "$name" "$logs/list" 2>/dev/null || echo "$name" >>"$logs/list"
}

auth_expect_kills() {
  echo "$2" >"$AUTH_WORK/clusters/$1.kills"
}

auth_cleanup() {
  local rc=$?
  for c in "${AUTH_CLUSTERS[@]}"; do auth_stop "$c" >/dev/null 2>&1 || true; done
  # clusters a suite started and left running (a suite stopped by a timeout)
  if [ -n "${AUTH_WORK:-}" ] && [ -f "$AUTH_WORK/clusters/list" ] && [ -z "${AUTH_KEEP:-}" ]; then
    while read -r c; do auth_stop "$c" >/dev/null 2>&1 || true; done <"$AUTH_WORK/clusters/list"
  fi
  [ -n "${AUTH_EXTRA_CLEANUP:-}" ] && eval "$AUTH_EXTRA_CLEANUP" >/dev/null 2>&1
  if [ -n "${AUTH_WORK:-}" ] && [ -z "${AUTH_KEEP:-}" ]; then rm -rf "$AUTH_WORK"; fi
  return $rc
}

auth_workdir() {
  AUTH_WORK=$(mktemp -d /tmp/auth_ext.XXXXXX)
  chmod 755 "$AUTH_WORK"
  [ "$(id -u)" = 0 ] && chown postgres "$AUTH_WORK"
  trap auth_cleanup EXIT
  trap 'exit 130' INT TERM
  export AUTH_WORK
}

auth_install() {
  local inst=$AUTH_WORK/install
  mkdir -p "$inst$(dirname "$SYS_BINDIR")" "$inst$(dirname "$SYS_SHAREDIR")"
  cp -a "$SYS_BINDIR" "$inst$SYS_BINDIR"
  cp -a "$SYS_PKGLIBDIR" "$inst$SYS_PKGLIBDIR"
  cp -a "$SYS_SHAREDIR" "$inst$SYS_SHAREDIR"
  # whatever auth_ext a `make install` (of any branch) left in the system's
  # directories goes: a stale secondary control file (auth_ext_todo--1.0.control)
  # or upgrade script would otherwise override this tree's
  rm -f "$inst$SYS_SHAREDIR"/extension/auth_ext* "$inst$SYS_PKGLIBDIR"/auth_ext*
  make -s -C "$AUTH_ROOT" install PG_CONFIG="$AUTH_PG_CONFIG" DESTDIR="$inst" >/dev/null
  chmod -R a+rX "$inst"
  export AUTH_BINDIR=$inst$SYS_BINDIR
  export PATH=$AUTH_BINDIR:$PATH
}

# auth_start NAME [extra postgresql.conf lines]
auth_start() {
  local name=$1 conf=${2:-}
  local dir=$AUTH_WORK/$name
  mkdir -p "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  auth_log_register "$name"
  as_pg "$AUTH_BINDIR/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; return 1; }
  local port=$(( 20000 + RANDOM % 30000 ))
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir/sock'
fsync = off
max_connections = 100
max_worker_processes = 8
max_parallel_workers_per_gather = 2
log_min_messages = warning
$conf
CONF
  as_pg "$AUTH_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log"; return 1; }
  AUTH_CLUSTERS+=("$name")
  export PGHOST=$dir/sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres
}

auth_stop() {
  local dir=$AUTH_WORK/$1
  [ -f "$dir/data/postmaster.pid" ] && as_pg "$AUTH_BINDIR/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
  return 0
}

# ---- appended by area 70 (robustness) ----
# auth_start_replica NAME PRIMARY: a hot-standby streaming replica NAME of the
# running cluster PRIMARY (pg_basebackup -R over the primary's unix socket;
# initdb -A trust allows "local replication all trust").  Its own socket dir
# and port; sets REPLICA_HOST REPLICA_PORT (PGHOST/PGPORT stay the primary's).
# Stopped by auth_workdir's exit trap like the others, or by auth_stop NAME.
auth_start_replica() {
  local name=$1 primary=$2
  local dir=$AUTH_WORK/$name
  local phost=$AUTH_WORK/$primary/sock pport
  pport=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$AUTH_WORK/$primary/data/postgresql.conf" | tail -1)
  mkdir -p "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  auth_log_register "$name"
  as_pg "$AUTH_BINDIR/pg_basebackup" -h "$phost" -p "$pport" -U postgres -D "$dir/data" -R -X stream \
    -c fast --no-sync >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log"; return 1; }
  REPLICA_PORT=$(( 20000 + RANDOM % 30000 ))
  REPLICA_HOST=$dir/sock
  cat >>"$dir/data/postgresql.conf" <<CONF
port = $REPLICA_PORT
unix_socket_directories = '$dir/sock'
hot_standby = on
CONF
  as_pg "$AUTH_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log"; return 1; }
  AUTH_CLUSTERS+=("$name")
  export REPLICA_HOST REPLICA_PORT
}

# auth_wait_replay HOST PORT: waits (up to 30 s) until the replica at HOST:PORT
# has replayed everything the primary (PGHOST/PGPORT) has written so far.
auth_wait_replay() {
  local target
  target=$(psql -qXAt -d postgres -c "SELECT pg_current_wal_lsn()")
  for _ in $(seq 300); do
    [ "$(psql -qXAt -h "$1" -p "$2" -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && return 0
    sleep 0.1
  done
  return 1
}
