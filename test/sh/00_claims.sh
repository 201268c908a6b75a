#!/usr/bin/env bash
# test/sh/00_claims.sh: every row of docs/75_claims.md (a README claim and the
# test that holds it) is still true of the tree: the quoted claim is in
# README.md, and the named test file holds the named assertion.  A README
# rewording, a renamed or removed test, or a removed row fails here.  The
# plan is the table's row count, read before any test runs; fewer than 14
# rows (the table as issue 17 left it) fails too.
source "$AUTH_ROOT/scripts/tap.sh"
set -u
cd "$AUTH_ROOT"
TABLE=docs/75_claims.md
[ -f "$TABLE" ] || bail "$TABLE is missing"
rows=$(grep -E '^\| [^-]' "$TABLE" | tail -n +2)   # table rows, header skipped
n=$(printf '%s\n' "$rows" | grep -c '^|')
plan $((n + 1))
[ "$n" -ge 14 ]; ok $? "the claims table has its 14 rows or more ($n)"
while IFS='|' read -r _ claim quote file assertion _; do
  claim=$(echo "$claim" | sed 's/^ *//; s/ *$//'); quote=$(echo "$quote" | sed 's/^ *//; s/ *$//')
  file=$(echo "$file" | sed 's/^ *//; s/ *$//'); assertion=$(echo "$assertion" | sed 's/^ *//; s/ *$//')
  why=""
  grep -qF -- "$quote" README.md || why="README.md no longer says: $quote"
  [ -z "$why" ] && { [ -f "$file" ] || why="no test file $file"; }
  [ -z "$why" ] && { grep -qF -- "$assertion" "$file" || why="$file has no assertion: $assertion"; }
  [ -z "$why" ]; ok $? "claim '$claim' is in README.md and held by $file" || echo "#   $why"
done <<<"$rows"
tap_done
