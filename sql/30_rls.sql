-- Identity readers and row-level security: catalog facts and plan shapes.
-- (Behaviour with real tokens: test/pgtap/30_isolation.sql, test/sh/30_*.sh.)
SET client_min_messages = warning;

-- Readers are STABLE PARALLEL SAFE C functions; pre_request sets state.
SELECT p.proname, p.prorettype::regtype, p.provolatile, p.proparallel, l.lanname, p.prosecdef
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'auth'::regnamespace
   AND p.proname IN ('user_id', 'uid', 'jwt', 'session', 'role', 'email', 'pre_request', 'enable_user_isolation')
 ORDER BY p.proname;

-- Anonymous: every reader is NULL.
SELECT auth.user_id() IS NULL AS user_id_null, auth.uid() IS NULL AS uid_null,
       auth.jwt() IS NULL AS jwt_null, auth.session() IS NULL AS session_null,
       auth.role() IS NULL AS role_null, auth.email() IS NULL AS email_null;

-- The claims setting is out of reach of SQL, even a superuser's.
SET auth_ext.claims = '{"sub": "evil"}';
SELECT set_config('auth_ext.claims', '{"sub": "evil"}', true);
ALTER SYSTEM SET auth_ext.claims = '{"sub": "evil"}';
SELECT auth.user_id() IS NULL AS still_anonymous;
-- Clearing it is allowed (it gives nobody anything).
SET auth_ext.claims = '';
RESET auth_ext.claims;

-- enable_user_isolation: a text owner column
CREATE TABLE t30_notes (id int PRIMARY KEY, owner text NOT NULL, body text);
SELECT auth.enable_user_isolation('t30_notes', 'owner');
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 't30_notes'::regclass;
SELECT polname, polcmd, pg_get_expr(polqual, polrelid) AS using_expr,
       pg_get_expr(polwithcheck, polrelid) AS check_expr
  FROM pg_policy WHERE polrelid = 't30_notes'::regclass ORDER BY polname;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid)
  FROM pg_index WHERE indrelid = 't30_notes'::regclass ORDER BY 1;
-- idempotent: same four policies, no second index
SELECT auth.enable_user_isolation('t30_notes', 'owner');
SELECT count(*) AS policies FROM pg_policy WHERE polrelid = 't30_notes'::regclass;
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 't30_notes'::regclass;
-- errors
SELECT auth.enable_user_isolation('t30_notes', 'nope');
SELECT auth.enable_user_isolation('t30_notes', 'id');
SELECT auth.enable_user_isolation('t30_no_such_table');
-- only the table owner may run it
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 't30_app') THEN CREATE ROLE t30_app NOLOGIN; END IF;
END $$;
SET ROLE t30_app;
SELECT auth.enable_user_isolation('t30_notes', 'owner');
RESET ROLE;
DROP TABLE t30_notes;

-- The todo app: 100,000 tasks over 1,000 users.
CREATE EXTENSION auth_ext_todo;
INSERT INTO auth.users (id, email, name)
SELECT md5('t30-user-' || g)::uuid, 't30_user' || g || '@example.com', 'User ' || g
  FROM generate_series(1, 1000) g;
INSERT INTO todo.tasks (user_id, title, created_at)
SELECT md5('t30-user-' || (g % 1000 + 1))::uuid, 'task ' || g, '2026-01-01'::timestamptz + g * interval '1 minute'
  FROM generate_series(1, 100000) g;
ANALYZE auth.users, todo.tasks;
GRANT SELECT, INSERT, UPDATE, DELETE ON todo.tasks TO t30_app;

-- A superuser bypasses RLS; an application role is filtered, even with no WHERE.
SELECT count(*) AS superuser_sees FROM todo.tasks;
SET ROLE t30_app;
SELECT count(*) AS anonymous_sees FROM todo.tasks;

-- The plans below print differently by major, so this file has two expected
-- outputs: expected/30_rls.out for PostgreSQL 15 and 16 ("InitPlan 1 (returns
-- $0)", conditions on "$0", "Params Evaluated: $0" under Gather) and
-- expected/30_rls_1.out for 17 and later ("InitPlan 1", conditions on
-- "(InitPlan 1).col1", no "Params Evaluated" line under Gather).  The plan
-- shapes are the same.
-- A user's task list: an index scan on the owner column, driven by an InitPlan
-- (auth.uid() evaluated once, its result compared to the index), not a
-- sequential scan nor a SubPlan per row.
EXPLAIN (COSTS OFF)
SELECT id, title, completed FROM todo.tasks ORDER BY created_at DESC LIMIT 20;
RESET ROLE;

-- drizzle-orm's Neon helper writes policies as (select auth.user_id() = user_id):
-- the subquery references the row, so it is a SubPlan run once per row and
-- the index on user_id cannot be used.
CREATE TABLE t30_drizzle (id int PRIMARY KEY, user_id text NOT NULL, title text);
CREATE INDEX ON t30_drizzle (user_id);
INSERT INTO t30_drizzle SELECT g, 'user' || (g % 1000), 'task ' || g FROM generate_series(1, 100000) g;
ANALYZE t30_drizzle;
ALTER TABLE t30_drizzle ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY drizzle_select ON t30_drizzle FOR SELECT USING ((SELECT auth.user_id() = user_id));
GRANT SELECT ON t30_drizzle TO t30_app;
SET ROLE t30_app;
EXPLAIN (COSTS OFF) SELECT id, title FROM t30_drizzle;
RESET ROLE;
-- the same table with auth.enable_user_isolation's form uses the index
DROP POLICY drizzle_select ON t30_drizzle;
SELECT auth.enable_user_isolation('t30_drizzle');
SET ROLE t30_app;
EXPLAIN (COSTS OFF) SELECT id, title FROM t30_drizzle;
RESET ROLE;
DROP TABLE t30_drizzle;

-- Parallel plans: the InitPlan runs in the leader and is handed to the
-- workers as a parameter ("Params Evaluated"); the filter runs in the workers.
SET ROLE t30_app;
-- force_parallel_mode was renamed debug_parallel_query in PostgreSQL 16
SELECT set_config(CASE WHEN current_setting('server_version_num')::int >= 160000
                       THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END, 'on', false) AS forced;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM todo.tasks;
RESET ALL;
RESET ROLE;

DROP EXTENSION auth_ext_todo;
DELETE FROM auth.users WHERE email LIKE 't30\_user%';
REVOKE ALL ON SCHEMA public FROM t30_app;
DROP ROLE t30_app;
