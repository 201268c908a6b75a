-- Forces parallel query for the rest of the transaction (SET LOCAL), with no
-- leader participation, so that what a query computes is computed in
-- parallel workers.  force_parallel_mode was renamed debug_parallel_query in
-- PostgreSQL 16; :force_parallel holds the name for the RESET.  Included
-- with \ir by the pgTAP files that check readers inside workers.
SELECT CASE WHEN current_setting('server_version_num')::int >= 160000
            THEN 'debug_parallel_query' ELSE 'force_parallel_mode' END AS force_parallel \gset
SET LOCAL :force_parallel = on;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
