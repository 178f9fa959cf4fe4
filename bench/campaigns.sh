#!/usr/bin/env bash
# Live campaigns and the import: the benchmark's messages imported by one
# session into a database without campaigns and into one with 10 running
# live campaigns on the benchmark's four audiences (Partner Sync, filtered
# by action and segment; two on App Launched, which imports never raise),
# round after round, and the COPY floor of every table the import writes,
# the campaign queue included.  Run as root from the repository root:
#   bench/campaigns.sh            # 100,000 users
#   bench/campaigns.sh 1000000
# Figures at the end; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

segments_sql="INSERT INTO ctaudience.ct_segment (project_id, name, partner_segment_id) VALUES
	('BENCH', 'Cart Drop off', 71001), ('BENCH', 'Big spenders', 71002),
	('BENCH', 'Bangalore app users', 71003), ('BENCH', 'Churn risk', 71004);"
seg="(SELECT segment_id FROM ctaudience.ct_segment WHERE partner_segment_id ="
campaigns_sql="$segments_sql
SELECT ctaudience.ct_create_campaign('BENCH', 'email ' || a, 'email', 'live_behavior', 'Partner Sync',
	'{\"Action\": \"Added\"}', ARRAY[$seg a)], true) FROM unnest(ARRAY[71001, 71002, 71003, 71004]) a;
SELECT ctaudience.ct_create_campaign('BENCH', 'push ' || a, 'push', 'live_behavior', 'Partner Sync',
	jsonb_build_object('Action', 'Added', 'Partner Segment ID', a)) FROM unnest(ARRAY[71001, 71003]) a;
SELECT ctaudience.ct_create_campaign('BENCH', 'sms removed', 'sms', 'live_behavior', 'Partner Sync',
	'{\"Action\": \"Removed\"}', recurring => true);
SELECT ctaudience.ct_create_campaign('BENCH', 'webhook', 'webhook', 'live_behavior', 'Partner Sync',
	'{\"Action\": \"Added\"}', ARRAY[$seg 71002), $seg 71004)], true);
SELECT ctaudience.ct_create_campaign('BENCH', 'in-app ' || a, 'in_app', 'live_behavior', 'App Launched',
	segment_ids => ARRAY[$seg a)]) FROM unnest(ARRAY[71001, 71003]) a;"

# CT_BENCH_PRINT_SQL=1: print the set-up of the database with campaigns
# and stop, e.g. for bench/callgrind.sh:
#   CT_BENCH_SETUP_SQL="$(CT_BENCH_PRINT_SQL=1 bench/campaigns.sh)" bench/callgrind.sh OUT
if [ "${CT_BENCH_PRINT_SQL:-0}" = 1 ]; then
	printf '%s\n' "$campaigns_sql"
	exit 0
fi

. bench/lib.sh "$@"

import_in() {	# database, setup SQL: prints the driver's result line
	CT_BENCH_SETUP_SQL="$2" newdb "$1"
	psql -X -q -d "$1" -c "CHECKPOINT"
	"$work/driver" import "$conn dbname=$1" "$msgs" 1 || exit 1
}

# the warm-up, and the rows for the floor (the queue included)
ct_log "warm-up import with campaigns (not measured)"
import_in benchc0 "$campaigns_sql" >/dev/null
tables="ct_profile ct_segment ct_segment_member ct_event ct_message ct_import_sample ct_segment_delta ct_usage_delta ct_campaign_queue"
for t in $tables; do
	psql -X -q -d benchc0 -c "COPY ctaudience.$t TO '$copydir/$t.copy'"
done
queued=$(psql -X -A -t -d benchc0 -c "SELECT count(*) || ' rows for ' || count(DISTINCT campaign_id) || ' campaigns' FROM ctaudience.ct_campaign_queue")
rows=$(psql -X -A -t -d benchc0 -c "SELECT (SELECT count(*) FROM ctaudience.ct_profile) || ' profiles, ' || (SELECT count(*) FROM ctaudience.ct_segment_member) || ' memberships, ' || (SELECT count(*) FROM ctaudience.ct_event) || ' events'")
psql -X -q -d postgres -c "DROP DATABASE benchc0"

floor_once() {
	newdb benchfloor
	for t in $tables; do psql -X -q -d benchfloor -c "ALTER TABLE ctaudience.$t DISABLE TRIGGER USER"; done
	{
		echo "TRUNCATE $(echo $tables | sed 's/\([a-z_]*\)/ctaudience.\1/g; s/ /, /g');"
		echo "CHECKPOINT;"
	} | psql -X -q -d benchfloor
	{
		echo '\timing on'
		echo "BEGIN;"
		for t in $tables; do echo "COPY ctaudience.$t FROM '$copydir/$t.copy';"; done
		echo "COMMIT;"
	} | psql -X -q -v ON_ERROR_STOP=1 -d benchfloor > "$dir/floor.out" || exit 1
	sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$dir/floor.out" | awk '{s += $1} END {printf "%.3f", s / 1000}'
	psql -X -q -d postgres -c "DROP DATABASE benchfloor"
}

rounds=${CT_BENCH_ROUNDS:-5}
cratios=""
cpuratios=""
fratios=""
detail=""
for k in $(seq "$rounds"); do
	ct_log "round $k of $rounds: import without campaigns"
	a=$(import_in bencha "$segments_sql"); echo "$a"
	psql -X -q -d postgres -c "DROP DATABASE bencha"
	ct_log "round $k of $rounds: import with 10 live campaigns"
	b=$(import_in benchb "$campaigns_sql"); echo "$b"
	psql -X -q -d postgres -c "DROP DATABASE benchb"
	ct_log "round $k of $rounds: COPY floor"
	f=$(floor_once); echo "floor: $f s"
	sa=$(echo "$a" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	sb=$(echo "$b" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	cratios="$cratios $(awk "BEGIN {printf \"%.2f\", $sb / $sa}")"
	ca=$(echo "$a" | sed 's/.*backend_cpu_s=\([0-9.]*\).*/\1/')
	cb=$(echo "$b" | sed 's/.*backend_cpu_s=\([0-9.]*\).*/\1/')
	cpuratios="$cpuratios $(awk "BEGIN {printf \"%.2f\", $cb / $ca}")"
	fratios="$fratios $(awk "BEGIN {printf \"%.2f\", $sb / $f}")"
	detail="$detail
                            round $k: without $sa s ($ca s CPU), with $sb s ($cb s CPU), floor $f s"
done
cat <<REPORT

== ctaudience campaigns benchmark: $users users, 10 live campaigns; queue: $queued
with / without campaigns:   $(printf "%.2f" "$(median $cratios)"), median of $rounds rounds:$cratios
backend CPU with / without: $(printf "%.2f" "$(median $cpuratios)"), median of $rounds rounds:$cpuratios
with campaigns / floor:     $(printf "%.2f" "$(median $fratios)"), median of $rounds rounds:$fratios
floor rows:                 $rows, the queue, and the log, samples and statistics rows$detail
REPORT
