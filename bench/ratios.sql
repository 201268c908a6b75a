-- bench/ratios.sql: the ratios of issue 6, from the medians of figures
-- measured in the same run (bench.med()).  A ratio whose figures were not
-- measured is NULL ("n/a").  Run by scripts/bench.sh after all figures.
-- Per-call figures are raw (table scan and call included); every operand
-- of a formula is in the figures table, and nothing is subtracted silently.

-- HS256 against the sum of its unavoidable parts.  Numerator and denominator
-- each contain exactly one row scanned and one SQL function called per row:
-- the call under test, and jsonb_in in parts.jsonb_parse; so nothing is
-- subtracted.
SELECT bench.ratio('HS256 jwt_decode / unavoidable parts',
    'decode.hs256 / (raw.hs256_verify + raw.b64url_decode_payload + parts.jsonb_parse)',
    bench.med('decode.hs256')
    / (bench.med('raw.hs256_verify') + bench.med('raw.b64url_decode_payload') + bench.med('parts.jsonb_parse')),
    '<= 2',
    'verifying an HS256 token costs at most twice the HMAC + base64url + jsonb parse + one call it cannot avoid');
SELECT bench.ratio('HS256 jwt_verify (first seen) / unavoidable parts',
    'verify_first.hs256 / (raw.hs256_verify + raw.b64url_decode_payload + parts.jsonb_parse)',
    bench.med('verify_first.hs256')
    / (bench.med('raw.hs256_verify') + bench.med('raw.b64url_decode_payload') + bench.med('parts.jsonb_parse')),
    '<= 2',
    'the same for jwt_verify, which also checks revocation and sets the identity');

-- against the plain-SQL pgcrypto implementation, same tokens
SELECT bench.quotient('plain SQL verify / jwt_decode (HS256)', 'plain.verify_hs256', 'decode.hs256', '>= 4', 'how many times faster than doing HS256 in PL/pgSQL with pgcrypto');
SELECT bench.quotient('plain SQL verify / jwt_verify (HS256, first seen)', 'plain.verify_hs256', 'verify_first.hs256', '>= 4', 'the same for the keyring path (revocation check and identity included)');
SELECT bench.quotient('plain SQL sign / jwt_encode (HS256)', 'plain.sign_hs256', 'encode.hs256', NULL, 'signing, informative');

-- asymmetric first-seen verify against raw OpenSSL (the faster of the two raw ways)
SELECT bench.ratio(format('%s jwt_verify (first seen) / raw verify', upper(a)),
    format('verify_first.%s / min(raw.%s_verify, raw.%s_verify_reusectx)', a, a, a),
    bench.med('verify_first.' || a)
    / coalesce(least(bench.med('raw.' || a || '_verify'), bench.med('raw.' || a || '_verify_reusectx')),
               bench.med('raw.' || a || '_verify')),
    '<= 1.15', 'a token never seen before costs little more than the signature check itself')
  FROM unnest(ARRAY['es256', 'eddsa', 'rs256', 'ps256']) a;

-- the same against the raw verify plus the parts no first sight can skip
-- (base64url decode and jsonb parse of the payload, one call), informative
SELECT bench.ratio(format('%s jwt_verify (first seen) / (raw verify + payload parts)', upper(a)),
    format('verify_first.%s / (min(raw.%s_verify, raw.%s_verify_reusectx) + raw.b64url_decode_payload + parts.jsonb_parse)', a, a, a),
    bench.med('verify_first.' || a)
    / (coalesce(least(bench.med('raw.' || a || '_verify'), bench.med('raw.' || a || '_verify_reusectx')),
                bench.med('raw.' || a || '_verify'))
       + bench.med('raw.b64url_decode_payload') + bench.med('parts.jsonb_parse')),
    NULL, 'a first sight against the signature check plus decoding and parsing the claims it returns, informative')
  FROM unnest(ARRAY['es256', 'eddsa', 'rs256', 'ps256']) a;

-- repeated verification: absolute microseconds per call
SELECT bench.ratio(format('%s jwt_verify (repeated), us per call', upper(a)),
    format('verify_repeat.%s', a),
    bench.med('verify_repeat.' || a),
    '<= 5', 'a token this backend already verified (every request of a session) costs microseconds')
  FROM unnest(ARRAY['hs256', 'es256', 'eddsa', 'rs256', 'ps256']) a;

