/* auth_ext--1.0--1.1.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION auth_ext UPDATE TO '1.1'" to load this file. \quit

-- The token functions that verify with an explicit key and set no state run
-- in parallel workers: settings and keys are now read with the query's
-- snapshot in parallel mode (and not cached), where 1.0 failed with "cannot
-- update SecondarySnapshot during a parallel operation".  Functions that set
-- the transaction's identity (jwt_verify, jwt_session_init) stay UNSAFE.
ALTER FUNCTION auth.jws_verify(text, text, text[]) PARALLEL SAFE;
ALTER FUNCTION auth.jwt_decode(text, text, text[]) PARALLEL SAFE;
ALTER FUNCTION auth.jwt_decode_unverified(text) PARALLEL SAFE;
