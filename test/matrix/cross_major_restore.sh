#!/usr/bin/env bash
# test/matrix/cross_major_restore.sh ENV OLDSOCK: the newer major's half of
# test/matrix/cross_major.sh, run inside that major's chroot on a copy of the tree.
# ENV holds the old cluster's port, the database name and the tokens minted there;
# OLDSOCK is the old cluster's socket directory (bind-mounted).  Dumps the old
# database with this major's pg_dumpall --globals-only and pg_dump -Fc, restores
# both into a throwaway cluster of this major with auth_ext built for it, and
# checks that the data still works.  Output is TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
. "$1"
OLDSOCK=$2
. scripts/lib.sh
. scripts/tap.sh

bash scripts/deps.sh >/dev/null || exit 1
make -s >/dev/null || { echo "not ok 1 - auth_ext builds"; exit 1; }
auth_workdir
auth_install || exit 1
auth_start new "" || exit 1
MAJOR=$(psql -qAtX -c "SELECT current_setting('server_version_num')::int / 10000")
BIN=$("$AUTH_PG_CONFIG" --bindir)
OLD=(-h "$OLDSOCK" -p "$OLD_PORT" -U postgres)

# ---- dump the old major's database with this major's tools ----
"$BIN/pg_dumpall" "${OLD[@]}" --globals-only -f "$AUTH_WORK/globals.sql" 2>"$AUTH_WORK/dump.err"
ok $? "pg_dumpall $MAJOR --globals-only reads the $OLD_MAJOR cluster"
"$BIN/pg_dump" "${OLD[@]}" -Fc -d "$DB" -f "$AUTH_WORK/db.dump" 2>>"$AUTH_WORK/dump.err"
ok $? "pg_dump $MAJOR -Fc dumps the $OLD_MAJOR database"
sed 's/^/# /' "$AUTH_WORK/dump.err"

# ---- restore into this major ----
# the globals hold CREATE ROLE postgres, which exists: that one error is expected
psql -qX -f "$AUTH_WORK/globals.sql" >"$AUTH_WORK/restore.log" 2>&1
is "$(grep -c ERROR "$AUTH_WORK/restore.log")|$(psql -qAtX -c "SELECT rolcanlogin FROM pg_roles WHERE rolname = '$APP'")" "1|t" \
   "the roles are restored (only 'role postgres already exists' fails)"
psql -qX -c "CREATE DATABASE $DB" >/dev/null
pg_restore -d "$DB" "$AUTH_WORK/db.dump" >>"$AUTH_WORK/restore.log" 2>&1
ok $? "pg_restore into PostgreSQL $MAJOR, without an error"
grep -E 'ERROR|error' "$AUTH_WORK/restore.log" | sed 's/^/# /'

db()  { psql -qAtX -d "$DB" "$@"; }
app() { psql -qAtX -d "$DB" -U "$APP" "$@"; }
is "$(db -c "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname LIKE 'auth_ext%' ORDER BY 1" | tr '\n' ' ')" \
   "$EXTVERSIONS" "the extensions are restored at the versions the $OLD_MAJOR database had ($EXTVERSIONS)"
is "$(db -c "SELECT (SELECT count(*) FROM auth.users) || '/' || (SELECT count(*) FROM todo.tasks) || '/' || (SELECT count(*) FROM auth.revocations)")" \
   "$SUMMARY" "users, tasks and revocations are all there"
is "$(db -c "SELECT string_agg(k, ',') FROM unnest(string_to_array('$KIDS', ',')) k WHERE k NOT IN (SELECT kid FROM auth.keys)")" \
   "" "every key of the $OLD_MAJOR database is there"
# CREATE EXTENSION, replayed by pg_restore, makes a key of its own before the dumped
# keys are loaded (the same on every major, and within one): say so when it happens
db -c "SELECT '# the restore added key ' || kid || ' (' || algorithm || ')' FROM auth.keys WHERE kid <> ALL (string_to_array('$KIDS', ','))"

# ---- passwords and tokens from the old major ----
is "$(db -c "SELECT auth.signin('ann@cross.example', 'ann password 1') ? 'token'")|$(db -c "SELECT auth.signin('BEN@cross.example', 'ben password 1') ? 'token'")" \
   "t|t" "passwords set on $OLD_MAJOR sign in"
is "$(db -c "SELECT auth.signin('ann@cross.example', 'ben password 1')->>'error'")" "Invalid email or password" \
   "a wrong password is still refused"
for t in "TA:sign-up token (EdDSA key of CREATE EXTENSION)" "TB:sign-up token of another user" \
         "TS:jwt_sign token (rotated ES256 key)" "TI:token of the imported HS256 key"; do
  v=${t%%:*}
  is "$(db -c "SELECT auth.jwt_verify('${!v}')->>'sub' IS NOT NULL" 2>&1)" "t" "a ${t#*:} minted on $OLD_MAJOR verifies"
done
out=$(db -c "SELECT auth.jwt_verify('$TGONE')" 2>&1)
[[ "$out" == *"Token has been revoked"* ]]; ok $? "a token signed out on $OLD_MAJOR is still refused"
[ $? = 0 ] || echo "# $out"
is "$(db -c "SELECT auth.jwt_decode_unverified(auth.jwt_sign('{\"sub\":\"x\"}'))->'payload'->>'iss'")" "https://cross.example" \
   "settings are restored (jwt.issuer)"
is "$(db -c "SELECT auth.jwt_verify(auth.jwt_sign('{\"sub\":\"new\"}'))->>'sub'")" "new" "new tokens are signed and verify"
db -c "SELECT '# new tokens are signed with key ' || (auth.jwt_decode_unverified(auth.jwt_sign('{}'))->'header'->>'kid')"

# ---- isolation ----
tasks_of() { app -c "BEGIN" -c "SELECT auth.jwt_verify('$1') IS NOT NULL" -c "SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks" -c "COMMIT" 2>&1 | tr '\n' ' '; }
is "$(tasks_of "$TA")" "t ann one,ann two " "Ann sees her tasks only"
is "$(tasks_of "$TI")" "t ben one " "Ben (imported key's token) sees his task only"
is "$(app -c "SELECT count(*) FROM todo.tasks")" "0" "without a token no task is visible"
is "$(app -c "BEGIN" -c "SELECT auth.jwt_verify('$TA') IS NOT NULL" \
          -c "UPDATE todo.tasks SET title = 'taken' WHERE title = 'ben one' RETURNING id" -c "COMMIT" 2>&1 | tr '\n' ' ')" \
   "t " "Ann cannot change Ben's task"
is "$(db -c "SELECT relrowsecurity::text || relforcerowsecurity::text FROM pg_class WHERE oid = 'todo.tasks'::regclass")" \
   "truetrue" "row-level security is on and forced"
is "$(app -c "BEGIN" -c "SELECT auth.jwt_verify('$TB') IS NOT NULL" \
          -c "INSERT INTO todo.tasks (title) VALUES ('ben two') RETURNING title" -c "COMMIT" 2>&1 | tr '\n' ' ')" \
   "t ben two " "a new task after the restore does not collide with restored ids"
is "$(db -c "SELECT auth.signup('cy@cross.example', 'cy password 1', 'Cy') ? 'token'")" "t" "a new user signs up"
tap_done
