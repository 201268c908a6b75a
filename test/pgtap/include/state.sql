-- pg_temp.state(q): 'ok', or the SQLSTATE of the error q raised.  Included
-- with \ir by the pgTAP files that check SQLSTATEs of many statements.
CREATE FUNCTION pg_temp.state(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
