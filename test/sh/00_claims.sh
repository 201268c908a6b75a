#!/usr/bin/env bash
# test/sh/00_claims.sh: README claims and their tests, checked both ways
# (docs/75_claims.md).  Every claim of README.md carries a marker
# "<!-- claim: ID -->"; every row of the table names a marker ID, the quoted
# claim, a test file and the text of one of its assertions.
#   - per row: the marker is in README.md, the quote is within 3 lines of it,
#     the test file exists and holds the assertion;
#   - per marker: the table has a row for its ID (a new claim without a test fails);
#   - no marker ID is used twice in README.md.
# The plan (rows + markers + 2) is computed before any test runs; fewer than 21
# rows (the table as issue 17 left it) fails too.
source "$AUTH_ROOT/scripts/tap.sh"
set -u
cd "$AUTH_ROOT"
TABLE=docs/75_claims.md
[ -f "$TABLE" ] || bail "$TABLE is missing"
[ -f README.md ] || bail "README.md is missing"
trim() { sed 's/^ *//; s/ *$//'; }
rows=$(grep -E '^\| [^-]' "$TABLE" | tail -n +2)   # table rows, header skipped
n=$(printf '%s\n' "$rows" | grep -c '^|')
# "LINE ID" for every marker of README.md
markers=$(grep -noE '<!-- claim: [A-Za-z0-9._-]+ -->' README.md | sed 's/^\([0-9]*\):<!-- claim: \(.*\) -->$/\1 \2/')
m=$(printf '%s\n' "$markers" | grep -c .)
plan $((n + m + 2))
[ "$n" -ge 21 ]; ok $? "the claims table has its 21 rows or more ($n)"
dups=$(printf '%s\n' "$markers" | awk '{print $2}' | sort | uniq -d | tr '\n' ' ')
is "$dups" "" "no claim marker ID is used twice in README.md"
ids=$(printf '%s\n' "$rows" | awk -F'|' '{gsub(/^ +| +$/, "", $2); print $2}')
while read -r line id; do
  printf '%s\n' "$ids" | grep -qxF -- "$id"; ok $? "README claim marker '$id' (line $line) has a row in $TABLE" \
    || echo "#   add a row naming '$id' and the test that fails when the claim is broken"
done <<<"$markers"
while IFS='|' read -r _ claim quote file assertion _; do
  claim=$(trim <<<"$claim"); quote=$(trim <<<"$quote"); file=$(trim <<<"$file"); assertion=$(trim <<<"$assertion")
  why=""
  at=$(printf '%s\n' "$markers" | awk -v id="$claim" '$2 == id {print $1}' | head -1)
  [ -n "$at" ] || why="README.md has no marker <!-- claim: $claim -->"
  if [ -z "$why" ]; then
    near=$(awk -v a="$at" 'NR >= a - 3 && NR <= a + 3' README.md)
    grep -qF -- "$quote" <<<"$near" || why="README.md no longer says, within 3 lines of the marker (line $at): $quote"
  fi
  [ -z "$why" ] && { [ -f "$file" ] || why="no test file $file"; }
  [ -z "$why" ] && { grep -qF -- "$assertion" "$file" || why="$file has no assertion: $assertion"; }
  [ -z "$why" ]; ok $? "claim '$claim' is marked in README.md and held by $file" || echo "#   $why"
done <<<"$rows"
tap_done
