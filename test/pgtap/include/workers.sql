-- Parallel plans forced for the rest of the transaction, run by workers only
-- (leader participation off), so that a query's functions are evaluated in a
-- parallel worker; defines pg_temp.plan (include/plan.sql) to show it and
-- the psql variable force_parallel (force_parallel_mode was renamed
-- debug_parallel_query in PostgreSQL 16) for the RESET that ends it:
--   RESET parallel_leader_participation; RESET :force_parallel;
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS force_parallel \gset
SET LOCAL :force_parallel = on;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
\ir plan.sql
