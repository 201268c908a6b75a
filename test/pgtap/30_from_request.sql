-- pgTAP: identity.from_request.  With it on, the readers take the identity
-- from the request's bearer token themselves (no auth.pre_request()
-- statement): same verification, same errors, once per transaction, never
-- over an identity something else set, and inside parallel workers whose
-- leader had not resolved it.  With it off (the default) they do not.
-- Each case runs in pg_temp.isolated(): a subtransaction rolled back at its
-- end, which unsets the identity (and what pgTAP records stays outside it).
BEGIN;
SELECT plan(31);

CREATE EXTENSION auth_ext_todo;
CREATE ROLE t30r_authenticated NOLOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t30r_authenticated;

\set a '6a0c9c1e-7f3e-4f7a-9b1d-3e0f30000011'
\set b '6a0c9c1e-7f3e-4f7a-9b1d-3e0f30000012'
INSERT INTO auth.users (id, email, name) VALUES
    (:'a', 't30r_a@example.com', 'A'), (:'b', 't30r_b@example.com', 'B');
INSERT INTO todo.tasks (user_id, title) VALUES (:'a', 'a1'), (:'a', 'a2'), (:'b', 'b1');
SELECT auth.create_key('ES256') IS NOT NULL AS k \gset
SELECT auth.jwt_sign(jsonb_build_object('sub', :'a', 'role', 'authenticated')) AS ta \gset
SELECT auth.jwt_sign(jsonb_build_object('sub', :'b', 'role', 'authenticated')) AS tb \gset
-- A's token with B's sub: the signature no longer matches
SELECT split_part(:'ta', '.', 1) || '.' ||
       split_part(auth.jwt_encode(jsonb_build_object('sub', :'b', 'exp', 4102444800), repeat('x', 32), 'HS256'), '.', 2) || '.' ||
       split_part(:'ta', '.', 3) AS forged \gset
-- the same claims, unsigned
SELECT 'eyJhbGciOiJub25lIn0.' || split_part(:'ta', '.', 2) || '.' AS unsigned \gset

-- request.headers as PostgREST sets them (transaction-local)
CREATE FUNCTION pg_temp.headers(token text) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT set_config(''request.headers'', %L, true)',
                  CASE WHEN token IS NULL THEN '{}'
                       ELSE jsonb_build_object('authorization', 'Bearer ' || token)::text END)
$$;
-- Runs the statements of setup, then returns expr as text ('<null>' for
-- NULL), inside a subtransaction that is rolled back at the end: nothing
-- the case did stays, the identity included.  Errors propagate.
CREATE FUNCTION pg_temp.isolated(setup text[], expr text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text; q text;
BEGIN
    BEGIN
        FOREACH q IN ARRAY setup LOOP
            EXECUTE q;
        END LOOP;
        EXECUTE format('SELECT coalesce((%s)::text, ''<null>'')', expr) INTO r;
        RAISE EXCEPTION USING ERRCODE = 'T3001', MESSAGE = r;
    EXCEPTION WHEN SQLSTATE 'T3001' THEN
        RETURN SQLERRM;
    END;
END $$;

-- ---- off (the default): the request is not looked at ----
SELECT is((SELECT value FROM auth.settings() WHERE name = 'identity.from_request'), 'off',
          'identity.from_request is off by default');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(:'ta')], 'auth.user_id()'), '<null>',
          'off: a bearer token in request.headers alone makes no identity');

SELECT throws_ok($$SELECT auth.configure('identity.from_request', 'yes')$$, '22023', NULL,
                 'identity.from_request takes only on or off');
SELECT auth.configure('identity.from_request', 'on') IS NOT NULL AS configured \gset

-- ---- on ----
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(:'ta')], 'auth.user_id()'), :'a',
          'on: the first reader call verifies the bearer token: A');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(:'ta')], $$auth.jwt()->>'role'$$), 'authenticated',
          '... and every claim is there (auth.jwt())');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(:'ta'), 'SELECT auth.user_id()', pg_temp.headers(:'tb')],
                           'auth.user_id()'), :'a',
          'once per transaction: another token in the headers later changes nothing');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(:'ta'), 'SET LOCAL ROLE t30r_authenticated'],
                           $$(SELECT string_agg(title, ',' ORDER BY title) FROM todo.tasks)$$), 'a1,a2',
          'RLS with no pre_request statement: A sees exactly A''s tasks');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(NULL)], 'auth.user_id()'), '<null>',
          'on, no token: anonymous');
