-- pg_temp.state(q): 'ok', or the SQLSTATE of the error q raised, so that a
-- negative check names its error without ending the transaction.  Included
-- with \ir by the pgTAP files that need it.
CREATE FUNCTION pg_temp.state(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
