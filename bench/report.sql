-- bench/report.sql: renders bench/RESULTS.md from the bench schema
-- (psql -At -f bench/report.sql > bench/RESULTS.md).

CREATE FUNCTION pg_temp.fmt(x float8) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT CASE WHEN x IS NULL THEN 'n/a'
                WHEN abs(x) >= 1000 THEN round(x::numeric)::text
                WHEN abs(x) >= 100 THEN round(x::numeric, 1)::text
                WHEN abs(x) >= 1 THEN round(x::numeric, 2)::text
                ELSE round(x::numeric, 3)::text END
$$;

SELECT '# auth_ext benchmark results';
SELECT '';
SELECT 'Written by `make bench` (scripts/bench.sh); do not edit by hand. Every ratio below compares '
    || 'figures measured in this same run, on this machine. A figure is the median of its timed '
    || 'repetitions (min–max beside it). Per-call figures are microseconds of CPU time per '
    || 'row of a `SELECT count(f(x)) FROM ...`, read from /proc/self/schedstat inside the '
    || 'backend (the raw C figures: CLOCK_PROCESS_CPUTIME_ID), with the matching floor measured '
    || 'beside them and nothing subtracted; wall-clock medians are in the last column. tx/s '
    || 'figures come from pgbench (-M prepared, wall clock). See docs/60_bench.md for how to read them.';
SELECT '';
SELECT '## Machine and versions';
SELECT '';
SELECT '| | |';
SELECT '|---|---|';
SELECT format('| %s | %s |', key, replace(value, '|', '\|')) FROM bench.info ORDER BY ord;
SELECT '';
SELECT '## Targets (issue 6) and other ratios';
SELECT '';
SELECT '| ratio | value | target | result | formula (medians) |';
SELECT '|---|---:|---|---|---|';
SELECT format('| %s | %s | %s | %s | `%s` |', name, pg_temp.fmt(value), coalesce(target, '(info)'),
              CASE WHEN pass THEN 'PASS' WHEN NOT pass THEN '**MISS**'
                   WHEN value IS NULL THEN 'not measured' ELSE '' END,
              formula)
  FROM bench.ratios ORDER BY ord;
SELECT '';
SELECT '## Figures';
SELECT '';
SELECT '| figure | median | min – max | unit | n per sample | what | wall median |';
SELECT '|---|---:|---|---|---:|---|---:|';
SELECT format('| %s | %s | %s – %s | %s | %s | %s | %s |', f.figure, pg_temp.fmt(s.med),
              pg_temp.fmt(s.lo), pg_temp.fmt(s.hi),
              CASE f.unit WHEN 'us' THEN 'µs/call' ELSE f.unit END,
              coalesce(f.n::text, ''), replace(f.what, '|', '\|'),
              CASE WHEN s.wall IS NULL THEN '' ELSE pg_temp.fmt(s.wall) END)
  FROM bench.figures f
  LEFT JOIN LATERAL (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS med,
                            min(value) AS lo, max(value) AS hi,
                            percentile_cont(0.5) WITHIN GROUP (ORDER BY wall) AS wall
                       FROM bench.samples WHERE figure = f.figure) s ON true
 ORDER BY f.figure LIKE 'raw.%', f.ord;
