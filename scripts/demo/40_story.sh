#!/usr/bin/env bash
# Step 40 of `make demo`: the whole todo story over HTTP, with curl, through
# test/gateway/gateway.mjs (a test double of PostgREST's per-request
# protocol; PostgREST itself cannot be installed on the build machines).
# Runs in database $PGDATABASE (demo) of the demo cluster.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

say() { printf '\n-- %s\n' "$*"; }
# http METHOD PATH [JSON] [TOKEN] [extra curl args...]: prints the request and
# the answer (status + body, long tokens shortened), stores the body in $BODY
http() {
  local method=$1 path=$2 data=${3:-} token=${4:-}
  shift $(( $# < 4 ? $# : 4 ))
  local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" "$URL$path")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' -d "$data")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local code; code=$(curl "${args[@]}" "$@")
  BODY=$(cat "$TMP/body")
  printf '%s %s %s%s\n   -> %s %s\n' "$method" "$path" "${token:+[Bearer ${token:0:12}…] }" "$data" "$code" \
    "$(sed -E 's/"(eyJ[A-Za-z0-9_-]{8})[A-Za-z0-9._-]+"/"\1…"/g' <<<"$BODY")"
}
token_of() { jq -r .token <<<"$BODY"; }

echo "## 40. Accounts over HTTP: sign-up, sign-in, tasks, isolation, sessions, refresh, sign-out"
psql -qX -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS auth_ext_todo;
-- PostgREST-style roles: the gateway logs in as authenticator (NOINHERIT) and
-- switches to anon or to the token's role claim (accounts.token_role).
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN CREATE ROLE authenticator LOGIN NOINHERIT; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
END $$;
GRANT anon, authenticated TO authenticator;
GRANT SELECT ON todo.tasks TO anon;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO authenticated;
SQL

TMP=$(mktemp -d)
node "$ROOT/test/gateway/gateway.mjs" --database "${PGDATABASE:-demo}" --user authenticator --anon-role anon >"$TMP/gateway.log" 2>&1 &
GW=$!
trap 'kill $GW 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do grep -q '^listening on ' "$TMP/gateway.log" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$TMP/gateway.log")
[ -n "$URL" ] || { cat "$TMP/gateway.log"; exit 1; }
echo "gateway: $URL (one transaction per request; role, request.* settings, auth.pre_request())"

say "Two people sign up (201); the email is stored lowercase, the name trimmed"
http POST /rpc/signup '{"email":"Ann@Todo.Example","password":"correct horse 1","name":"  Ann "}'
http POST /rpc/signup '{"email":"ben@todo.example","password":"correct horse 2","name":"Ben"}'
say "Contract errors are 400 {\"error\": ...}"
http POST /rpc/signup '{"email":"ANN@todo.example","password":"whatever123","name":"Ann again"}'
http POST /rpc/signup '{"email":"not-an-email","password":"short","name":"X"}'

say "Sign-in (email is case-insensitive); a wrong password and an unknown email get the same answer"
http POST /rpc/signin '{"email":"ann@todo.example","password":"correct horse 1"}' '' -H 'User-Agent: DemoBrowser/1.0'
ANN=$(token_of)
ANN_REFRESH=$(jq -r .refresh_token <<<"$BODY")
http POST /rpc/signin '{"email":"BEN@todo.example","password":"correct horse 2"}'
BEN=$(token_of)
BEN_ID=$(jq -r .user.id <<<"$BODY")
http POST /rpc/signin '{"email":"ann@todo.example","password":"wrong password"}'
http POST /rpc/signin '{"email":"nobody@todo.example","password":"wrong password"}'

say "Each creates tasks (user_id is the caller) and lists them: only their own"
http POST /tasks '{"title":"Buy milk"}' "$ANN" -H 'Prefer: return=representation'
http POST /tasks '{"title":"Write report","description":"due Friday"}' "$ANN"
http POST /tasks '{"title":"Walk the dog"}' "$BEN" -H 'Prefer: return=representation'
BEN_TASK=$(jq -r '.[0].id' <<<"$BODY")
http GET /tasks '' "$ANN"
http GET /tasks '' "$BEN"

say "Ann tries Ben's task $BEN_TASK by id: read, complete, delete -> no row, never Ben's data"
http GET "/tasks?id=eq.$BEN_TASK" '' "$ANN"
http PATCH "/tasks?id=eq.$BEN_TASK" '{"completed":true,"title":"hacked"}' "$ANN" -H 'Prefer: return=representation'
http DELETE "/tasks?id=eq.$BEN_TASK" '' "$ANN" -H 'Prefer: return=representation'
say "...and cannot create a task in Ben's name (RLS: 403)"
http POST /tasks "{\"title\":\"sneaky\",\"user_id\":\"$BEN_ID\"}" "$ANN"
say "Ben's task is untouched"
http GET "/tasks?id=eq.$BEN_TASK" '' "$BEN"

say "Anonymous: reads nothing, writes are 401"
http GET /tasks
http POST /tasks '{"title":"anonymous"}'

say "Sessions: every sign-in (and sign-up) is a session, named by the sid claim of its tokens; Ann lists hers"
http POST /rpc/sessions '{}' "$ANN"
say "Refresh: the refresh token buys a new access token and a NEW refresh token (rotation), same session"
http POST /rpc/refresh "{\"refresh_token\":\"$ANN_REFRESH\"}"
ANN_NEXT=$(jq -r .refresh_token <<<"$BODY")
say "The old refresh token again at once (a second tab): the same successor (accounts.refresh_reuse_interval_seconds, 10 s)"
http POST /rpc/refresh "{\"refresh_token\":\"$ANN_REFRESH\"}"
say "(Later, the reuse of a rotated refresh token would end the whole session: someone else holds a copy.)"

say "Ann signs out: her session ends, every token of it is refused from then on, its refresh token too"
http POST /rpc/signout '' "$ANN"
http GET /tasks '' "$ANN"
http POST /rpc/refresh "{\"refresh_token\":\"$ANN_NEXT\"}"
say "Ben is still signed in"
http GET /tasks '' "$BEN"

say "Brute force: after 5 wrong passwords (accounts.max_failures) Ben's account is locked; even the right password gets the same answer as an unknown email"
for i in 1 2 3 4 5; do http POST /rpc/signin '{"email":"ben@todo.example","password":"guess '$i'"}'; done
http POST /rpc/signin '{"email":"ben@todo.example","password":"correct horse 2"}'
http POST /rpc/signin '{"email":"nobody@todo.example","password":"correct horse 2"}'
say "The lockout lasts 1 s, doubling with each further failure (up to 15 min); then the right password works"
sleep 1.2
http POST /rpc/signin '{"email":"ben@todo.example","password":"correct horse 2"}'
