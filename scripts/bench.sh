#!/usr/bin/env bash
# scripts/bench.sh: `make bench` (never part of `make test`).
#
# Starts a throwaway cluster of its own, builds the data it needs, and times
# every hot path of auth_ext next to its baselines, all in the same run:
#   - the physical limit: bench/rawcrypto.c, raw OpenSSL/libargon2 in a C loop
#   - the SQL floor: a trivial C function over generate_series
#   - the SQL-only way: bench/plain_sql_jwt.sql (pgcrypto HS256, current_setting RLS)
#   - auth_ext: jwt_verify/jwt_decode/jwt_sign per algorithm, passwords,
#     identity readers, the RLS list query, the end-to-end request (pgbench),
#     sign-ins per second, backend memory after many distinct tokens.
# Figures whose functions do not exist yet are skipped (listed as such).
# Every figure: one untimed warm-up, then $BENCH_REPEATS timed repetitions
# (default 5), each in a fresh connection; comparisons are interleaved round
# by round so drift on a busy machine hits both sides alike.
# Writes bench/RESULTS.md and bench/results.csv.
#
# BENCH_QUICK=1: smaller data and fewer repetitions, for development (about
# 3 minutes instead of about 10).  AUTH_KEEP=1 keeps the cluster afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

QUICK=${BENCH_QUICK:-}
if [ -n "$QUICK" ]; then
  R=${BENCH_REPEATS:-3}; RAW_T=0.03; MIN_MS=100; SIGN_N=5000; FLOOR_N=200000; REPEAT_N=20000
  HSX_N=5000; ASYM_N=1000; RSA_SIGN_N=200; PW_N=4
  TASKS=100000; USERS=1000; PGB_T=2; REQ_N=2000; MEM_N=100000; K_USERS=20; SIGNIN_USERS=8; SIGNIN_T=4; SIGNIN_N=30
else
  R=${BENCH_REPEATS:-5}; RAW_T=0.1; MIN_MS=400; SIGN_N=10000; FLOOR_N=1000000; REPEAT_N=100000
  HSX_N=100000; ASYM_N=20000; RSA_SIGN_N=500; PW_N=20
  TASKS=1000000; USERS=10000; PGB_T=4; REQ_N=10000; MEM_N=1000000; K_USERS=20; SIGNIN_USERS=8; SIGNIN_T=6; SIGNIN_N=200
fi
SECRET='bench-secret-0123456789abcdef-0123456789abcdef'
PW='correct horse battery staple'

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
q() { psql -qAtX -v ON_ERROR_STOP=1 -d bench "$@"; }
have() { [ "$(q -c "select to_regprocedure('$1') is not null")" = t ]; }
SKIPPED=()
skip() { SKIPPED+=("$1"); log "skipped: $1"; }

# fig FIGURE UNIT N WHAT: declares a figure
fig() {
  q -v f="$1" -v u="$2" -v n="$3" -v w="$4" >/dev/null <<'SQL'
INSERT INTO bench.figures (figure, unit, n, what) VALUES (:'f', :'u', NULLIF(:'n', '')::bigint, :'w')
ON CONFLICT (figure) DO UPDATE SET unit = excluded.unit, n = excluded.n, what = excluded.what;
SQL
}
sample() { q -c "INSERT INTO bench.samples (figure, run, value) VALUES ('$1', $2, $3)"; }

# ---- per-call cost in SQL: queue with add_sql, then run_sql interleaves ----
# add_sql FIGURE N WHAT QUERY [PRELUDE] [WARM=true] [CLOCK=cpu]
G_F=(); G_N=(); G_Q=(); G_P=(); G_W=(); G_C=()
add_sql() {
  fig "$1" us "$2" "$3"
  G_F+=("$1"); G_N+=("$2"); G_Q+=("$4"); G_P+=("${5:-}"); G_W+=("${6:-true}"); G_C+=("${7:-cpu}")
}
# raw_round PREFIXES RUN: one repetition of the raw C operations (rawcrypto
# -o PREFIXES) on the signing input of $AUTH_WORK/token.txt; recorded when RUN > 0
raw_round() {
  bench/build/rawcrypto -r 1 -t "$RAW_T" -o "$1" -i "$AUTH_WORK/token.txt" >"$AUTH_WORK/raw.txt" \
    || { log "rawcrypto failed"; return; }
  sed -n 's/^# rawcrypto: //p' "$AUTH_WORK/raw.txt" >"$AUTH_WORK/raw_input.txt"
  while read -r tag op a b; do
    [ "$tag" = desc ] && fig "raw.$op" us "" "raw C loop: $a $b"
    [ "$tag" = raw ] && [ "$2" -gt 0 ] && awk -v f="raw.$op" -v r="$2" -v i="$a" -v n="$b" \
      'BEGIN { printf "%s\t%s\t%.6f\n", f, r, n / i / 1000 }'
  done <"$AUTH_WORK/raw.txt" | q -c "\copy bench.samples (figure, run, value) FROM STDIN"
}
# run_sql [RAW_PREFIXES]: runs the queued figures, round by round; with
# RAW_PREFIXES, each round also runs those raw C operations (interleaved)
run_sql() {
  local r i
  for r in $(seq 0 "$R"); do
    [ -n "${1:-}" ] && raw_round "$1" "$r"
    for i in "${!G_F[@]}"; do
      q -v f="${G_F[$i]}" -v r="$r" -v n="${G_N[$i]}" -v qq="${G_Q[$i]}" \
        -v p="${G_P[$i]}" -v w="${G_W[$i]}" -v c="${G_C[$i]}" -v ms="$MIN_MS" >/dev/null <<'SQL' || log "FAILED: ${G_F[$i]}"
SELECT bench.time_sql(:'f', :r, :n, :'qq', NULLIF(:'p', ''), :'w'::boolean, :'c', :ms);
SQL
    done
  done
  G_F=(); G_N=(); G_Q=(); G_P=(); G_W=(); G_C=()
}

