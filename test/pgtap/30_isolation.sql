-- pgTAP: per-user isolation of todo.tasks, Supabase-style: for the anonymous
-- role and for authenticated users A and B, each verb allowed or denied as its
-- own test; the table owner forced through RLS; ON DELETE CASCADE from
-- auth.users; RLS evaluated inside parallel workers.
BEGIN;
SELECT plan(31);

CREATE EXTENSION auth_ext_todo;
-- Roles exist only inside this transaction.
CREATE ROLE t30_authenticated NOLOGIN;
CREATE ROLE t30_anon NOLOGIN;
CREATE ROLE t30_owner NOLOGIN;
-- Grants as documented in docs/30_identity.md; anon gets them too, so that
-- what stops it below is RLS, not a missing grant.
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t30_authenticated, t30_anon;

\set a '6a0c9c1e-7f3e-4f7a-9b1d-3e0f30000001'
\set b '6a0c9c1e-7f3e-4f7a-9b1d-3e0f30000002'
INSERT INTO auth.users (id, email, name) VALUES
    (:'a', 't30_a@example.com', 'A'), (:'b', 't30_b@example.com', 'B');
INSERT INTO todo.tasks (user_id, title) VALUES (:'a', 'a1'), (:'a', 'a2'), (:'b', 'b1');
SELECT auth.jwt_sign(jsonb_build_object('sub', :'a', 'role', 'authenticated')) AS ta \gset
SELECT auth.jwt_sign(jsonb_build_object('sub', :'b', 'role', 'authenticated')) AS tb \gset
SELECT id AS b1 FROM todo.tasks WHERE title = 'b1' \gset
SELECT id AS a1 FROM todo.tasks WHERE title = 'a1' \gset

-- rows affected by a statement, as the current role
CREATE FUNCTION pg_temp.affected(q text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE q;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- ---- anonymous ----
SET LOCAL ROLE t30_anon;
SELECT is((SELECT count(*) FROM todo.tasks), 0::bigint, 'anon: SELECT sees no task');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'x')$$, :'a'),
                 '42501', 'new row violates row-level security policy for table "tasks"', 'anon: INSERT, even naming a user, is refused');
SELECT is(pg_temp.affected($$UPDATE todo.tasks SET title = 'hacked'$$), 0::bigint, 'anon: UPDATE changes nothing');
SELECT is(pg_temp.affected($$DELETE FROM todo.tasks$$), 0::bigint, 'anon: DELETE deletes nothing');
RESET ROLE;

-- ---- user A ----
SET LOCAL ROLE t30_authenticated;
SELECT auth.jwt_verify(:'ta') IS NOT NULL AS verified \gset
SELECT is(auth.uid(), :'a'::uuid, 'A: jwt_verify makes A the identity');
SELECT results_eq($$SELECT title FROM todo.tasks ORDER BY title$$, ARRAY['a1', 'a2'],
                  'A: SELECT sees exactly A''s tasks');
SELECT is(pg_temp.affected($$INSERT INTO todo.tasks (title) VALUES ('  a3  ')$$), 1::bigint,
          'A: INSERT of an own task works');
SELECT is((SELECT user_id FROM todo.tasks WHERE title = 'a3'), :'a'::uuid,
          'A: user_id defaults to the caller (and the title is trimmed)');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'as b')$$, :'b'),
                 '42501', 'new row violates row-level security policy for table "tasks"', 'A: INSERT with user_id = B is refused');
SELECT is(pg_temp.affected(format($$UPDATE todo.tasks SET completed = true WHERE id = %s$$, :a1)), 1::bigint,
          'A: UPDATE of an own task works');
SELECT is(pg_temp.affected(format($$UPDATE todo.tasks SET title = 'hacked' WHERE id = %s$$, :b1)), 0::bigint,
          'A: UPDATE of B''s task changes nothing');
SELECT throws_ok(format($$UPDATE todo.tasks SET user_id = %L WHERE id = %s$$, :'b', :a1),
                 '42501', 'new row violates row-level security policy for table "tasks"', 'A: moving an own task to B is refused');
SELECT is(pg_temp.affected(format($$DELETE FROM todo.tasks WHERE id = %s$$, :b1)), 0::bigint,
          'A: DELETE of B''s task deletes nothing');
SELECT is(pg_temp.affected($$DELETE FROM todo.tasks WHERE title = 'a2'$$), 1::bigint,
          'A: DELETE of an own task works');

-- ---- user B ----
SELECT auth.jwt_verify(:'tb') IS NOT NULL AS verified \gset
SELECT results_eq($$SELECT title, completed FROM todo.tasks$$, $$VALUES ('b1', false)$$,
                  'B: SELECT sees only B''s task, untouched by A');
