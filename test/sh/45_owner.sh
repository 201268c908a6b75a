#!/usr/bin/env bash
# The Neon case for recovery (area 45): under a database owner who is not a
# superuser, the app role requests a reset, changes a password and verifies
# its email through the functions (which run as the owner and write the
# outbox, its identity sequence and the token store with the owner's
# grants); the owner, as the mailer, reads and deletes the outbox; the app
# role reads neither the outbox nor the token store.
set -uo pipefail
source "$AUTH_ROOT/scripts/tap.sh"
plan 11

DB=t45_owner_db
owner() { psql -qAtX -U t45_owner -d $DB -v VERBOSITY=verbose "$@"; }
app() { psql -qAtX -U t45_app -d $DB -v VERBOSITY=verbose "$@"; }
cleanup() {
  psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS t45_app" -c "DROP ROLE IF EXISTS t45_owner" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
psql -qX -d postgres -c "CREATE ROLE t45_owner LOGIN" -c "CREATE ROLE t45_app LOGIN" \
  -c "CREATE DATABASE $DB OWNER t45_owner" >/dev/null
owner -c "CREATE EXTENSION auth_ext" -c "CREATE EXTENSION auth_ext_todo" \
  -c "SELECT auth.configure('password.argon2_memory_kib', '64')" \
  -c "SELECT auth.configure('password.argon2_iterations', '1')" \
  -c "SELECT auth.configure('accounts.token_role', 't45_app')" >/dev/null || bail "the owner installs and configures"
app -c "SELECT auth.signup('own@recovery.test', 'password-own', 'Own')" >/dev/null || bail "the app role signs up"

is "$(app -c "SELECT todo.request_password_reset('own@recovery.test')->>'message'")" \
   "If an account exists for this email, a password reset link has been sent" "the app role requests a reset"
for t in auth.outbox auth.recovery_tokens auth.recovery_requests; do
  is "$(sqlstate app -c "SELECT count(*) FROM $t")" "42501" "the app role cannot read $t"
done
TOKEN=$(owner -c "DELETE FROM auth.outbox WHERE kind = 'reset_password' RETURNING token")
[[ "$TOKEN" =~ ^[A-Za-z0-9_-]{43}$ ]]; ok $? "the owner (the mailer) takes the reset token out of the outbox"
is "$(app -c "SELECT todo.reset_password('$TOKEN', 'new password own')")" '{"message": "Password has been reset"}' \
   "the app role resets the password with it"
sleep 1.1 # past the second of the reset's revocation (iat has whole seconds)
JWT=$(app -c "SELECT auth.signin('own@recovery.test', 'new password own')->>'token'")
is "$(app -c "BEGIN" -c "SELECT auth.jwt_verify('$JWT') IS NOT NULL" \
        -c "SELECT todo.request_email_verification()" -c "COMMIT")" \
   $'t\n{"message": "Verification email sent"}' "signed in with the new password, it asks for a verification email"
is "$(app -c "BEGIN" -c "SELECT auth.jwt_verify('$JWT') IS NOT NULL" \
        -c "SELECT todo.change_password('new password own', 'third password own')" -c "COMMIT")" \
   $'t\n{"message": "Password changed"}' "and changes its password (the placeholder _end_sessions then ends this token too)"
VTOKEN=$(owner -c "DELETE FROM auth.outbox WHERE kind = 'verify_email' RETURNING token")
is "$(app -c "SELECT todo.verify_email('$VTOKEN')")" '{"message": "Email verified"}' "the verification link works"
is "$(owner -c "SELECT email_verified_at IS NOT NULL FROM auth.users")" "t" "the owner sees the email verified"
is "$(owner -c "SELECT count(*) FROM auth.outbox")" "0" "the mailer emptied the outbox"

tap_done