# ---- pgbench: queue with add_pgb, then run_pgb interleaves ----
# add_pgb FIGURE CLIENTS ROLE SCRIPT_PREFIX WHAT   (scripts $PGB/PREFIX_*.sql, equal weights)
B_F=(); B_C=(); B_U=(); B_S=()
add_pgb() {
  fig "$1" tps "" "$5"
  fig "cpu.$1" us/tx "" "CPU (server + pgbench) per transaction of $1"
  B_F+=("$1"); B_C+=("$2"); B_U+=("$3"); B_S+=("$4")
}
# CPU ticks (1/100 s) of the postmaster and its reaped children: every
# backend's CPU lands here when it exits (pgbench disconnects at the end)
pm_cpu() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$PMPID/stat"; }
# pgb_once CLIENTS ROLE PREFIX SECONDS -> "tps cpu_us_per_tx"
# cpu: server backends + pgbench itself, per transaction; what a busy machine
# inflates least (on a dedicated machine, throughput at saturation ~ 1/cpu)
pgb_once() {
  local args=() f c0 c1 tps tx cl
  for f in "$PGB/$3"_*.sql; do args+=(-f "$f@1"); done
  c0=$(pm_cpu)
  echo "0 0" >"$PGB/time.txt"
  "${TIMECMD[@]}" pgbench -n -M prepared -c "$1" -j "$1" -T "$4" -U "$2" "${args[@]}" "${PGB_EXTRA[@]}" bench >"$PGB/out.txt" 2>"$PGB/err.log"
  sleep 0.5
  c1=$(pm_cpu)
  tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$PGB/out.txt")
  tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$PGB/out.txt")
  [ -n "$tps" ] && [ -n "$tx" ] && [ "$tx" -gt 0 ] || return 0
  cl=$(awk '{ print ($1 + $2) * 100 }' "$PGB/time.txt")
  echo "$tps $(awk -v a="$c0" -v b="$c1" -v c="$cl" -v t="$tx" 'BEGIN { printf "%.3f", (b - a + c) * 10000 / t }')"
}
run_pgb() {
  local r i res
  for r in $(seq 0 "$R"); do
    for i in "${!B_F[@]}"; do
      if [ "$r" = 0 ]; then res=$(pgb_once "${B_C[$i]}" "${B_U[$i]}" "${B_S[$i]}" 1)
      else res=$(pgb_once "${B_C[$i]}" "${B_U[$i]}" "${B_S[$i]}" "$PGB_T"); fi
      if [ -z "$res" ]; then log "FAILED: ${B_F[$i]}"; cat "$PGB/err.log" >&2; continue; fi
      if [ "$r" -gt 0 ]; then
        sample "${B_F[$i]}" "$r" "${res% *}"
        sample "cpu.${B_F[$i]}" "$r" "${res#* }"
      fi
    done
  done
  B_F=(); B_C=(); B_U=(); B_S=()
}

# ======================================================================
bash scripts/deps.sh || exit 1
make -s >/dev/null || { echo "build failed"; exit 1; }
mkdir -p bench/build
cc -O2 -Wall -Wextra -o bench/build/rawcrypto bench/rawcrypto.c -lcrypto -largon2 || exit 1

auth_workdir
auth_install || exit 1
auth_start bench "shared_buffers = 256MB
work_mem = 16MB
max_wal_size = 4GB
checkpoint_timeout = 30min
synchronous_commit = off
jit = off
max_parallel_workers_per_gather = 0
log_min_messages = warning" || exit 1
PGB=$AUTH_WORK/pgb
mkdir -p "$PGB"
PMPID=$(head -1 "$AUTH_WORK/bench/data/postmaster.pid")
# GNU time measures pgbench's own CPU; without it the CPU figures count the server only
PGB_EXTRA=()   # extra pgbench arguments of the next pgb_once (e.g. -D for a refresh chain)
TIMECMD=(); [ -x /usr/bin/time ] && TIMECMD=(/usr/bin/time -f '%U %S' -o "$PGB/time.txt")
STARTED=$(date -u +%s)

psql -qX -c "CREATE DATABASE bench" >/dev/null || exit 1
q -c "CREATE EXTENSION auth_ext" >/dev/null || exit 1
q -c "SET client_min_messages = warning" -f bench/setup.sql >/dev/null || exit 1
q -c "SET client_min_messages = warning" -f bench/plain_sql_jwt.sql >/dev/null || exit 1

