-- Step 30: the identity of a transaction, row-level security and the todo app.
\echo
\echo '## 30. Identity + RLS: two users, each sees only their own tasks'
\echo 'The todo app is a second extension on top of auth_ext.'
CREATE EXTENSION auth_ext_todo;

\echo 'Extensions do not create roles; the app needs one role for signed-in'
\echo 'requests and one for anonymous ones (PostgREST: authenticated / anon).'
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO authenticated;

\echo 'Two users (inserted directly here; step 40 shows auth.signup).'
INSERT INTO auth.users (email, name) VALUES ('alice@example.com', 'Alice'), ('bob@example.com', 'Bob');

\echo 'Each gets a token signed with the keyring''s active key.'
SELECT auth.jwt_sign(jsonb_build_object('sub', id, 'email', email, 'role', 'authenticated')) AS alice_token
  FROM auth.users WHERE email = 'alice@example.com' \gset
SELECT auth.jwt_sign(jsonb_build_object('sub', id, 'email', email, 'role', 'authenticated')) AS bob_token
  FROM auth.users WHERE email = 'bob@example.com' \gset

\echo 'Alice: verify her token (it becomes the identity of this transaction), add tasks.'
\echo 'user_id defaults to auth.uid(); the title is trimmed.'
BEGIN;
SET LOCAL ROLE authenticated;
SELECT auth.jwt_verify(:'alice_token') ->> 'email' AS verified;
SELECT auth.user_id() IS NOT NULL AS has_identity, auth.email(), auth.role();
INSERT INTO todo.tasks (title) VALUES ('  Buy milk  '), ('Write the report') RETURNING title, completed;
SELECT title FROM todo.tasks ORDER BY created_at DESC;
COMMIT;

\echo 'After COMMIT the identity is gone: a pooled connection passes nothing on.'
SELECT auth.user_id() IS NULL AS anonymous_again;

\echo 'Bob sees none of Alice''s tasks, and cannot write as her.'
BEGIN;
SET LOCAL ROLE authenticated;
SELECT auth.jwt_verify(:'bob_token') ->> 'email' AS verified;
INSERT INTO todo.tasks (title) VALUES ('Call the plumber');
SELECT title FROM todo.tasks ORDER BY created_at DESC;
UPDATE todo.tasks SET completed = true WHERE title = 'Buy milk';
COMMIT;

\echo 'Bob tries to become Alice by setting the identity himself: refused.'
\set ON_ERROR_STOP off
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('auth_ext.claims', '{"sub": "alice"}', true);
ROLLBACK;
\echo 'Bob knows Alice''s id and tries to plant a task in her list: RLS refuses.'
SELECT id AS alice_id FROM auth.users WHERE email = 'alice@example.com' \gset
BEGIN;
SET LOCAL ROLE authenticated;
SELECT auth.jwt_verify(:'bob_token') IS NOT NULL AS verified;
INSERT INTO todo.tasks (user_id, title) VALUES (:'alice_id', 'planted by bob');
ROLLBACK;
\set ON_ERROR_STOP on

\echo 'A request without a token is anonymous: no rows at all (the anon role'
\echo 'has no grant on todo.tasks; even with one, RLS would show it nothing).'
BEGIN;
SET LOCAL ROLE authenticated;
SELECT auth.user_id() IS NULL AS anonymous, count(*) AS tasks_visible FROM todo.tasks;
ROLLBACK;

\echo 'PostgREST: db-pre-request = auth.pre_request reads the bearer token from'
\echo 'request.headers, in a read-only transaction like every GET.'
START TRANSACTION READ ONLY;
SET LOCAL ROLE authenticated;
SELECT set_config('request.headers', json_build_object('authorization', 'Bearer ' || :'alice_token')::text, true) IS NOT NULL AS headers_set;
SELECT auth.pre_request();
SELECT title, completed FROM todo.tasks ORDER BY created_at DESC;
COMMIT;

\echo 'The policies are  user_id = (SELECT auth.uid()) : one InitPlan per query,'
\echo 'so "my tasks, newest first" is an index scan, not a scan of everyone''s.'
BEGIN;
SET LOCAL ROLE authenticated;
SELECT auth.jwt_verify(:'alice_token') IS NOT NULL AS verified;
EXPLAIN (COSTS OFF) SELECT id, title FROM todo.tasks ORDER BY created_at DESC LIMIT 20;
COMMIT;
