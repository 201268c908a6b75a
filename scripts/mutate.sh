#!/usr/bin/env bash
# scripts/mutate.sh: `make test-the-tests`, a mutation check of the test suite
# itself (issue 17).  Each mutation below is a deliberate breakage of a
# defence; on a copy of the tree it is applied, then the suites that claim to
# guard that defence run (scripts/test.sh with ONLY/FILES; every one of them
# is part of `make test`).  A mutation is KILLED when that run fails, and
# SURVIVES when it passes (then a test is missing).  A mutation whose pattern
# no longer matches the source fails the script: it must be brought up to date,
# never silently skipped.  Not part of `make test` (one build and run each).
#
#   scripts/mutate.sh            every mutation
#   scripts/mutate.sh NAME...    only these
#
# The last two break a suite, not the product: the runner (scripts/test.sh) must
# fail a suite that exits half-way, and one during which a standby backend
# crashed although every check of the suite passed.
#
# Output is TAP, one test per mutation ("ok" = killed), then the kill rate.
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)

# name | file | perl -0 substitution | ONLY | FILES (empty: every file of ONLY)
MUTATIONS=(
"no-dummy-verification|src/sql/40_accounts.sql|s/v_hash := coalesce\(v_user\.password_hash, auth\._decoy_hash\(v_email\), v_dummy\);/v_hash := v_user.password_hash;/|pgtap,shell|40_signin_work,70_signin_findings"
"hash-prefix-compare|src/passwords/password.c|s/CRYPTO_memcmp\(dk, h->key, h->key_len\)/CRYPTO_memcmp(dk, h->key, h->key_len \/ 2)/|regress,shell|70_mutation"
"signin-no-search-path|src/sql/40_accounts.sql|s/(CREATE FUNCTION auth\.signin\(email pg_catalog\.text, password pg_catalog\.text\) RETURNS pg_catalog\.jsonb\n[^\n]*\n)    SET search_path = pg_catalog, pg_temp\n/\$1/|pgtap,shell|40_accounts,70_privileges,70_static"
"skip-revocation-probe|src/tokens/revocation.c|s/(void\nauth_revocation_check\(Jsonb \*claims\)\n\{\n)/\$1\tif (claims != NULL) return;\n/|pgtap,node|40_accounts,40_revocation"
"accept-alg-none-check|src/tokens/jws_parse.c|s/if \(strcmp\(st\.alg, \"none\"\) == 0\)/if (0)/|regress,pgtap|30_from_request"
"set-changes-identity|src/identity/identity.c|s/(\telse\n\t\{\n)(\t\tGUC_check_errcode\(ERRCODE_INSUFFICIENT_PRIVILEGE\);)/\$1\t\tjb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(*newval)));\n\t}\n\tif (0)\n\t{\n\$2/|shell,pgtap|30_identity,30_from_request"
"drop-rls-update-policy|src/sql/30_identity.sql|s/    EXECUTE pg_catalog\.format\(\n        'CREATE POLICY auth_isolation_update.*?\);\n//s|regress,pgtap|30_isolation"
"refresh-no-session-lock|src/sql/42_sessions.sql|s/ WHERE s\.id OPERATOR\(pg_catalog\.=\) v_session FOR UPDATE;/ WHERE s.id OPERATOR(pg_catalog.=) v_session;/|node|45_sessions"
"refresh-no-reuse-detection|src/sql/42_sessions.sql|s/(-- reuse of a rotated token: a copy is in other hands; end the session\n)        PERFORM auth\._end_sessions\(v_s\.user_id, v_s\.id, NULL::pg_catalog\.uuid\);\n/\$1/|node|45_sessions"
"revocation-ignores-sid|src/tokens/revocation.c|s/\tif \(sid\)\n\t\tkeys\[nkeys\+\+\] = PointerGetDatum\(sid\);\n//|node|45_sessions"
"reset-unknown-skips-work|src/sql/45_recovery.sql|s/IF v_allowed AND v_target IS NOT NULL THEN/IF v_allowed AND v_user IS NOT NULL THEN/|pgtap|45_recovery"
"reset-token-never-expires|src/sql/45_recovery.sql|s/ WHERE used\.expires_at OPERATOR\(pg_catalog\.>\) pg_catalog\.now\(\)\n   AND / WHERE /|node|46_recovery"
'layout-upward-call|src/base/settings.c|s/(\tauth_watch_table\("config", settings_reset\);\n)/$1\tif (getenv("AUTH_LAYOUT_PROBE"))\n\t\tauth_identity_set(NULL);\n/|shell|70_layout'
'layout-cycle|src/tokens/keys.c|s/(\n\tAssert\(nbytes <= \(int\) sizeof\(buf\)\);\n)/$1\tif (getenv("AUTH_LAYOUT_PROBE"))\n\t\t(void) keyring_generation();\n/|shell|70_layout'
'runner-suite-exits-early|test/sh/70_privileges.sh|s/(\x22the owner retires a key\x22\n)/$1exit 0\n/|shell|70_privileges'
'runner-standby-backend-crash|test/sh/40_standby.sh|s/(\x22it is a hot standby\x22\n)/$1standby -c \x22SELECT pg_sleep(3)\x22 >\/dev\/null 2>&1 & sleep 1; kill -SEGV \$(standby -c \x22SELECT pid FROM pg_stat_activity WHERE query LIKE \x27SELECT pg_sleep%\x27 AND pid <> pg_backend_pid()\x22); wait\n/|shell|40_standby'
)