info() { q -v k="$1" -v v="$2" >/dev/null <<'SQL'
INSERT INTO bench.info (key, value) VALUES (:'k', :'v');
SQL
}
info "date" "$(date -u '+%Y-%m-%d %H:%M UTC')"
info "mode" "$([ -n "$QUICK" ] && echo "quick (BENCH_QUICK=1)" || echo full), $R timed repetitions per figure after one warm-up"
info "machine" "$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
info "load average at start" "$(cut -d' ' -f1-3 /proc/loadavg)"
info "PostgreSQL" "$(q -c 'select version()')"
info "OpenSSL" "$(openssl version)"
info "libargon2" "$(dpkg-query -W -f '${Package} ${Version}' libargon2-1 2>/dev/null || echo unknown)"
info "code" "$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)') on branch $(git rev-parse --abbrev-ref HEAD 2>/dev/null)"
info "server settings" "shared_buffers 256MB, fsync off, synchronous_commit off, jit off, max_parallel_workers_per_gather 0 (per-call costs are single-backend figures)"

# ---- data every figure shares ----
log "claims and HS256 tokens (plain SQL, explicit secret)"
q -v s="$SECRET" -v n="$HSX_N" >/dev/null <<'SQL' || exit 1
CREATE TABLE bench.claims AS
    SELECT k AS n, bench.claims(k) AS c,
           bench.claims(k) || jsonb_build_object('iat', extract(epoch FROM now())::bigint,
                                                 'exp', extract(epoch FROM now())::bigint + 604800,
                                                 'jti', encode(gen_random_bytes(16), 'hex')) AS cfull
      FROM generate_series(0, :n) k;
CREATE TABLE bench.tok_hs256x AS
    SELECT n, plainjwt.sign_hs256(cfull, :'s') AS tok FROM bench.claims;
ALTER TABLE bench.tok_hs256x ADD COLUMN payload text;
UPDATE bench.tok_hs256x SET payload = bench.payload_of(tok);
VACUUM ANALYZE bench.claims, bench.tok_hs256x;
SQL

# ---- SQL floor ----
log "floors"
add_sql floor.gs_count "$FLOOR_N" "SQL floor: count(i) over generate_series, no function call per row" \
  "SELECT count(i) FROM generate_series(1, $FLOOR_N) i"
add_sql floor.gs_abs "$FLOOR_N" "SQL floor: count(abs(i)) over generate_series, one built-in C function call per row" \
  "SELECT count(abs(i)) FROM generate_series(1, $FLOOR_N) i"
# over_tokens FIGURE WHAT EXPR [WARM]: per-row cost of EXPR over the plain-SQL HS256 token table
over_tokens() { add_sql "$1" "$HSX_N" "$2" "SELECT count($3) FROM bench.tok_hs256x WHERE n > 0" "" "${4:-true}"; }
over_tokens floor.tbl_scan "SQL floor: count(tok) over the $HSX_N-token table (scan, no call)" tok
over_tokens floor.tbl_octet_length "SQL floor: count(octet_length(tok)) over the token table (scan + one C call)" "octet_length(tok)"
over_tokens parts.jsonb_parse "payload text -> jsonb (jsonb_in) over the token table's decoded payloads (scan + parse)" "payload::jsonb"
if have 'auth.user_id()'; then
  add_sql identity.user_id_anon "$FLOOR_N" "auth.user_id() per row when anonymous, over generate_series" \
    "SELECT count(auth.user_id()) FROM generate_series(1, $FLOOR_N) i"
else skip "auth.user_id() (identity area)"; fi

# ---- HS256 with an explicit secret: auth_ext vs plain SQL on the same tokens ----
log "HS256 explicit secret: plain SQL vs jwt_decode / jwt_encode, with raw HMAC and base64url"
over_tokens plain.verify_hs256 "plain SQL: plainjwt.verify_hs256(tok, secret) (PL/pgSQL + pgcrypto hmac), distinct tokens" \
  "plainjwt.verify_hs256(tok, '$SECRET')"
add_sql plain.sign_hs256 "$SIGN_N" "plain SQL: plainjwt.sign_hs256(claims, secret) (SQL + pgcrypto hmac)" \
  "SELECT count(plainjwt.sign_hs256(cfull, '$SECRET')) FROM bench.claims WHERE n > 0 AND n <= $SIGN_N"
if have 'auth.jwt_decode(text,text,text[])'; then
  # as verify_first below: one untimed call whose scan maps the table's pages
  # into the backend (and parses the key), then one timed pass
  add_sql decode.hs256 "$HSX_N" "auth.jwt_decode(tok, secret) HS256, the same distinct tokens, first time seen by the backend (after one call whose scan touched the table)" \
    "SELECT count(auth.jwt_decode(tok, '$SECRET')) FROM bench.tok_hs256x WHERE n > 0" \
    "SELECT auth.jwt_decode(tok, '$SECRET') FROM bench.tok_hs256x WHERE n = 0" false
  add_sql verify_cold.decode 1 "the first auth.jwt_decode(tok, secret) HS256 of a new backend (library already loaded; no keyring involved)" \
    "SELECT auth.jwt_decode('$(q -c "SELECT tok FROM bench.tok_hs256x WHERE n = 1")', '$SECRET')" "SELECT auth.user_id()" false wall
else skip "auth.jwt_decode (tokens area)"; fi
if have 'auth.jws_verify(text,text,text[])'; then
  over_tokens jws.hs256 "auth.jws_verify(tok, secret, '{HS256}'): the signature check alone, payload returned as bytea (no claims parse)" \
    "auth.jws_verify(tok, '$SECRET', '{HS256}')"
fi
if have 'auth.jwt_decode_unverified(text)'; then
  over_tokens unverified.hs256 "auth.jwt_decode_unverified(tok): split, base64url and parse header and payload, no signature" \
    "auth.jwt_decode_unverified(tok)"
