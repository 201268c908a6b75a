-- pg_temp.plan(q): the EXPLAIN ANALYZE of q (costs, timing and summary off)
-- as one text, for asserting on plan shapes such as parallel workers
-- launched.  Included with \ir by the pgTAP files that need it.
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ' || q LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END $$;
