#!/usr/bin/env bash
# pg_dump and recovery (area 45): a verified email is part of the account
# (auth.users.email_verified_at, dumped with the users); the outbox, the
# token store and the request counts are not dumped (a backup must not
# carry live reset links in clear), so a reset requested before the dump
# does not work after the restore, and a new request does.
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 9

SRC=t45_dump_src
DST=t45_dump_dst
DUMP=$AUTH_WORK/t45_dump.pgdump
src() { psql -qAtX -v ON_ERROR_STOP=1 -d $SRC "$@"; }
dst() { psql -qAtX -v VERBOSITY=verbose -d $DST "$@"; }
cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)" >/dev/null 2>&1
  rm -f "$DUMP"
}
trap cleanup EXIT
cleanup

psql -qX -d postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" >/dev/null
src -c "CREATE EXTENSION auth_ext" \
  -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" >/dev/null || bail "auth_ext in $SRC"
VER=$(src -c "SELECT auth.signup('ver@recovery.test', 'password-ver', 'Ver')->>'token'")
src -c "SELECT auth.signup('pending@recovery.test', 'password-pending', 'Pending')" >/dev/null
src -c "BEGIN" -c "SELECT auth.jwt_verify('$VER')" -c "SELECT auth.request_email_verification()" -c "COMMIT" >/dev/null
src -c "SELECT auth.verify_email(token) FROM auth.outbox WHERE kind = 'verify_email'" >/dev/null
src -c "SELECT auth.request_password_reset('pending@recovery.test')" >/dev/null
PENDING=$(src -c "SELECT token FROM auth.outbox WHERE kind = 'reset_password'")
[ -n "$PENDING" ] || bail "a pending reset token in the outbox"

pg_dump -Fc -d $SRC -f "$DUMP" 2>"$AUTH_WORK/t45_dump.log"
ok $? "pg_dump"
pg_restore -d $DST "$DUMP" 2>>"$AUTH_WORK/t45_dump.log"
ok $? "pg_restore into a new database" || sed 's/^/# /' "$AUTH_WORK/t45_dump.log"

is "$(pg_restore -f - -a "$DUMP" | grep -c "$PENDING")" "0" "the dump does not contain the pending reset token"
is "$(dst -c "SELECT string_agg(email || ' ' || (email_verified_at IS NOT NULL), ',' ORDER BY email) FROM auth.users")" \
   "pending@recovery.test false,ver@recovery.test true" "users are restored with their verified emails"
is "$(dst -c "SELECT auth.jwt_decode_unverified(auth.signin('ver@recovery.test', 'password-ver')->>'token')->'payload'->>'email_verified'")" \
   "true" "a token minted after the restore says email_verified: true"
is "$(dst -c "SELECT (SELECT count(*) FROM auth.outbox) + (SELECT count(*) FROM auth.recovery_tokens) + (SELECT count(*) FROM auth.recovery_requests)")" \
   "0" "outbox, token store and request counts are empty after the restore"
is "$(dst -c "SELECT auth.reset_password('$PENDING', 'new password pending')")" '{"error": "Invalid or expired token"}' \
   "a reset requested before the dump does not work after the restore"
NEW=$(dst -c "SELECT auth.request_password_reset('pending@recovery.test')" -c "SELECT token FROM auth.outbox WHERE kind = 'reset_password'" | tail -1)
is "$(dst -c "SELECT auth.reset_password('$NEW', 'new password pending')")" '{"message": "Password has been reset"}' \
   "a new request after the restore works"
is "$(dst -c "SELECT auth.signin('pending@recovery.test', 'new password pending') ? 'token'")" "t" "and its new password signs in"

tap_done
