#!/usr/bin/env bash
# What entering journeys on app events costs ct_record_event (issue 26):
# the time of recording one App Launched for each of N profiles (default
# 2,000) in three projects of one throwaway cluster, alternated round by
# round (default 5 rounds, fresh profiles each round):
#   none: the project has no journey;
#   miss: 5 live journeys entering on segments and 5 on other app events
#         (the recording reads them and enters no one);
#   hit:  5 live journeys entering on App Launched (every recording enters
#         the profile into all 5: a state and a step row each).
# Prints each round's seconds and the medians' ratios to none.  Run as root
# from the repository root with the extension installed in $CT_PG_BIN's
# PostgreSQL; ports from CT_PORTS (scripts/lib.sh ct_free_port), the
# cluster under CT_BENCH_DIR.
#   bench/journey_events.sh [PROFILES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
n=${1:-2000}
rounds=${2:-5}
ct_use_pg "$CT_PG_BIN"
port=$(ct_free_port)
mkdir -p "${CT_BENCH_DIR:-/tmp/ctaudience-bench}"
dir=$(mktemp -d "${CT_BENCH_DIR:-/tmp/ctaudience-bench}/journey-events.XXXXXX")
ct_cluster_start "$dir" "$port" ""
trap 'ct_cluster_stop "$dir"; rm -rf "$dir"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
q -c "CREATE EXTENSION ctaudience CASCADE"
run() {	# run PROJECT: seconds to record one App Launched for each profile
	q -At <<SQL
DO \$\$
DECLARE
	t0 timestamptz := clock_timestamp();
	r record;
BEGIN
	FOR r IN SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = '$1' LOOP
		PERFORM ctaudience.ct_record_event('$1', r.ct_id, 'App Launched', '{"Platform": "iOS"}', '2025-01-02 00:00+00');
	END LOOP;
	RAISE NOTICE '%', extract(epoch FROM clock_timestamp() - t0);
END
\$\$;
SQL
}
journeys() {	# journeys PROJECT KIND: 5 (hit) or 10 (miss) live journeys
	q -At <<SQL
SELECT ctaudience.ct_start_journey(ctaudience.ct_create_journey('$1', '$2 ' || i, jsonb_build_array(
		CASE WHEN '$2' = 'hit' THEN jsonb_build_object('id', 'in', 'type', 'entry', 'event', 'App Launched', 'next', 'w')
			 WHEN i % 2 = 0 THEN jsonb_build_object('id', 'in', 'type', 'entry', 'event', 'Other ' || i, 'next', 'w')
			 ELSE jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'w',
									 'segment_id', (SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = '$1')) END,
		'{"id": "w", "type": "wait", "duration": "1 day", "next": "out"}'::jsonb, '{"id": "out", "type": "exit"}'::jsonb)),
		as_of => '2025-01-01 00:00+00')
  FROM generate_series(1, CASE WHEN '$2' = 'hit' THEN 5 ELSE 10 END) i;
SQL
}
: >"$dir/times"
# the projects, each with n fresh profiles in one segment (partner id 900)
q <<SQL >/dev/null
CREATE FUNCTION pg_temp.project(p text, n int) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
	PERFORM ctaudience.ct_register_project(p, 'bench-passcode-1', 'token-' || p, 'eu1', p);
	PERFORM ctaudience.ct_import_audience(jsonb_build_object(
		'type', 'audience_membership_change_request', 'id', gen_random_uuid(),
		'timestamp_ms', 1735689600000, 'firehose_version', '3.2.0',
		'account', jsonb_build_object('account_id', 1, 'account_settings',
			jsonb_build_object('accountId', p, 'passcode', 'bench-passcode-1', 'accountToken', 'token-' || p, 'region', 'eu1')),
		'user_profiles', (SELECT jsonb_agg(jsonb_build_object('mpid', i::text,
			'user_identities', jsonb_build_array(jsonb_build_object('type', 'customer', 'encoding', 'raw', 'value', p || '-' || i)),
			'audiences', jsonb_build_array(jsonb_build_object('audience_id', 900, 'audience_name', 'All', 'action', 'add'))))
						  FROM generate_series(1, n) i)));
END
\$\$;
SELECT pg_temp.project(k || '-' || r, $n) FROM generate_series(1, $rounds) r, unnest(ARRAY['none', 'miss', 'hit']) k;
SQL
for r in $(seq 1 "$rounds"); do
	journeys "miss-$r" miss >/dev/null
	journeys "hit-$r" hit >/dev/null
done
q -c "VACUUM ANALYZE" >/dev/null
for r in $(seq 1 "$rounds"); do
	for kind in none miss hit; do
		s=$(run "$kind-$r" 2>&1 | sed -n 's/.*NOTICE: *//p')
		echo "$kind $s" >>"$dir/times"
		echo "round $r $kind: $s s"
	done
done
q -At -c "SELECT count(*) FROM ctaudience.ct_journey_state WHERE project_id LIKE 'hit-%'" | sed 's/^/hit: journey states entered: /'
python3 - "$dir/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    k, s = line.split()
    t.setdefault(k, []).append(float(s))
m = {k: statistics.median(v) for k, v in t.items()}
for k in ("none", "miss", "hit"):
    print("%-4s median %.3f s  %.2fx none" % (k, m[k], m[k] / m["none"]))
PY
