#!/usr/bin/env bash
# bench/10_hash_password.sh: time auth.hash_password and auth.verify_password
# at the default parameters (Argon2id m=19456 KiB, t=2, p=1) on a throwaway
# cluster, N calls each (default 20), and print the median in ms per call.
# Also times the refusal of a hostile hash (Argon2 m = 4 GiB).
#   bash bench/10_hash_password.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
N=${1:-20}

make -s >/dev/null
auth_workdir
auth_install
auth_start bench10 ""
psql -qX -c "CREATE EXTENSION auth_ext" >/dev/null

# one statement per call, timed inside the server with clock_timestamp()
psql -qAtX <<SQL
CREATE TEMP TABLE t (op text, ms float8);
SELECT auth.hash_password('warm-up') AS h \gset
DO \$\$
DECLARE t0 timestamptz; h text;
BEGIN
  FOR i IN 1..$N LOOP
    t0 := clock_timestamp();
    h := auth.hash_password('correct horse battery staple ' || i);
    INSERT INTO t VALUES ('hash_password (argon2id default)', 1000 * extract(epoch FROM clock_timestamp() - t0));
    t0 := clock_timestamp();
    PERFORM auth.verify_password('correct horse battery staple ' || i, h);
    INSERT INTO t VALUES ('verify_password (argon2id default)', 1000 * extract(epoch FROM clock_timestamp() - t0));
    t0 := clock_timestamp();
    BEGIN
      PERFORM auth.verify_password('x', '\$argon2id\$v=19\$m=4194304,t=1,p=1\$c29tZXNhbHQ\$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc');
    EXCEPTION WHEN invalid_parameter_value THEN NULL;
    END;
    INSERT INTO t VALUES ('refuse hostile argon2 m=4GiB', 1000 * extract(epoch FROM clock_timestamp() - t0));
  END LOOP;
END \$\$;
SELECT rpad(op, 38) || ' median ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3)
       || ' ms   min ' || round(min(ms)::numeric, 3) || ' ms   max ' || round(max(ms)::numeric, 3)
       || ' ms   (n=' || count(*) || ')'
FROM t GROUP BY op ORDER BY op;
SQL
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