-- only request settings of this transaction: a session-level value outlives
-- it (behind a pooler, into another client's transactions)
SELECT is(pg_temp.isolated(ARRAY[replace(pg_temp.headers(:'ta'), ', true)', ', false)')], 'auth.user_id()'), '<null>',
          'on: a session-level request.headers (set_config(..., false)) is not taken');
SELECT is(pg_temp.isolated(ARRAY[format('SET request.headers = %L', jsonb_build_object('authorization', 'Bearer ' || :'ta'))],
                           'auth.user_id()'), '<null>',
          'on: nor one made with SET');
SELECT is(pg_temp.isolated(ARRAY[format('SET LOCAL request.headers = %L', jsonb_build_object('authorization', 'Bearer ' || :'ta'))],
                           'auth.user_id()'), :'a',
          'on: SET LOCAL request.headers is taken');
SELECT is(pg_temp.isolated(ARRAY[replace(pg_temp.headers(:'tb'), ', true)', ', false)'), pg_temp.headers(:'ta')],
                           'auth.user_id()'), :'a',
          'on: a transaction-local value over a session-level one is taken');
SELECT is(pg_temp.isolated(ARRAY[replace(pg_temp.headers(:'ta'), ', true)', ', false)'), 'SELECT auth.pre_request()'],
                           'auth.user_id()'), :'a',
          'auth.pre_request(), called explicitly, reads request.headers as they are');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(NULL), 'SET LOCAL ROLE t30r_authenticated'],
                           '(SELECT count(*) FROM todo.tasks)'), '0',
          'on, no token: RLS shows nothing');

-- bad tokens: PT401 from the reader, as from pre_request
SELECT throws_ok(format('SELECT pg_temp.isolated(ARRAY[%L], %L)', pg_temp.headers(:'forged'), 'auth.user_id()'),
                 'PT401', 'Invalid token', 'a forged token: PT401, no identity');
SELECT throws_ok(format('SELECT pg_temp.isolated(ARRAY[%L], %L)', pg_temp.headers(:'unsigned'), 'auth.uid()'),
                 'PT401', 'Invalid token', 'an unsigned (alg none) token: PT401');
SELECT throws_ok(format('SELECT pg_temp.isolated(ARRAY[%L], %L)',
                        $q$SELECT set_config('request.headers', '{"authorization": "Bearer "}', true)$q$,
                        'auth.user_id()'),
                 'PT401', 'Invalid token', 'a Bearer header without a token: PT401');
-- a token of A's that was signed out (its jti revoked)
SELECT auth.jwt_sign(jsonb_build_object('sub', :'a', 'role', 'authenticated')) AS tc \gset
INSERT INTO auth.revocations (key, expires_at)
    VALUES (auth._revocation_key('jti:', auth.jwt_decode_unverified(:'tc')->'payload'->>'jti'),
            now() + interval '1 day');
SELECT throws_ok(format('SELECT pg_temp.isolated(ARRAY[%L, %L], %L)', pg_temp.headers(:'tc'),
                        'SET LOCAL ROLE t30r_authenticated', '(SELECT count(*) FROM todo.tasks)'),
                 'PT401', NULL, 'a signed-out token is refused by the RLS query itself');

-- what something else set is never overridden
SELECT is(pg_temp.isolated(ARRAY[format('SELECT auth.jwt_verify(%L)', :'tb'), pg_temp.headers(:'ta')],
                           'auth.user_id()'), :'b',
          'an identity set by jwt_verify wins over the request');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(NULL), 'SELECT auth.pre_request()', pg_temp.headers(:'ta')],
                           'auth.user_id()'), '<null>',
          'pre_request() without a token decided anonymous: the request is not looked at again');
SELECT throws_ok($$SET auth_ext.claims = 'null'$$, '42501', NULL,
                 'the "decided anonymous" value cannot be set from SQL either');

