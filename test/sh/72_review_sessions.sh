#!/usr/bin/env bash
# Review of issue 16, finding R2 (docs/70_findings.md, "Review of issues 15
# and 16") through a real pg_dump: auth.refresh_tokens is dumped (sessions
# survive a restore), and each rotated row keeps its successor sealed with a
# pad that only the rotated token gives.  Before the fix the seals stayed for
# the session's life, so whoever held an OLD refresh token (a stolen backup
# of a device, long since rotated and "detected as reuse" if presented) and
# a dump of the database could unseal the chain offline, token after token,
# up to the session's live refresh token, and present that one: no reuse
# detected.  Now a seal is erased once its grace window is over; the one
# rotated within the window stays (the documented residual).
set -uo pipefail
source "$AUTH_ROOT/scripts/lib.sh"
source "$AUTH_ROOT/scripts/tap.sh"
plan 7

SRC=t72_seal_src
DST=t72_seal_dst
DUMP=$AUTH_WORK/t72_seal.pgdump
src() { psql -qAtX -v ON_ERROR_STOP=1 -d $SRC "$@"; }
dst() { psql -qAtX -v ON_ERROR_STOP=1 -d $DST "$@"; }
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
src -c "SELECT auth.signup('seal@t72.example', 'password-seal', 'Seal')" >/dev/null || bail "sign-up"

# r0 signs in; r0 -> r1; an hour passes (r0's rotation is aged: no test waits
# for a clock); r1 -> r2; r2 -> r3 a moment ago (still in its grace window)
R0=$(src -c "SELECT auth.signin('seal@t72.example', 'password-seal')->>'refresh_token'")
R1=$(src -c "SELECT auth.refresh('$R0')->>'refresh_token'")
src -c "UPDATE auth.refresh_tokens SET rotated_at = rotated_at - interval '1 hour' WHERE rotated_at IS NOT NULL" >/dev/null
R2=$(src -c "SELECT auth.refresh('$R1')->>'refresh_token'")
src -c "UPDATE auth.refresh_tokens SET rotated_at = rotated_at - interval '1 hour' WHERE rotated_at IS NOT NULL" >/dev/null
R3=$(src -c "SELECT auth.refresh('$R2')->>'refresh_token'")
[ ${#R3} = 43 ] || bail "the chain r0 -> r3 (got '$R3')"
SID=$(src -c "SELECT session_id FROM auth.refresh_tokens WHERE hash = auth._refresh_hash('$R3')")

pg_dump -Fc -d $SRC -f "$DUMP" 2>"$AUTH_WORK/t72_seal.log" && pg_restore -d $DST "$DUMP" 2>>"$AUTH_WORK/t72_seal.log"
ok $? "pg_dump, and pg_restore into the attacker's database" || sed 's/^/# /' "$AUTH_WORK/t72_seal.log"

# Offline, in the restored copy: every token reached from T by unsealing the
# stored successors, one per line
chain() {
  dst -c "WITH RECURSIVE c(token, step) AS (
            SELECT '$1'::text, 0
            UNION ALL
            SELECT auth._refresh_unseal(c.token, r.successor), c.step + 1
              FROM c JOIN auth.refresh_tokens r ON r.hash = auth._refresh_hash(c.token)
             WHERE r.successor IS NOT NULL AND c.step < 1000)
          SELECT token FROM c WHERE step > 0 AND token IS NOT NULL"
}
is "$(pg_restore -f - -a "$DUMP" | grep -c -e "$R0" -e "$R1" -e "$R2" -e "$R3")" "0" "the dump holds no refresh token in clear"
is "$(chain "$R0" | grep -c -e "$R1" -e "$R2" -e "$R3")" "0" \
   "an old token (r0, rotated an hour before the dump) and the dump unseal nothing (before the fix: r1, r2 and the live r3)"
is "$(chain "$R1" | grep -c -e "$R2" -e "$R3")" "0" "neither does r1"
is "$(chain "$R2")" "$R3" \
   "r2, rotated within the grace window before the dump, still unseals the live r3 (the documented residual: what auth.refresh gives r2 in that window)"
is "$(src -c "SELECT auth.refresh('$R0')->>'error'")" "Invalid or expired refresh token, please sign in again" \
   "online, the old r0 is reuse: 401"
is "$(src -c "SELECT count(*) FROM auth.sessions WHERE id = '$SID'")" "0" "and it ended the session"

tap_done
