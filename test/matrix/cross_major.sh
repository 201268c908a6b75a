#!/usr/bin/env bash
# test/matrix/cross_major.sh MAJOR...: data crosses majors (`make matrix`, CI).
#
# A database made on the host's PostgreSQL (15) with the todo app and real data (users
# signed up, tasks, tokens, a signed-out token, a rotated key, an imported key, settings)
# is dumped with each newer MAJOR's own pg_dump/pg_dumpall, as PostgreSQL recommends,
# and restored into MAJOR: old passwords sign in, old tokens verify, the signed-out one
# stays refused, isolation holds.  The newer tools run in MAJOR's chroot
# (scripts/chroot.sh) and reach the host's cluster through its socket directory,
# bind-mounted into the chroot; the restore and its checks are
# test/matrix/cross_major_restore.sh, run there on a copy of this tree.
# Output is TAP, then "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
. scripts/tap.sh
ROOT=$(pwd)

bash scripts/deps.sh >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
make -s >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
auth_workdir
auth_install || { echo "0 passed, 1 failed"; exit 1; }
auth_start old "" || { echo "0 passed, 1 failed"; exit 1; }
OLD_MAJOR=$(psql -qAtX -c "SELECT current_setting('server_version_num')::int / 10000")

DB=cross_major
APP=cross_app
db()  { psql -qAtX -v ON_ERROR_STOP=1 -d $DB "$@"; }
app() { psql -qAtX -v ON_ERROR_STOP=1 -d $DB -U $APP "$@"; }

# ---- the data, on the old major ----
psql -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB" -c "CREATE ROLE $APP LOGIN" >/dev/null || exit 1
db <<SQL >/dev/null || exit 1
CREATE EXTENSION auth_ext;
CREATE EXTENSION auth_ext_todo;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO $APP;
SELECT auth.configure('password.argon2_memory_kib', '64');
SELECT auth.configure('password.argon2_iterations', '1');
SELECT auth.configure('jwt.issuer', 'https://cross.example');
SQL
TA=$(db -c "SELECT auth.signup('ann@cross.example', 'ann password 1', 'Ann')->>'token'")
TB=$(db -c "SELECT auth.signup('ben@cross.example', 'ben password 1', 'Ben')->>'token'")
for t in "$TA:ann one" "$TA:ann two" "$TB:ben one"; do
  app -c "BEGIN" -c "SELECT auth.jwt_verify('${t%%:*}')" -c "INSERT INTO todo.tasks (title) VALUES ('${t#*:}')" -c "COMMIT" >/dev/null || exit 1
done
# a token signed out (revoked) before the dump
TGONE=$(db -c "SELECT auth.signin('ben@cross.example', 'ben password 1')->>'token'")
db -c "BEGIN" -c "SELECT auth.jwt_verify('$TGONE')" -c "SELECT auth.signout()" -c "COMMIT" >/dev/null || exit 1
# a rotated signing key (ES256) and a token it signed; an imported verify-only key and its token
db -c "SELECT auth.create_key('ES256')" >/dev/null || exit 1
TS=$(db -c "SELECT auth.jwt_sign(jsonb_build_object('sub', (SELECT id FROM auth.users WHERE email = 'ann@cross.example')))")
JWK='{"kty":"oct","kid":"cross-imported","alg":"HS256","k":"Y3Jvc3MtbWFqb3Itc2VjcmV0LW9mLWF0LWxlYXN0LTMyLWJ5dGVz"}'
db -c "SELECT auth.import_jwk('$JWK')" >/dev/null || exit 1
TI=$(db -c "SELECT auth.jwt_encode(jsonb_build_object('sub', (SELECT id FROM auth.users WHERE email = 'ben@cross.example'),
              'iss', 'https://cross.example', 'exp', extract(epoch from now())::bigint + 3600), '$JWK', 'HS256', '{\"kid\":\"cross-imported\"}')")
is "$(db -c "SELECT auth.jwt_verify('$TGONE')" 2>&1 | grep -c 'revoked')" "1" "pg$OLD_MAJOR: the signed-out token is refused before the dump"
SUMMARY=$(db -c "SELECT (SELECT count(*) FROM auth.users) || '/' || (SELECT count(*) FROM todo.tasks) || '/' || (SELECT count(*) FROM auth.revocations)")
KIDS=$(db -c "SELECT string_agg(kid, ',' ORDER BY kid) FROM auth.keys")
EXTVERSIONS=$(db -c "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname LIKE 'auth_ext%' ORDER BY 1" | tr '\n' ' ')
PORT=$PGPORT

# ---- each newer major: dump with its tools, restore, check ----
for major in "$@"; do
  inside=""
  dir=$(bash scripts/chroot.sh prepare "$major" 2>"$AUTH_WORK/chroot-$major.log") \
    && inside=$(bash scripts/chroot.sh copy "$major" "$ROOT" 2>>"$AUTH_WORK/chroot-$major.log")
  if [ -z "$dir" ] || [ -z "$inside" ]; then
    ok 1 "pg$major: its chroot is ready"; sed 's/^/# /' "$AUTH_WORK/chroot-$major.log"; continue
  fi
  run=$dir$inside
  cat >"$run/cross.env" <<ENV
OLD_MAJOR=$OLD_MAJOR
OLD_PORT=$PORT
DB=$DB
APP=$APP
SUMMARY='$SUMMARY'
KIDS='$KIDS'
EXTVERSIONS='$EXTVERSIONS'
TA='$TA'
TB='$TB'
TGONE='$TGONE'
TS='$TS'
TI='$TI'
ENV
  bash scripts/chroot.sh run "$major" -b "$PGHOST:$inside/oldsock" -- \
    bash "$inside/test/matrix/cross_major_restore.sh" "$inside/cross.env" "$inside/oldsock" >"$AUTH_WORK/restore-$major.log" 2>&1
  rc=$?
  n=0
  while IFS= read -r line; do
    case "$line" in
      "ok "*)     n=$((n + 1)); ok 0 "pg$major: $(sed -E 's/^ok [0-9]+ - //' <<<"$line")" ;;
      "not ok "*) n=$((n + 1)); ok 1 "pg$major: $(sed -E 's/^not ok [0-9]+ - //' <<<"$line")" ;;
      "1.."*) ;;
      *) echo "# $line" ;;
    esac
  done <"$AUTH_WORK/restore-$major.log"
  [ $rc = 0 ] || [ "$TAP_FAILED" != 0 ] || ok 1 "pg$major: the restore script exited with $rc"
  [ $n -gt 0 ] || ok 1 "pg$major: the restore script ran no test"
  rm -rf --one-file-system "$run"
done

tap_done
rc=$?
echo "$((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
exit $rc