SELECT bench.ratio(format('EDDSA jwt_verify, %s tokens in rotation, us per call', k),
    format('verify_pool%s.eddsa', k),
    bench.med(format('verify_pool%s.eddsa', k)),
    '<= 5', format('every token was verified before by this backend: a pooled connection serving %s users', k))
  FROM unnest(ARRAY[20, 1000]) k;

-- signing, informative
SELECT bench.quotient(format('%s jwt_sign / raw sign', upper(a)), 'sign.' || a, 'raw.' || a || '_sign',
    NULL, 'signing, informative (jwt_sign also builds claims and a random jti)')
  FROM unnest(ARRAY['es256', 'eddsa', 'rs256', 'ps256']) a;

-- RLS and the end-to-end request (pgbench tx/s: time ratio = inverse tps ratio)
SELECT bench.quotient('RLS list query / hand-written query (time)', 'rls.hand', 'rls.auth', '<= 1.05', 'policies from enable_user_isolation cost no more than writing WHERE user_id = ... yourself');
SELECT bench.quotient('RLS list query / hand-written query (CPU per transaction)', 'cpu.rls.auth', 'cpu.rls.hand', '<= 1.05', 'the same, from CPU time (server + client) per transaction: robust on a shared machine');
SELECT bench.quotient('RLS list query / hand-written query (time), 2 clients', 'rls.hand_c2', 'rls.auth_c2', '<= 1.05', 'the same with both cores busy, where no idle wake-up between statements blurs the comparison');
SELECT bench.quotient('RLS list query / hand-written query (CPU per transaction), 2 clients', 'cpu.rls.auth_c2', 'cpu.rls.hand_c2', '<= 1.05', 'the same from CPU time per transaction');
SELECT bench.quotient('server work per RLS list query / hand-written query', 'req.rls', 'req.hand', NULL, 'the policies against WHERE user_id = ... in the server alone (procedure loop: no protocol, no client), informative');
SELECT bench.quotient('current_setting() policies / hand-written query (time)', 'rls.hand', 'rls.claims', NULL, 'the PostgREST/Supabase policy form, informative');
SELECT bench.quotient(format('end-to-end authenticated / unauthenticated throughput, %s client(s)', c),
    'e2e.lazy_c' || c, 'e2e.noauth_c' || c, '>= 0.9', 'what authentication inside the database costs a PostgREST-style request (identity.from_request on: the RLS query verifies the bearer token, no extra statement)')
  FROM unnest(ARRAY[1, 2]) c;
SELECT bench.quotient(format('end-to-end authenticated / unauthenticated, CPU-bound throughput, %s client(s)', c),
    'cpu.e2e.noauth_c' || c, 'cpu.e2e.lazy_c' || c, '>= 0.9', 'the same, from CPU time (server + client) per request: robust on a shared machine')
  FROM unnest(ARRAY[1, 2]) c;
SELECT bench.quotient(format('end-to-end with a pre_request statement / unauthenticated throughput, %s client(s)', c),
    'e2e.auth_c' || c, 'e2e.noauth_c' || c, NULL, 'the request shape of a frontend calling auth.pre_request() as a statement of its own (PostgREST db-pre-request): one more round trip than the unauthenticated request, informative')
  FROM unnest(ARRAY[1, 2]) c;
SELECT bench.quotient(format('end-to-end with a pre_request statement / unauthenticated, CPU, %s client(s)', c),
    'cpu.e2e.noauth_c' || c, 'cpu.e2e.auth_c' || c, NULL, 'the same from CPU per request, informative')
  FROM unnest(ARRAY[1, 2]) c;

SELECT bench.quotient(format('end-to-end with a pre_request statement / unauthenticated with SELECT 1 in its place, %s client(s)', c),
    'e2e.auth_c' || c, 'e2e.noauthx_c' || c, NULL,
    'the pre_request request shape against an unauthenticated request with as many round trips: what the authentication itself costs once the extra statement is paid for on both sides, informative')
  FROM unnest(ARRAY[1, 2]) c;
