#!/usr/bin/env bash
# test/sh/20_dump.sh: the keyring survives pg_dump / restore.  auth.keys is
# an extension config table, so its rows (private material included) are
# dumped; the restore runs CREATE EXTENSION (which creates a fresh key)
# before restoring them, and tokens signed before the dump still verify.
# Also: a non-superuser database owner (the Neon case) installs the
# extension and manages keys; an application role cannot read them.
source "$AUTH_ROOT/scripts/tap.sh"
plan 13
set -u
SRC=t20_dump_src
DST=t20_dump_dst
psql -qX -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $DST" >/dev/null 2>&1
psql -qX -c "DROP ROLE IF EXISTS t20_owner" -c "DROP ROLE IF EXISTS t20_reader" >/dev/null 2>&1
psql -qX -c "CREATE ROLE t20_owner LOGIN" -c "CREATE ROLE t20_reader LOGIN" \
     -c "CREATE DATABASE $SRC OWNER t20_owner" >/dev/null
q() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }

# the database owner (not a superuser) installs the trusted extension
q -U t20_owner -d $SRC -c "CREATE EXTENSION auth_ext" >/dev/null
ok $? "a non-superuser database owner creates the extension"
kid2=$(q -U t20_owner -d $SRC -c "SELECT auth.create_key('ES256')")
ok $? "the owner creates keys"
tok=$(q -U t20_owner -d $SRC -c "SELECT auth.jwt_sign('{\"sub\":\"alice\"}')")
is "$(q -U t20_owner -d $SRC -c "SELECT auth.jwt_decode_unverified('$tok')->'header'->>'kid'")" "$kid2" \
   "the newest key signs"
is "$(sqlstate q -U t20_reader -d $SRC -c "SELECT private_key FROM auth.keys")" "42501" \
   "another role cannot read the private keys (42501)"
is "$(q -U t20_owner -d $SRC -c "SELECT count(*) FROM auth.keys WHERE private_key IS NOT NULL")" "2" \
   "the extension owner can read them (to back them up)"
is "$(q -U t20_reader -d $SRC -c "SELECT auth.jwt_verify('$tok')->>'sub'")" "alice" \
   "another role can verify"

# dump, restore into a new database
pg_dump -d $SRC -Fc -f "$AUTH_WORK/t20_dump.pgc"
ok $? "pg_dump"
psql -qX -c "CREATE DATABASE $DST OWNER t20_owner" >/dev/null
pg_restore -d $DST "$AUTH_WORK/t20_dump.pgc" 2>"$AUTH_WORK/t20_restore.err"
ok $? "pg_restore"
is "$(q -d $DST -c "SELECT count(*) FROM auth.keys")" "3" \
   "the restored database has both dumped keys plus the one CREATE EXTENSION made"
is "$(q -d $DST -c "SELECT count(*) FROM auth.keys WHERE kid = '$kid2' AND private_key IS NOT NULL")" "1" \
   "the dumped private key came back"
is "$(q -U t20_reader -d $DST -c "SELECT auth.jwt_verify('$tok')->>'sub'")" "alice" \
   "a token signed before the dump verifies after the restore"
# (pg_restore ran as superuser, who re-created the extension and owns its grants)
tok2=$(q -d $DST -c "SELECT auth.jwt_sign('{\"sub\":\"bob\"}')")
is "$(q -U t20_reader -d $DST -c "SELECT auth.jwt_verify('$tok2')->>'sub'")" "bob" \
   "the restored database signs and verifies new tokens"
is "$(q -U t20_reader -d $SRC -c "SELECT auth.jwt_verify('$tok2')->>'sub'" 2>&1 | grep -c 'Invalid token')" "1" \
   "the source database does not know the restored database's new key"

psql -qX -c "DROP DATABASE $SRC" -c "DROP DATABASE $DST" -c "DROP ROLE t20_owner" -c "DROP ROLE t20_reader" >/dev/null
tap_done