SELECT is(pg_temp.affected(format($$UPDATE todo.tasks SET title = 'mine now' WHERE id = %s$$, :a1)), 0::bigint,
          'B: UPDATE of A''s task changes nothing');
SELECT is(pg_temp.affected($$INSERT INTO todo.tasks (title) VALUES ('b2')$$), 1::bigint,
          'B: INSERT of an own task works');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'as a')$$, :'a'),
                 '42501', 'new row violates row-level security policy for table "tasks"', 'B: INSERT with user_id = A is refused');
-- switching back to anonymous clears the identity (pre_request with no token)
SELECT set_config('request.headers', '{}', true) IS NOT NULL AS h \gset
SELECT auth.pre_request() IS NULL AS cleared \gset
SELECT is((SELECT count(*) FROM todo.tasks), 0::bigint, 'after pre_request without a token: anonymous again');
RESET ROLE;

SELECT results_eq($$SELECT title FROM todo.tasks ORDER BY title$$, ARRAY['a1', 'a3', 'b1', 'b2'],
                  'superuser view: exactly the allowed changes happened');

-- ---- the table owner is forced through RLS too ----
ALTER TABLE todo.tasks OWNER TO t30_owner;
SET LOCAL ROLE t30_owner;
SELECT is((SELECT count(*) FROM todo.tasks), 0::bigint, 'table owner, anonymous: sees no task (FORCE ROW LEVEL SECURITY)');
SELECT auth.jwt_verify(:'ta') IS NOT NULL AS verified \gset
SELECT is((SELECT count(*) FROM todo.tasks), 2::bigint, 'table owner as A: sees only A''s tasks');
SELECT throws_ok(format($$INSERT INTO todo.tasks (user_id, title) VALUES (%L, 'x')$$, :'b'),
                 '42501', 'new row violates row-level security policy for table "tasks"', 'table owner as A: INSERT as B is refused');
RESET ROLE;
SELECT set_config('request.headers', '{}', true) IS NOT NULL AS h \gset
SELECT auth.pre_request() IS NULL AS cleared \gset

-- ---- parallel workers apply the policy with the leader's identity ----
INSERT INTO todo.tasks (user_id, title)
SELECT CASE WHEN g % 4 = 0 THEN :'a'::uuid ELSE :'b'::uuid END, 'bulk ' || g
  FROM generate_series(1, 4000) g;
ANALYZE todo.tasks;
SET LOCAL ROLE t30_authenticated;
SELECT auth.jwt_verify(:'ta') IS NOT NULL AS verified \gset
\ir include/workers.sql
SET LOCAL enable_indexscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT alike(pg_temp.plan('SELECT count(*) FROM todo.tasks'), '%Gather%Parallel Seq Scan on tasks%',
            'the plan really is parallel');
SELECT matches(pg_temp.plan('SELECT count(*) FROM todo.tasks'), 'Workers Launched: [1-9]',
               'and workers were launched');
SELECT is((SELECT count(*) FROM todo.tasks), 1002::bigint, 'A in a parallel plan: exactly A''s tasks');
-- a reader evaluated by the workers themselves (the leader does not scan)
SELECT alike(pg_temp.plan(format($$SELECT count(*) FROM todo.tasks WHERE auth.user_id() = %L AND title LIKE 'bulk%%'$$, :'a')),
             '%Gather%One-Time Filter: (auth.user_id() = %Parallel Seq Scan on tasks%',
             'a reader in a filter below Gather runs in the workers');
SELECT is((SELECT count(*) FROM todo.tasks WHERE auth.user_id() = :'a' AND title LIKE 'bulk%'), 1000::bigint,
          'readers inside parallel workers see the leader''s identity');
-- jwt_verify is PARALLEL UNSAFE (it sets state), so forcing parallel plans
-- leaves its own statement serial: switching user works here too
SELECT auth.jwt_verify(:'tb') IS NOT NULL AS verified \gset
SELECT is((SELECT count(*) FROM todo.tasks), 3002::bigint, 'B in a parallel plan: exactly B''s tasks');
RESET ROLE;

-- ---- ON DELETE CASCADE from auth.users ----
DELETE FROM auth.users WHERE id = :'b';
SELECT is((SELECT count(*) FROM todo.tasks WHERE user_id = :'b'), 0::bigint,
          'deleting a user deletes their tasks (ON DELETE CASCADE through FORCE RLS)');
SELECT is((SELECT count(*) FROM todo.tasks WHERE user_id = :'a'), 1002::bigint,
          '... and no one else''s');

SELECT * FROM finish();
ROLLBACK;
