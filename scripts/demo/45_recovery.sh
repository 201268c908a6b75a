#!/usr/bin/env bash
# Step 45 of `make demo`: password reset and email verification over HTTP,
# through test/gateway/gateway.mjs, with a mailer that LISTENs on
# auth_outbox (Node pg, connected as the extension owner) the way an
# application's mailer would.  Runs after step 40 (roles, users).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

say() { printf '\n-- %s\n' "$*"; }
http() { # http METHOD PATH [JSON] [TOKEN]: prints request and answer, body in $BODY
  local method=$1 path=$2 data=${3:-} token=${4:-}
  local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" "$URL$path")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' -d "$data")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local code; code=$(curl "${args[@]}")
  BODY=$(cat "$TMP/body")
  printf '%s %s %s%s\n   -> %s %s\n' "$method" "$path" "${token:+[Bearer ${token:0:12}…] }" "$data" "$code" \
    "$(sed -E 's/"(eyJ[A-Za-z0-9_-]{8})[A-Za-z0-9._-]+"/"\1…"/g' <<<"$BODY")"
}
# the email and email_verified claims of a token (base64url, padded for base64 -d)
claims() {
  local p; p=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
  base64 -d <<<"$p" | jq -c '{email, email_verified}'
}
# the next email the mailer sent: "kind email token"
next_mail() {
  for _ in $(seq 1 100); do [ -s "$TMP/mail.$1" ] && break; sleep 0.1; done
  cat "$TMP/mail.$1"; echo
}

echo "## 45. Password reset and email verification, through the outbox"
TMP=$(mktemp -d)
node "$ROOT/test/gateway/gateway.mjs" --database "${PGDATABASE:-demo}" --user authenticator --anon-role anon >"$TMP/gateway.log" 2>&1 &
GW=$!
# The mailer: LISTEN auth_outbox; on each notification take the row out of
# the outbox and "send" it (here: print it and keep it in a file).
cat >"$TMP/mailer.cjs" <<JS
const pg = require('$ROOT/test/interop/node_modules/pg');
const fs = require('fs');
const c = new pg.Client({ host: process.env.PGHOST, port: process.env.PGPORT, user: 'postgres', database: process.env.PGDATABASE });
let n = 0;
c.connect().then(() => c.query('LISTEN auth_outbox')).then(() => console.log('listening'));
c.on('notification', async (note) => {
  const r = await c.query('DELETE FROM auth.outbox WHERE id = \$1 RETURNING kind, email, token', [note.payload]);
  for (const m of r.rows) {
    n += 1;
    console.log('mailer: NOTIFY auth_outbox ' + note.payload + ' -> send ' + m.kind + ' to ' + m.email + ': https://todo.example/' + m.kind + '?token=' + m.token.slice(0, 8) + '…');
    fs.writeFileSync('$TMP/mail.' + n, m.kind + ' ' + m.email + ' ' + m.token);
  }
});
JS
node "$TMP/mailer.cjs" >"$TMP/mailer.log" 2>&1 &
MAILER=$!
trap 'kill $GW $MAILER 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do grep -q '^listening on ' "$TMP/gateway.log" && grep -q '^listening' "$TMP/mailer.log" && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$TMP/gateway.log")
[ -n "$URL" ] || { cat "$TMP/gateway.log" "$TMP/mailer.log"; exit 1; }
echo "gateway: $URL; mailer: LISTEN auth_outbox as the extension owner"

say "Ann signs in on a second device; then she forgets her password and asks for a reset"
http POST /rpc/signin '{"email":"ann@todo.example","password":"correct horse 1"}'
ANN=$(jq -r .token <<<"$BODY")
http POST /rpc/request_password_reset '{"email":"ann@todo.example"}'
say "An unknown email gets the very same answer (and nothing is sent)"
http POST /rpc/request_password_reset '{"email":"nobody@todo.example"}'
read -r KIND EMAIL TOKEN < <(next_mail 1)
sed -n 's/^mailer: //p' "$TMP/mailer.log"
say "The application's database never sees the token in clear: auth.recovery_tokens keeps its SHA-256 only"
psql -qAtX -c "SELECT kind, email, encode(token_hash, 'hex') = encode(sha256(convert_to('$TOKEN', 'UTF8')), 'hex') AS is_sha256_of_token FROM auth.recovery_tokens"
say "The link sets a new password, once"
http POST /rpc/reset_password "{\"token\":\"$TOKEN\",\"new_password\":\"correct horse 9\"}"
http POST /rpc/reset_password "{\"token\":\"$TOKEN\",\"new_password\":\"another one 99\"}"
say "Every session of Ann ended: the token of her second device is refused"
http GET /tasks '' "$ANN"
sleep 1.1 # a sign-in in the same second as the reset would be revoked too (iat has whole seconds)
say "The new password signs in; the old one does not"
http POST /rpc/signin '{"email":"ann@todo.example","password":"correct horse 1"}'
http POST /rpc/signin '{"email":"ann@todo.example","password":"correct horse 9"}'
ANN=$(jq -r .token <<<"$BODY")
echo "   token claims: $(claims "$ANN")"

say "Ann verifies her email: the mailer sends the link, verify_email uses it"
http POST /rpc/request_email_verification '' "$ANN"
read -r KIND EMAIL VTOKEN < <(next_mail 2)
sed -n 's/^mailer: //p' "$TMP/mailer.log" | tail -1
http POST /rpc/verify_email "{\"token\":\"$VTOKEN\"}"
http POST /rpc/signin '{"email":"ann@todo.example","password":"correct horse 9"}'
echo "   token claims: $(claims "$(jq -r .token <<<"$BODY")")"
