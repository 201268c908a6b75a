#!/usr/bin/env bash
# test/sh/70_retired_key.sh: finding 8 of the second security review (issue
# 13, docs/70_findings.md).  A key retired by another session must stop
# verifying at once, also inside a transaction that was already open and had
# verified tokens of that key (its keyring and verified-token cache were
# warm).  Two sessions, run step by step: session A is a psql reading a fifo,
# and each step waits for A's answer before the next one starts, so the order
# of events is fixed (no sleeps racing against each other).  Covered for READ
# COMMITTED and REPEATABLE READ, for a token A had verified (token cache) and
# one it had not (keyring lookup by kid), and for a key deleted outright.
source "$AUTH_ROOT/scripts/tap.sh"
plan 33
set -u
DB=t70_retired_key
SDIR=$AUTH_WORK/t70_retired_key
mkdir -p "$SDIR"
q() { psql -qXAt -v ON_ERROR_STOP=1 -d $DB "$@"; }
psql -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
psql -qX -c "CREATE DATABASE $DB" >/dev/null || bail "setup step at line 19 failed"
q -c "CREATE EXTENSION auth_ext" >/dev/null || bail "setup step at line 20 failed"

# session A: psql on a fifo; a CMD prints its output (errors included)
mkfifo "$SDIR/in"
psql -qXAt -d $DB <"$SDIR/in" >>"$SDIR/out" 2>&1 &
APID=$!
exec 7>"$SDIR/in"
trap 'exec 7>&- 2>/dev/null; wait $APID 2>/dev/null; psql -qX -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1' EXIT
a() {
  local m=EOQ$RANDOM$RANDOM
  : >"$SDIR/out"
  # \echo, not a SELECT: it answers in an aborted transaction too
  echo "$1" >&7; echo "\\echo $m" >&7
  # waits for A's answer; the bound only keeps a broken server from hanging the suite
  for _ in $(seq 600); do grep -q "^$m\$" "$SDIR/out" && break; sleep 0.1; done
  grep -v "^$m\$" "$SDIR/out"
}

for iso in "READ COMMITTED" "REPEATABLE READ"; do
  for how in retire delete; do
    for which in verified other; do
      case="$iso/$how/$which"
      kid=$(q -c "SELECT auth.create_key('ES256')")
      t1=$(q -c "SELECT auth.jwt_sign('{\"sub\":\"t70k-1\"}')")
      t2=$(q -c "SELECT auth.jwt_sign('{\"sub\":\"t70k-2\"}')")
      is "$(q -c "SELECT auth.jwt_decode_unverified('$t2')->'header'->>'kid' = '$kid'")" "t" "$case: the tokens are signed by a new key"
      is "$(a "BEGIN ISOLATION LEVEL $iso; SELECT auth.jwt_verify('$t1')->>'sub';")" "t70k-1" \
         "$case: session A opens a transaction and verifies a token of the key"
      if [ $how = retire ]; then
        q -c "SELECT auth.retire_key('$kid')" >/dev/null
      else
        q -c "DELETE FROM auth.keys WHERE kid = '$kid'" >/dev/null
      fi
      ok $? "$case: session B ${how}s the key and commits"
      if [ $which = verified ]; then tok=$t1; what="the token it verified"; else tok=$t2; what="another token of the key"; fi
      is "$(a "SELECT auth.jwt_verify('$tok')->>'sub';" | head -1)" "ERROR:  Invalid token" \
         "$case: in A's transaction, still open, $what is refused at once"
      a "ROLLBACK;" >/dev/null
    done
  done
done

# the new signing key still works in A, without reconnecting
kid=$(q -c "SELECT auth.create_key('EdDSA')")
t3=$(q -c "SELECT auth.jwt_sign('{\"sub\":\"t70k-3\"}')")
is "$(a "SELECT auth.jwt_verify('$t3')->>'sub';")" "t70k-3" "session A verifies a token of a key created meanwhile"

tap_done