-- ---- parallel query ----
CREATE TABLE t30r_rows AS SELECT g FROM generate_series(1, 4000) g;
ANALYZE t30r_rows;
-- plpgsql and VOLATILE: neither inlined nor pre-evaluated by the planner,
-- so with the leader not participating only the workers call the reader
CREATE FUNCTION t30r_me() RETURNS text LANGUAGE plpgsql VOLATILE PARALLEL SAFE
    AS $$ BEGIN RETURN auth.user_id(); END $$;
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS force_parallel \gset
\ir include/plan.sql
-- parallel plans, forced; leader participation per case
SELECT ARRAY[format('SET LOCAL %s = on', :'force_parallel'), 'SET LOCAL parallel_setup_cost = 0',
             'SET LOCAL parallel_tuple_cost = 0', 'SET LOCAL min_parallel_table_scan_size = 0',
             'SET LOCAL max_parallel_workers_per_gather = 2']::text AS par \gset
SELECT (:'par'::text[] || 'SET LOCAL parallel_leader_participation = off'::text)::text AS workers_only \gset

SELECT matches(pg_temp.isolated(:'workers_only'::text[] || pg_temp.headers(:'ta'),
                                $$pg_temp.plan('SELECT count(*) FROM t30r_rows WHERE t30r_me() IS NOT NULL')$$),
               'Workers Launched: [1-9].*Parallel Seq Scan on t30r_rows', 'the plan is parallel, workers launched');
SELECT is(pg_temp.isolated(:'workers_only'::text[] || pg_temp.headers(:'ta'),
                           $$(SELECT count(*) FROM t30r_rows WHERE t30r_me() = '$$ || :'a' || $$')$$), '4000',
          'workers of an undecided leader verify the request''s token themselves: A on every row');
SELECT is(pg_temp.isolated(:'workers_only'::text[] || pg_temp.headers(:'ta') ||
                           'SELECT count(*) FROM t30r_rows WHERE t30r_me() IS NOT NULL'::text,
                           'auth.user_id()'), :'a',
          '... and the leader then resolves it to the same A');
SELECT throws_ok(format('SELECT pg_temp.isolated(%L::text[], %L)', :'workers_only'::text[] || pg_temp.headers(:'forged'),
                        '(SELECT count(*) FROM t30r_rows WHERE t30r_me() IS NOT NULL)'),
                 'PT401', 'Invalid token', 'a forged token is refused inside the workers too');
SELECT is(pg_temp.isolated(:'workers_only'::text[] || ARRAY[pg_temp.headers(NULL), 'SELECT auth.pre_request()',
                                                           pg_temp.headers(:'ta')],
                           '(SELECT count(*) FROM t30r_rows WHERE t30r_me() IS NULL)'), '4000',
          'workers inherit a leader''s decided anonymous identity and do not resolve the request');
SELECT is(pg_temp.isolated(:'workers_only'::text[] || ARRAY[format('SELECT auth.jwt_verify(%L)', :'tb'),
                                                           pg_temp.headers(:'ta')],
                           $$(SELECT count(*) FROM t30r_rows WHERE t30r_me() = '$$ || :'b' || $$')$$), '4000',
          'workers inherit an identity the leader set (B), whatever the request says');
-- the leader taking part in the scan resolves it during the parallel query,
-- where no setting can change: for itself and this transaction only
SELECT is(pg_temp.isolated(:'par'::text[] || ARRAY['SET LOCAL parallel_leader_participation = on',
                                                  pg_temp.headers(:'ta')],
                           $$(SELECT count(*) FROM t30r_rows WHERE t30r_me() = '$$ || :'a' || $$')$$), '4000',
          'leader and workers both resolving the request during one parallel query: A on every row');
SELECT is(pg_temp.isolated(:'par'::text[] || ARRAY['SET LOCAL parallel_leader_participation = on',
                                                  pg_temp.headers(:'ta'),
                                                  'SELECT count(*) FROM t30r_rows WHERE t30r_me() IS NOT NULL'],
                           'auth.user_id()'), :'a',
          '... and afterwards, in the same transaction, still A');
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(NULL)], 'auth.user_id()'), '<null>',
          'what was resolved inside a rolled-back subtransaction is gone');

SELECT auth.configure('identity.from_request', 'off') IS NOT NULL AS configured \gset
SELECT is(pg_temp.isolated(ARRAY[pg_temp.headers(:'ta')], 'auth.user_id()'), '<null>',
          'switched off again: the request is not looked at');

SELECT * FROM finish();
ROLLBACK;