WANT=("$@")
TREE=$(mktemp -d /tmp/auth_mutate.XXXXXX)
trap 'rm -rf "$TREE"' EXIT
git ls-files -co --exclude-standard | grep -v '^test/interop/node_modules/' | tar -cf - -T - | tar -xf - -C "$TREE"
[ -d test/interop/node_modules ] && ln -s "$SRC/test/interop/node_modules" "$TREE/test/interop/node_modules"
unset CI   # a mutation may leave an unused variable: a warning, not an error

selected=()
for m in "${MUTATIONS[@]}"; do
  name=${m%%|*}
  if [ ${#WANT[@]} -gt 0 ] && [[ " ${WANT[*]} " != *" $name "* ]]; then continue; fi
  selected+=("$m")
done
echo "1..${#selected[@]}"
n=0; killed=0; survived=0; broken=0
for m in "${selected[@]}"; do
  IFS='|' read -r name file subst only files <<<"$m"
  n=$((n + 1))
  cp "$SRC/$file" "$TREE/$file"
  perl -0pi -e "$subst" "$TREE/$file"
  if cmp -s "$SRC/$file" "$TREE/$file"; then
    echo "not ok $n - $name: the pattern no longer matches $file (update scripts/mutate.sh)"; broken=$((broken + 1)); continue
  fi
  log=$TREE/mutate-$name.log
  (cd "$TREE" && ONLY=$only FILES=$files bash scripts/test.sh) >"$log" 2>&1
  rc=$?
  last=$(tail -1 "$log")
  if ! [[ "$last" =~ ^[0-9]+\ passed,\ [0-9]+\ failed$ ]]; then
    broken=$((broken + 1))
    echo "not ok $n - $name: the run did not complete (last line: $last)"; tail -20 "$log" | sed 's/^/#   /'
  elif [ $rc -ne 0 ] && [[ "$last" != *" 0 failed" ]]; then
    killed=$((killed + 1))
    echo "ok $n - $name: killed by ONLY=$only FILES=$files ($last)"
    grep -E '^not ok|^!! |^test .*FAILED|^[0-9]{2}_[a-z_0-9]+: [0-9]+ passed, [1-9]' "$log" | head -6 | sed 's/^/#   /'
  else
    survived=$((survived + 1))   # (a passing run, or a failure the counts do not show)
    echo "not ok $n - $name: SURVIVED ONLY=$only FILES=$files ($last)"
  fi
  cp "$SRC/$file" "$TREE/$file"
done
echo "# mutations: $n, killed $killed, survived $survived, not applied or not run $broken"
[ "$killed" = "$n" ]
