#!/usr/bin/env bash
# test/sh/30_standby.sh: jwt_verify, pre_request and the readers never write,
# so the identity works on a hot standby: a streaming replica of the test
# cluster (pg_basebackup -R, unix socket only, stopped at the end, also on
# failure) verifies a token, applies RLS with it, and forgets it at COMMIT.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 5
source "$AUTH_ROOT/scripts/lib.sh"

SDIR=$AUTH_WORK/t30_standby
source "$AUTH_ROOT/test/sh/30_fixture.bash"
T30_CLEANUP='[ -f "$SDIR/data/postmaster.pid" ] && as_pg "$AUTH_BINDIR/pg_ctl" -D "$SDIR/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "$SDIR"'
t30_fixture t30_standby t30_standby_user

auth_start_replica t30_standby main >/dev/null || bail "standby did not start (pg_basebackup -R of the test cluster)"
SPORT=$REPLICA_PORT

ssql() { psql -qAtX -h "$SDIR/sock" -p "$SPORT" -d "$DB" "$@"; }
auth_wait_replay "$SDIR/sock" "$SPORT"
is "$(ssql -U "$ROLE" -c "SELECT pg_is_in_recovery()")" "t" "connected to a hot standby"

out=$(ssql -U "$ROLE" -v t="$TA" 2>&1 <<'SQL' | tr '\n' ' '
BEGIN;
SELECT auth.jwt_verify(:'t') IS NOT NULL;
SELECT auth.user_id();
SELECT count(*) FROM todo.tasks;
COMMIT;
SELECT coalesce(auth.user_id(), '<anon>'), (SELECT count(*) FROM todo.tasks);
SQL
)
is "$out" "t $A 2 <anon>|0 " "standby: jwt_verify sets the identity, RLS shows A's tasks, gone after COMMIT"

out=$(ssql -U "$ROLE" -v h="{\"authorization\": \"Bearer $TA\"}" 2>&1 <<'SQL' | tr '\n' ' '
BEGIN;
SELECT set_config('request.headers', :'h', true) IS NOT NULL;
SELECT auth.pre_request() IS NOT NULL;
SELECT count(*) FROM todo.tasks;
COMMIT;
SQL
)
is "$out" "t t 2 " "standby: pre_request with a bearer token"

out=$(ssql -U "$ROLE" 2>/dev/null <<SQL
SET auth_ext.claims = '{"sub": "$B"}';
SELECT coalesce(auth.user_id(), '<anon>');
SQL
)
is "$out" "<anon>" "standby: a forged placeholder is discarded there too"

log_clean "$SDIR/server.log" "standby log shows no crashed backend"
tap_done
