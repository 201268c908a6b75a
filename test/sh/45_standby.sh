#!/usr/bin/env bash
# Recovery on a hot standby (area 45): every recovery function writes, so on
# a streaming replica each fails with a clear 25006 "cannot ... on a hot
# standby" (auth._require_primary), before it reads any account, so the
# answer is the same for a known and an unknown email; tokens still verify
# there, and a reset made on the primary is replayed.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 9

DB=t45_standby
SDIR=$AUTH_WORK/t45_standby
primary() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB "$@"; }
standby() { psql -qAtX -v VERBOSITY=verbose -h "$SDIR/sock" -p "$SPORT" -d $DB "$@"; }
cleanup() {
  [ -f "$SDIR/data/postmaster.pid" ] && as_pg pg_ctl -D "$SDIR/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$SDIR"
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT

psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
primary -c "CREATE EXTENSION auth_ext" \
  -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null || bail "auth_ext on the primary"
T=$(primary -c "SELECT auth.signup('standby@recovery.test', 'password-standby', 'Standby')->>'token'")
primary -c "SELECT auth.request_password_reset('standby@recovery.test')" >/dev/null
RESET=$(primary -c "SELECT token FROM auth.outbox WHERE kind = 'reset_password'")

auth_start_replica t45_standby main >/dev/null || bail "standby started (pg_basebackup -R of the primary)"
SPORT=$REPLICA_PORT
auth_wait_replay "$SDIR/sock" "$SPORT" || bail "standby caught up"

known=$(standby -c "SELECT auth.request_password_reset('standby@recovery.test')" 2>&1)
[[ "$known" == *"ERROR:  25006: cannot request a password reset on a hot standby"* ]]
ok $? "request_password_reset on the standby: 25006 cannot request a password reset on a hot standby" || echo "# $known"
unknown=$(standby -c "SELECT auth.request_password_reset('nobody@recovery.test')" 2>&1)
is "$(grep ERROR <<<"$unknown")" "$(grep ERROR <<<"$known")" "the same error for an unknown email"
out=$(standby -c "SELECT auth.reset_password('$RESET', 'new password standby')" 2>&1)
[[ "$out" == *"ERROR:  25006: cannot reset a password on a hot standby"* ]]; ok $? "reset_password: 25006" || echo "# $out"
out=$(standby -c "SELECT auth.verify_email('some-token')" 2>&1)
[[ "$out" == *"ERROR:  25006: cannot verify an email on a hot standby"* ]]; ok $? "verify_email: 25006" || echo "# $out"
out=$(standby -c "BEGIN" -c "SELECT auth.jwt_verify('$T') IS NOT NULL" -c "SELECT auth.change_password('password-standby', 'new password standby')" 2>&1)
[[ "$out" == "t"*"ERROR:  25006: cannot change a password on a hot standby"* ]]; ok $? "the token verifies on the standby, change_password: 25006" || echo "# $out"
out=$(standby -c "BEGIN" -c "SELECT auth.jwt_verify('$T') IS NOT NULL" -c "SELECT auth.request_email_verification()" 2>&1)
[[ "$out" == "t"*"ERROR:  25006: cannot request an email verification on a hot standby"* ]]; ok $? "request_email_verification: 25006" || echo "# $out"

is "$(primary -c "SELECT auth.reset_password('$RESET', 'new password standby')")" '{"message": "Password has been reset"}' \
   "the reset token, unused by the standby's attempt, works on the primary"
auth_wait_replay "$SDIR/sock" "$SPORT"; ok $? "the reset is replayed"
out=$(standby -c "SELECT auth.jwt_verify('$T')" 2>&1)
[[ "$out" == *"PT401: Token has been revoked, please log in again"* ]]; ok $? "the standby refuses the token the reset ended" || echo "# $out"

tap_done