SELECT bench.quotient(format('end-to-end with a pre_request statement / unauthenticated with SELECT 1 in its place, CPU, %s client(s)', c),
    'cpu.e2e.noauthx_c' || c, 'cpu.e2e.auth_c' || c, NULL, 'the same from CPU per request, informative')
  FROM unnest(ARRAY[1, 2]) c;
SELECT bench.quotient(format('unauthenticated with an extra SELECT 1 / unauthenticated throughput, %s client(s)', c),
    'e2e.noauthx_c' || c, 'e2e.noauth_c' || c, NULL,
    'what one more trivial statement (one round trip) costs a request by itself: the bound on any request shape with a pre_request statement, informative')
  FROM unnest(ARRAY[1, 2]) c;

SELECT bench.quotient(format('end-to-end, pre_request in the headers statement / unauthenticated, %s client(s)', c),
    'e2e.auth1_c' || c, 'e2e.noauth_c' || c, NULL,
    'the same request with set_config and pre_request in one statement: the share of the gap that is one more round trip, informative')
  FROM unnest(ARRAY[1, 2]) c;
SELECT bench.quotient(format('end-to-end, pre_request in the headers statement / unauthenticated, CPU, %s client(s)', c),
    'cpu.e2e.noauth_c' || c, 'cpu.e2e.auth1_c' || c, NULL, 'the same from CPU per request, informative')
  FROM unnest(ARRAY[1, 2]) c;

SELECT bench.quotient('server work per request, unauthenticated / authenticated (identity.from_request)', 'req.noauth', 'req.lazy', NULL, 'what verifying the request''s token inside the RLS query adds to the server''s own work, informative');
SELECT bench.quotient('server work per request, unauthenticated / authenticated', 'req.noauth', 'req.auth', NULL, 'what authentication adds to the server''s own work for a request, without protocol and client costs (stricter than the end-to-end ratio), informative');

-- passwords against raw libargon2 at the same parameters
SELECT bench.quotient('hash_password / raw argon2id_hash_encoded', 'pw.hash_default', 'raw.argon2id_hash_encoded_default', '<= 1.05', 'hashing in SQL costs what libargon2 costs');
SELECT bench.quotient('verify_password / raw argon2id_verify', 'pw.verify_default', 'raw.argon2id_verify_default', '<= 1.05', 'verifying in SQL costs what libargon2 costs');
SELECT bench.ratio('sign-ins per second / 2 cores of raw Argon2id',
    'signin.c2 / (2 * 1e6 / raw.argon2id_hash_raw_default)',
    bench.med('signin.c2') / (2 * 1e6 / bench.med('raw.argon2id_hash_raw_default')),
    NULL, 'share of the machine''s Argon2id ceiling that sign-ins reach, informative');

-- a refresh against a sign-in (sessions, issue 16): no Argon2id, one
-- signature, a few index probes and writes
SELECT bench.quotient('CPU per call, auth.signin / auth.refresh', 'cpu.signin.c2', 'cpu.refresh.c1', NULL,
    'how many refreshes cost what one sign-in costs (CPU of server + pgbench per transaction), informative');

-- sign-in time reveals nothing
SELECT bench.quotient(format('sign-in time, %s / wrong password', k),
    'signin_time.' || k, 'signin_time.wrong', '0.9..1.1', 'an attacker cannot tell from the time whether an email is registered or locked')
  FROM unnest(ARRAY['unknown', 'locked']) k;

-- memory
SELECT bench.ratio('private memory growth over the 2nd half of the distinct tokens, MB',
    'mem.anon_end - mem.anon_half',
    bench.med('mem.anon_end') - bench.med('mem.anon_half'),
    '<= 2', 'a long-lived backend does not grow with the number of tokens it has verified');
SELECT bench.ratio('private memory growth over all distinct tokens, MB',
    'mem.anon_end - mem.anon_start',
    bench.med('mem.anon_end') - bench.med('mem.anon_start'),
    NULL, 'the bound itself: caches filled to their cap, informative');

-- identity reader
SELECT bench.ratio('auth.user_id() authenticated, us per call above the floor',
    'identity.user_id_auth - floor.gs_count',
    bench.med('identity.user_id_auth') - bench.med('floor.gs_count'),
    NULL, 'reading the identity in a policy or query, informative');