fi
if have 'auth.jwt_encode(jsonb,text,text,jsonb)'; then
  add_sql encode.hs256 "$SIGN_N" "auth.jwt_encode(claims, secret, 'HS256'), the same claims" \
    "SELECT count(auth.jwt_encode(cfull, '$SECRET', 'HS256')) FROM bench.claims WHERE n > 0 AND n <= $SIGN_N"
else skip "auth.jwt_encode (tokens area)"; fi
q -c "SELECT tok FROM bench.tok_hs256x WHERE n = 1" >"$AUTH_WORK/token.txt"
run_sql "b64url,hs"
info "raw input, HMAC and base64url" "$(cat "$AUTH_WORK/raw_input.txt" 2>/dev/null) (the plain-SQL HS256 token)"

# ---- keyring: jwt_sign / jwt_verify per algorithm ----
ALGS="HS256 ES256 RS256 PS256 EdDSA"   # EdDSA last: it signs the users' tokens below
KEYRING=
if have 'auth.create_key(text)' && have 'auth.jwt_sign(jsonb)' && have 'auth.jwt_verify(text)'; then
  KEYRING=1
  for alg in $ALGS; do
    a=${alg,,}
    case $alg in RS*|PS*) sn=$RSA_SIGN_N; vn=$ASYM_N ;; HS*) sn=$SIGN_N; vn=$HSX_N ;; *) sn=$ASYM_N; vn=$ASYM_N ;; esac
    log "keyring $alg: sign $sn, verify $vn"
    q -c "SELECT auth.create_key('$alg')" >/dev/null || { log "create_key($alg) failed"; continue; }
    add_sql "sign.$a" "$sn" "auth.jwt_sign(claims) with the keyring's $alg key (adds iat, exp, jti)" \
      "SELECT count(auth.jwt_sign(c)) FROM bench.claims WHERE n > 0 AND n <= $sn"
    run_sql
    q >/dev/null <<SQL || { log "token table for $alg failed"; continue; }
CREATE TABLE bench.tok_$a AS SELECT n, auth.jwt_sign(c) AS tok FROM bench.claims WHERE n <= $vn;
VACUUM ANALYZE bench.tok_$a;
SQL
  done
  # the token shaped like a sign-in token, as the raw C benchmark's input
  q -c "SELECT tok FROM bench.tok_eddsa WHERE n = 1" >"$AUTH_WORK/token.txt"
  log "jwt_verify: first-seen and repeated, interleaved"
  for alg in $ALGS; do
    a=${alg,,}
    case $alg in HS*) vn=$HSX_N ;; *) vn=$ASYM_N ;; esac
    tok=$(q -c "SELECT tok FROM bench.tok_$a WHERE n = 0")
    add_sql "verify_first.$a" "$vn" "auth.jwt_verify(tok) $alg, $vn distinct tokens each seen for the first time by the backend (keys already loaded)" \
      "SELECT count(auth.jwt_verify(tok)) FROM bench.tok_$a WHERE n > 0" \
      "SELECT auth.jwt_verify(tok) FROM bench.tok_$a WHERE n = 0" false
    add_sql "verify_repeat.$a" "$REPEAT_N" "auth.jwt_verify(tok) $alg, the same token again and again (verified-token cache)" \
      "SELECT count(auth.jwt_verify('$tok')) FROM generate_series(1, $REPEAT_N) i"
  done
  # a pooled server connection sees the tokens of many users in turn
  for k in 20 1000; do
    m=$([ "$k" = 20 ] && echo "$REPEAT_N" || echo $((REPEAT_N / 10)))
    add_sql "verify_pool$k.eddsa" "$m" "auth.jwt_verify(tok) EdDSA, $k tokens in rotation, all verified before by this backend (a pooled connection serving $k users)" \
      "SELECT count(auth.jwt_verify(t[1 + i % $k])) FROM (SELECT array_agg(tok ORDER BY n) t FROM bench.tok_eddsa WHERE n BETWEEN 1 AND $k) s, generate_series(0, $((m - 1))) i"
  done
  for alg in EdDSA RS256; do
    a=${alg,,}
    add_sql "verify_cold.$a" 1 "the first auth.jwt_verify($alg) of a new backend: loads the keyring and parses its keys (library already loaded)" \
      "SELECT auth.jwt_verify('$(q -c "SELECT tok FROM bench.tok_$a WHERE n = 1")')" "SELECT auth.user_id()" false wall
  done
  # a token of another provider (issue 15): the keyring's RS256 key trusted as
  # the public key of issuer https://issuer.bench.example, tokens signed with it
  # through jwt_encode, so jwt_verify takes the trusted-issuer path (its keys,
  # audience and claim mapping) at the cost of the same RSA verification
  if have 'auth.trust_issuer(text,jsonb,text[],jsonb)'; then
    q >/dev/null <<'SQL' || log "trusted issuer tokens failed"
SELECT auth.trust_issuer('https://issuer.bench.example', jsonb_build_object('keys', jsonb_agg(k)),
                         '{bench}', '{"role_claim": "app_metadata.role", "default_role": "authenticated"}')
  FROM jsonb_array_elements(auth.jwks()->'keys') k WHERE k->>'alg' = 'RS256';
