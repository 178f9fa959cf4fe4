#!/usr/bin/env bash
# What a refused passcode costs, by its length (review rev7 #4): the median
# time of ct_import_audience refused for a wrong passcode of 15 bytes,
# 1,025 bytes and 2 MB, for a known and an unknown project, each as a ratio
# to the 15-byte wrong passcode of the same run (CT_BENCH_ROUNDS calls of
# each, default 15, interleaved).  A passcode over the stored maximum
# (1,024 characters) must cost what a wrong one costs, plus reading its
# bytes: not a PBKDF2 over its length.  Run as root from the repository
# root:
#   bench/passcode.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh 1000	# the cluster; its message set is not used

rounds=${CT_BENCH_ROUNDS:-15}
newdb benchpc
psql -X -q -v ON_ERROR_STOP=1 -d benchpc -v rounds="$rounds" <<'SQL'
SELECT ctaudience.ct_register_project('BENCH-PC', 'bench-passcode-1', 'token-BENCH-PC', 'eu1');
CREATE TEMP TABLE m(kind text, body jsonb);
INSERT INTO m SELECT k, jsonb_build_object('type', 'audience_membership_change_request',
	'id', '00000000-0000-4000-8000-000000000001', 'timestamp_ms', 1714592744000, 'firehose_version', '3.2.0',
	'account', jsonb_build_object('account_id', 1, 'account_settings', jsonb_build_object('accountId', p, 'passcode', pc,
		'accountToken', 'token-BENCH-PC', 'region', 'eu1')), 'user_profiles', '[]'::jsonb)
  FROM (VALUES ('wrong, 15 B', 'BENCH-PC', 'wrong-passcode!'), ('1,025 B', 'BENCH-PC', repeat('x', 1025)),
			   ('2 MB', 'BENCH-PC', repeat('x', 2000000)), ('unknown project, 2 MB', 'NOPE', repeat('x', 2000000)),
			   ('unknown project, 15 B', 'NOPE', 'wrong-passcode!')) v(k, p, pc);
CREATE TEMP TABLE r(kind text, ms float8);
SELECT set_config('bench.rounds', :'rounds', false) AS rounds_set \gset
DO $$
DECLARE
	x record;
	t0 timestamptz;
BEGIN
	FOR i IN 1..current_setting('bench.rounds')::int LOOP
		FOR x IN SELECT * FROM m LOOP
			t0 := clock_timestamp();
			BEGIN
				PERFORM ctaudience.ct_import_audience(x.body);
				RAISE 'accepted: %', x.kind;
			EXCEPTION WHEN invalid_authorization_specification THEN NULL;
			END;
			INSERT INTO r VALUES (x.kind, extract(epoch FROM clock_timestamp() - t0) * 1000);
		END LOOP;
	END LOOP;
END
$$;
\pset footer off
SELECT kind, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2) AS median_ms,
	   round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) /
			  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FROM r WHERE kind = 'wrong, 15 B'))::numeric, 2) AS ratio
  FROM r GROUP BY kind ORDER BY 2;
SQL
