# test/sh/pgbouncer.bash: sourced by the suites that run a real PgBouncer
# (Debian package) in transaction pooling mode with ONE server connection in
# front of the test cluster (not a suite itself: the runner only runs
# test/sh/*.sh).  PgBouncer listens only on a unix socket in DIR.
#
#   pgbouncer_start DIR DB ROLE   starts it for database DB, users ROLE and
#                                 postgres; sets BPORT; bails when it cannot
#   pgbouncer_stop DIR            stops it (also safe when it is not running)

pgbouncer_stop() {
  if [ -f "$1/pgbouncer.pid" ]; then
    kill "$(cat "$1/pgbouncer.pid")" 2>/dev/null
    for _ in $(seq 50); do [ -f "$1/pgbouncer.pid" ] || break; sleep 0.1; done
  fi
}

pgbouncer_start() {
  local dir=$1 db=$2 role=$3 bin
  if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
    bail "pgbouncer is not installed (apt-get install pgbouncer)"
  fi
  bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  BPORT=$(( 20000 + RANDOM % 30000 ))
  mkdir -p "$dir"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
$db = host=$PGHOST port=$PGPORT dbname=$db

[pgbouncer]
listen_addr =
listen_port = $BPORT
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 1
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  printf '"%s" ""\n"postgres" ""\n' "$role" >"$dir/userlist.txt"
  [ "$(id -u)" = 0 ] && chown -R postgres "$dir"
  as_pg "$bin" -d "$dir/pgbouncer.ini" >"$dir/start.log" 2>&1
  for _ in $(seq 50); do [ -S "$dir/.s.PGSQL.$BPORT" ] && break; sleep 0.1; done
  [ -S "$dir/.s.PGSQL.$BPORT" ] || { cat "$dir/start.log" "$dir/pgbouncer.log" 2>/dev/null | sed 's/^/# /'; bail "pgbouncer did not start (pool_mode = transaction, default_pool_size = 1, unix socket only)"; }
}