CREATE TABLE bench.tok_ext_rs256 AS
    SELECT c.n, auth.jwt_encode(c.cfull || '{"iss": "https://issuer.bench.example", "aud": "bench"}',
                                convert_from(k.private_key, 'UTF8'), 'RS256', jsonb_build_object('kid', k.kid)) AS tok
      FROM bench.claims c, auth.keys k
     WHERE k.algorithm = 'RS256' AND c.n <= (SELECT count(*) FROM bench.tok_rs256) - 1;
VACUUM ANALYZE bench.tok_ext_rs256;
SQL
    tok=$(q -c "SELECT tok FROM bench.tok_ext_rs256 WHERE n = 0")
    add_sql verify_first.ext_rs256 "$ASYM_N" "auth.jwt_verify(tok) RS256 of a trusted issuer (another provider's token: its keys, aud, role mapping), $ASYM_N distinct tokens each seen for the first time" \
      "SELECT count(auth.jwt_verify(tok)) FROM bench.tok_ext_rs256 WHERE n > 0" \
      "SELECT auth.jwt_verify(tok) FROM bench.tok_ext_rs256 WHERE n = 0" false
    add_sql verify_repeat.ext_rs256 "$REPEAT_N" "auth.jwt_verify(tok) RS256 of a trusted issuer, the same token again and again (verified-token cache)" \
      "SELECT count(auth.jwt_verify('$tok')) FROM generate_series(1, $REPEAT_N) i"
  else skip "trusted issuers (auth.trust_issuer)"; fi
  add_sql floor.tbl_scan_asym "$ASYM_N" "SQL floor: count(tok) over a $ASYM_N-token table (scan, no call)" \
    "SELECT count(tok) FROM bench.tok_eddsa WHERE n > 0"
  if have 'auth.user_id()'; then
    add_sql identity.user_id_auth "$FLOOR_N" "auth.user_id() per row after jwt_verify in the same transaction" \
      "SELECT count(auth.user_id()) FROM generate_series(1, $FLOOR_N) i" \
      "SELECT auth.jwt_verify(tok) FROM bench.tok_eddsa WHERE n = 1"
  fi
  run_sql "eddsa,es256,rs256,ps256"
else
  skip "keyring: auth.create_key/jwt_sign/jwt_verify (tokens area)"
  run_sql "eddsa,es256,rs256,ps256"
fi
info "raw input, signatures" "$(cat "$AUTH_WORK/raw_input.txt" 2>/dev/null) ($([ -n "$KEYRING" ] && echo "a keyring EdDSA token, the shape of a sign-in token" || echo "the plain-SQL HS256 token"))"

# ---- passwords at the default parameters ----
if have 'auth.hash_password(text)' && have 'auth.verify_password(text,text)'; then
  log "passwords"
  q -c "CREATE TABLE bench.pw AS SELECT auth.hash_password('$PW') AS h" >/dev/null
  add_sql pw.hash_default "$PW_N" "auth.hash_password(pw) at the default parameters (Argon2id m=19456 t=2 p=1)" \
    "SELECT count(auth.hash_password('$PW')) FROM generate_series(1, $PW_N) i"
  add_sql pw.verify_default "$PW_N" "auth.verify_password(pw, hash) of an Argon2id hash at the default parameters" \
    "SELECT count(*) FILTER (WHERE auth.verify_password('$PW', h)) FROM generate_series(1, $PW_N) i, bench.pw"
  run_sql argon2id
else
  skip "auth.hash_password/verify_password (passwords area)"
  run_sql argon2id
fi

# ---- RLS list query and the end-to-end request ----
if [ -n "$KEYRING" ] && have 'auth.enable_user_isolation(regclass,name)'; then
  log "tasks: $TASKS over $USERS users"
  q -v t="$TASKS" -v u="$USERS" -v k="$K_USERS" >/dev/null <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE TABLE bench.tasks (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     uuid NOT NULL,
    title       text NOT NULL,
    description text,
    completed   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO bench.tasks (user_id, title, description, completed, created_at, updated_at)
    SELECT bench.uid(1 + i % :u), 'Task number ' || i,
           CASE WHEN i % 3 = 0 THEN 'Some longer description of task number ' || i END,
           i % 5 = 0, now() - i * interval '1 minute', now() - i * interval '1 minute'
      FROM generate_series(1, :t) i;
CREATE INDEX tasks_user_created ON bench.tasks (user_id, created_at DESC);
CREATE TABLE bench.tasks_claims (LIKE bench.tasks INCLUDING ALL);
INSERT INTO bench.tasks_claims OVERRIDING SYSTEM VALUE SELECT * FROM bench.tasks;
VACUUM ANALYZE bench.tasks, bench.tasks_claims;
SELECT auth.enable_user_isolation('bench.tasks');
SELECT plainjwt.enable_claims_isolation('bench.tasks_claims');
CREATE ROLE t60_app LOGIN;
CREATE ROLE t60_bypass LOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA bench TO t60_app, t60_bypass;
GRANT SELECT ON bench.tasks, bench.tasks_claims TO t60_app, t60_bypass;
CREATE TABLE bench.users AS
    SELECT k AS n, bench.uid(k) AS uid, auth.jwt_sign(bench.claims(k)) AS tok
      FROM generate_series(1, :k) k;
GRANT SELECT ON bench.users TO t60_app;
SQL
  info "RLS data" "bench.tasks: $TASKS tasks over $USERS users ($((TASKS / USERS)) each), index (user_id, created_at DESC), same shape as todo.tasks; policies from auth.enable_user_isolation('bench.tasks'); bench.tasks_claims: identical copy with current_setting('request.jwt.claims') policies"
  LIST="SELECT id, title, completed, created_at FROM"
  ORDER="ORDER BY created_at DESC LIMIT 20"
  # sanity: RLS shows user 1 exactly its 20 newest, nothing when anonymous
  ok=$(psql -qAtX -U t60_app -d bench <<SQL
BEGIN;
SELECT count(*) FROM bench.tasks;
SELECT auth.jwt_verify(tok) IS NOT NULL AS verified FROM bench.users WHERE n = 1 \gset
SELECT count(*) FILTER (WHERE user_id = bench.uid(1)) || '/' || count(*) FROM (SELECT * FROM bench.tasks $ORDER) s;
COMMIT;
SQL
)
  log "RLS sanity (anonymous rows, then user 1's rows/all rows seen): $(echo $ok)"
  [ "$(echo $ok)" = "0 20/20" ] || log "WARNING: RLS sanity check failed; figures below are suspect"
  while IFS='|' read -r n uid tok; do
    claims=$(q -c "SELECT bench.payload_of(tok) FROM bench.users WHERE n = $n")
    printf 'BEGIN;\nSELECT auth.jwt_verify(%s) IS NOT NULL;\n%s bench.tasks %s;\nCOMMIT;\n' \
      "'$tok'" "$LIST" "$ORDER" >"$PGB/rlsauth_$n.sql"
    printf 'BEGIN;\nSELECT auth.jwt_verify(%s) IS NOT NULL;\n%s bench.tasks WHERE user_id = %s %s;\nCOMMIT;\n' \
      "'$tok'" "$LIST" "'$uid'" "$ORDER" >"$PGB/rlshand_$n.sql"
    printf "BEGIN;\nSELECT set_config('request.jwt.claims', %s, true);\n%s bench.tasks_claims %s;\nCOMMIT;\n" \
      "'$claims'" "$LIST" "$ORDER" >"$PGB/rlsclaims_$n.sql"
    printf "BEGIN READ ONLY;\nSELECT set_config('request.headers', %s, true);\nSELECT auth.pre_request();\n%s bench.tasks %s;\nCOMMIT;\n" \
      "'{\"authorization\": \"Bearer $tok\"}'" "$LIST" "$ORDER" >"$PGB/e2eauth_$n.sql"
    printf "BEGIN READ ONLY;\nSELECT set_config('request.headers', %s, true), auth.pre_request();\n%s bench.tasks %s;\nCOMMIT;\n" \
      "'{\"authorization\": \"Bearer $tok\"}'" "$LIST" "$ORDER" >"$PGB/e2eauth1_$n.sql"
    printf "BEGIN READ ONLY;\nSELECT set_config('request.headers', %s, true);\n%s bench.tasks %s;\nCOMMIT;\n" \
      "'{\"authorization\": \"Bearer $tok\"}'" "$LIST" "$ORDER" >"$PGB/e2elazy_$n.sql"
    printf "BEGIN READ ONLY;\nSELECT set_config('request.headers', %s, true);\n%s bench.tasks WHERE user_id = %s %s;\nCOMMIT;\n" \
      "'{\"accept\": \"application/json\"}'" "$LIST" "'$uid'" "$ORDER" >"$PGB/e2enoauth_$n.sql"
    printf "BEGIN READ ONLY;\nSELECT set_config('request.headers', %s, true);\nSELECT 1;\n%s bench.tasks WHERE user_id = %s %s;\nCOMMIT;\n" \
      "'{\"accept\": \"application/json\"}'" "$LIST" "'$uid'" "$ORDER" >"$PGB/e2enoauthx_$n.sql"
  done < <(q -F '|' -c "SELECT n, uid, tok FROM bench.users ORDER BY n")

  log "pgbench: RLS list query"
  add_pgb rls.auth 1 t60_app rlsauth "tx/s, 1 client: BEGIN; jwt_verify(token); 20 newest tasks through auth.enable_user_isolation policies; COMMIT"
  add_pgb rls.hand 1 t60_bypass rlshand "tx/s, 1 client: the same with a hand-written WHERE user_id = '...' and RLS bypassed (BYPASSRLS role)"
  add_pgb rls.auth_c2 2 t60_app rlsauth "tx/s, 2 clients: as rls.auth (both cores busy: no idle wake-ups between statements)"
  add_pgb rls.hand_c2 2 t60_bypass rlshand "tx/s, 2 clients: as rls.hand"
  add_pgb rls.claims 1 t60_app rlsclaims "tx/s, 1 client: BEGIN; set_config('request.jwt.claims'); 20 newest through current_setting() policies (PostgREST/Supabase way, token verified outside); COMMIT"
  run_pgb
  if have 'auth.pre_request()'; then
    log "pgbench: end-to-end request"
    # identity.from_request on: the e2e.lazy request has no pre_request statement
    # (the other figures set the identity themselves, which it never overrides)
    q -c "SELECT auth.configure('identity.from_request', 'on')" >/dev/null
    ok=$(psql -qAtX -U t60_app -d bench <<SQL
BEGIN READ ONLY;
SELECT set_config('request.headers', json_build_object('authorization', 'Bearer ' || tok)::text, true) IS NOT NULL AS h
  FROM bench.users WHERE n = 1 \\gset
SELECT count(*) FILTER (WHERE user_id = bench.uid(1)) || '/' || count(*) FROM (SELECT * FROM bench.tasks $ORDER) s;
COMMIT;
SQL
)
    log "from_request sanity (user 1's rows/all rows seen with only request.headers set): $ok"
    [ "$ok" = "20/20" ] || log "WARNING: from_request sanity check failed; e2e.lazy figures are suspect"
    for c in 1 2; do
      add_pgb "e2e.lazy_c$c" "$c" t60_app e2elazy "tx/s, $c client(s): BEGIN; set_config('request.headers', bearer token); 20 newest tasks through RLS, whose reader verifies the token (identity.from_request on, no pre_request statement); COMMIT"
      add_pgb "e2e.auth_c$c" "$c" t60_app e2eauth "tx/s, $c client(s): BEGIN; set_config('request.headers', bearer token); auth.pre_request(); 20 newest tasks through RLS; COMMIT"
      add_pgb "e2e.noauth_c$c" "$c" t60_bypass e2enoauth "tx/s, $c client(s): BEGIN; set_config('request.headers', no token); 20 newest tasks WHERE user_id = '...', no RLS; COMMIT"
      add_pgb "e2e.noauthx_c$c" "$c" t60_bypass e2enoauthx "tx/s, $c client(s): as e2e.noauth with a trivial SELECT 1 statement where e2e.auth has SELECT auth.pre_request() (as many round trips as e2e.auth)"
      add_pgb "e2e.auth1_c$c" "$c" t60_app e2eauth1 "tx/s, $c client(s): as e2e.auth but set_config and auth.pre_request() in one statement (as many round trips as e2e.noauth)"
    done
    run_pgb
    log "server work per request (procedure loop, one transaction per request)"
    fig req.auth us "$REQ_N" "server CPU per GET /tasks request in a loop of transactions: set_config(request.headers, bearer); pre_request(); 20 newest through RLS; COMMIT ($K_USERS users in rotation)"
    fig req.lazy us "$REQ_N" "the same with identity.from_request on and no pre_request(): set_config(request.headers, bearer); 20 newest through RLS; COMMIT"
    fig req.noauth us "$REQ_N" "the same without authentication: set_config(request.headers); 20 newest WHERE user_id = ...; COMMIT, BYPASSRLS role"
    fig req.rls us "$REQ_N" "server CPU per RLS list query in a loop of transactions: jwt_verify(token); 20 newest through RLS; COMMIT"
    fig req.hand us "$REQ_N" "the same with a hand-written WHERE user_id = ... by the BYPASSRLS role"
    q -c "GRANT SELECT ON bench.users TO t60_bypass" >/dev/null
    for r in $(seq 0 "$R"); do
      for kind in auth lazy noauth rls hand; do
        role=$([ $kind = noauth ] || [ $kind = hand ] && echo t60_bypass || echo t60_app)
        res=$(psql -qAtX -F ' ' -U "$role" -d bench -c "CALL bench.request_loop('$kind', $REQ_N)") \
          || { log "FAILED: request loop $kind"; continue; }
        [ "$r" -gt 0 ] && q -c "INSERT INTO bench.samples VALUES ('req.$kind', $r, ${res% *}, ${res#* })"
      done
    done
  else skip "auth.pre_request() (identity area): end-to-end request"; fi
else skip "RLS and end-to-end figures (need keyring + auth.enable_user_isolation)"; fi

# ---- sign-ins per second, and sign-in timing by kind of failure ----
if have 'auth.signup(text,text,text)' && have 'auth.signin(text,text)'; then
  log "sign-ins"
  for k in $(seq 1 "$SIGNIN_USERS"); do
    q -c "SELECT auth.signup('bench$k@example.com', '$PW $k', 'Bench User $k')" >/dev/null 2>&1
    printf "SELECT auth.signin('bench%s@example.com', '%s %s');\n" "$k" "$PW" "$k" >"$PGB/signin_$k.sql"
  done
  if [ "$(q -c "SELECT auth.signin('bench1@example.com', '$PW 1') ? 'token'")" = t ]; then
    fig signin.c2 tps "" "sign-ins per second, 2 clients, right password, default Argon2id parameters (auth.signin, token minted)"
    fig cpu.signin.c2 us/tx "" "CPU (server + pgbench) per sign-in"
    for r in $(seq 0 "$R"); do
      res=$(pgb_once 2 postgres signin $([ "$r" = 0 ] && echo 1 || echo "$SIGNIN_T"))
      [ -z "$res" ] && { log "FAILED: signin"; cat "$PGB/err.log" >&2; break; }
      [ "$r" -gt 0 ] && { sample signin.c2 "$r" "${res% *}"; sample cpu.signin.c2 "$r" "${res#* }"; }
    done
    # Refreshes: one client rotating one chain, each transaction presenting
    # the refresh token the previous one returned (\gset); a fresh session
    # per run, signed in outside the timed span.
    if have 'auth.refresh(text)'; then
      log "refreshes"
      echo "SELECT auth.refresh(:rt) ->> 'refresh_token' AS rt \gset" >"$PGB/refresh_1.sql"
      fig refresh.c1 tps "" "refreshes per second, 1 client, each rotating the refresh token the previous one returned (auth.refresh, access token minted)"
      fig cpu.refresh.c1 us/tx "" "CPU (server + pgbench) per refresh"
      for r in $(seq 0 "$R"); do
        PGB_EXTRA=(-D "rt=$(q -c "SELECT auth.signin('bench1@example.com', '$PW 1') ->> 'refresh_token'")")
        res=$(pgb_once 1 postgres refresh $([ "$r" = 0 ] && echo 1 || echo "$SIGNIN_T"))
        PGB_EXTRA=()
        [ -z "$res" ] && { log "FAILED: refresh"; cat "$PGB/err.log" >&2; break; }
        [ "$r" -gt 0 ] && { sample refresh.c1 "$r" "${res% *}"; sample cpu.refresh.c1 "$r" "${res#* }"; }
      done
    else skip "auth.refresh() (sessions): refreshes per second"; fi
    log "sign-in timing: unknown / locked / wrong, $SIGNIN_N each, interleaved"
    fig signin_time.unknown ms 1 "one sign-in for an email no account has (each call is a sample)"
    fig signin_time.locked ms 1 "one sign-in with the right password of a locked account"
    fig signin_time.wrong ms 1 "one sign-in with a wrong password for an existing account"
    q -f bench/signin_timing.sql >/dev/null
    q >/dev/null <<SQL || log "FAILED: sign-in timing"
SELECT auth.configure('accounts.lockout_base_seconds', '86400');
SELECT auth.signup('bench_locked@example.com', '$PW', 'Bench Locked');
SELECT auth.signup('bench_wrong@example.com', '$PW', 'Bench Wrong');
SELECT auth.signin('bench_locked@example.com', 'not it') FROM generate_series(1, 10);
SELECT bench.signin_timing($SIGNIN_N, '$PW');
SQL
  else skip "sign-ins: auth.signin() does not return a token yet"; fi
else skip "auth.signup/signin (accounts area): sign-ins per second"; fi

# ---- memory after many distinct tokens ----
if [ -n "$KEYRING" ]; then
  log "memory: $MEM_N distinct HS256 tokens in one backend"
  q -c "SELECT auth.create_key('HS256')" >/dev/null
  step=$((MEM_N / 10))
  fig mem.rss_start MB "" "backend VmRSS before verifying (keys loaded, one token verified)"
  fig mem.anon_start MB "" "backend RssAnon (private memory) before verifying"
  fig mem.rss_end MB "$MEM_N" "backend VmRSS after verifying $MEM_N distinct tokens (includes touched shared buffers)"
  fig mem.anon_end MB "$MEM_N" "backend RssAnon (private memory) after verifying $MEM_N distinct tokens"
  fig mem.anon_half MB "$((MEM_N / 2))" "backend RssAnon after $((MEM_N / 2)) distinct tokens"
  {
    echo "SELECT auth.jwt_verify(auth.jwt_sign('{\"sub\":\"warm\"}')) \\g /dev/null"
    echo "SELECT 'start', bench.rss('VmRSS'), bench.rss('RssAnon');"
    for i in $(seq 1 10); do
      echo "SELECT count(auth.jwt_verify(auth.jwt_sign(jsonb_build_object('sub', i::text)))) FROM generate_series(1, $step) i \\g /dev/null"
      echo "SELECT '$((i * step))', bench.rss('VmRSS'), bench.rss('RssAnon');"
    done
  } >"$AUTH_WORK/mem.sql"
  q -c "CREATE FUNCTION bench.rss(field text) RETURNS float8 LANGUAGE sql AS \$\$ SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), field || ':\\s+(\\d+)'))[1]::float8 / 1024 \$\$" >/dev/null
  q -F ' ' -f "$AUTH_WORK/mem.sql" >"$AUTH_WORK/mem.txt" || log "FAILED: memory"
  cat "$AUTH_WORK/mem.txt" >&2
  while read -r at rss anon; do
    case $at in
      start) sample mem.rss_start 1 "$rss"; sample mem.anon_start 1 "$anon" ;;
      "$MEM_N") sample mem.rss_end 1 "$rss"; sample mem.anon_end 1 "$anon" ;;
      "$((MEM_N / 2))") sample mem.anon_half 1 "$anon" ;;
    esac
  done <"$AUTH_WORK/mem.txt"
  info "memory curve (tokens verified: VmRSS MB, RssAnon MB)" "$(awk '{ printf "%s%s: %.1f, %.1f", (NR > 1 ? "; " : ""), $1, $2, $3 }' "$AUTH_WORK/mem.txt")"
fi

# ---- ratios, then the report ----
log "ratios and report"
info "duration" "$(( $(date -u +%s) - STARTED )) s of measurement"
info "load average at end" "$(cut -d' ' -f1-3 /proc/loadavg)"
[ ${#SKIPPED[@]} -gt 0 ] && info "not measured (not implemented yet on this branch)" "$(IFS=';'; echo "${SKIPPED[*]}")"
q -f bench/ratios.sql >/dev/null || log "ratios failed"
q -f bench/report.sql >bench/RESULTS.md || log "report failed"
q -c "\copy (SELECT f.figure, f.unit, f.n, s.run, s.value, s.wall FROM bench.samples s JOIN bench.figures f USING (figure) ORDER BY f.ord, s.run) TO STDOUT WITH (FORMAT csv, HEADER)" >bench/results.csv
q -c "\copy (SELECT 'ratio:' || name, coalesce(target, 'info'), NULL, 0, value, NULL FROM bench.ratios ORDER BY ord) TO STDOUT WITH (FORMAT csv)" >>bench/results.csv
log "done: bench/RESULTS.md, bench/results.csv"
cat bench/RESULTS.md
