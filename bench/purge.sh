#!/usr/bin/env bash
# Event retention beside the import: the benchmark's messages imported by
# one session into a database that already holds old events (as many as
# there are users, dated 2020), once alone and once while another session
# runs ct_purge_events over those old events, round after round.  Run as
# root from the repository root:
#   bench/purge.sh 1000000        # default 100,000 users
# Figures at the end; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

. bench/lib.sh "$@"

old_events_sql="INSERT INTO ctaudience.ct_event (project_id, ct_id, event_name, ts, props)
SELECT 'BENCH', md5('old' || i), 'Partner Sync', timestamptz '2020-01-01' + i * interval '1 second',
	   '{\"Partner Segment Name\": \"Old\", \"Action\": \"Added\", \"Partner Segment ID\": 70000, \"CT Source\": \"mParticle\", \"Partner Name\": \"mParticle\"}'
  FROM generate_series(1, $users) i;
ANALYZE ctaudience.ct_event;"

import_in() {	# database: prints the driver's result line
	psql -X -q -d "$1" -c "CHECKPOINT"
	"$work/driver" import "$conn dbname=$1" "$msgs" 1 || exit 1
}

ct_log "warm-up import (not measured)"
CT_BENCH_SETUP_SQL="$old_events_sql" newdb benchp0
import_in benchp0 >/dev/null
psql -X -q -d postgres -c "DROP DATABASE benchp0"

rounds=${CT_BENCH_ROUNDS:-3}
pratios=""
detail=""
for k in $(seq "$rounds"); do
	CT_BENCH_SETUP_SQL="$old_events_sql" newdb bencha
	ct_log "round $k of $rounds: import alone"
	a=$(import_in bencha); echo "$a"
	psql -X -q -d postgres -c "DROP DATABASE bencha"

	CT_BENCH_SETUP_SQL="$old_events_sql" newdb benchb
	psql -X -q -d benchb -c "CHECKPOINT"
	ct_log "round $k of $rounds: import while ct_purge_events runs"
	# beside the import, a session purges again and again: first the old
	# events, then the import's own events older than an hour (message
	# time) before the newest, until the import ends
	"$work/driver" import "$conn dbname=benchb" "$msgs" 1 > "$dir/import.out" &
	import_pid=$!
	: > "$dir/purge.out"
	while kill -0 "$import_pid" 2>/dev/null; do
		psql -X -A -t -d benchb -c "SELECT n || ' ' || round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)
			FROM ctaudience.ct_purge_events('BENCH', coalesce((SELECT max(ts) FROM ctaudience.ct_event), now()) - interval '1 hour') n" \
			>> "$dir/purge.out"
		sleep 1
	done
	wait "$import_pid" || exit 1
	b=$(cat "$dir/import.out")
	echo "$b"
	purges=$(wc -l < "$dir/purge.out")
	purged=$(awk '{s += $1} END {print s + 0}' "$dir/purge.out")
	purge_ms=$(awk '{s += $2} END {print s + 0}' "$dir/purge.out")
	echo "$purges purges deleted $purged events in $purge_ms ms"
	left=$(psql -X -A -t -d benchb -c "SELECT count(*) FROM ctaudience.ct_event WHERE ts < '2021-01-01'")
	fp_b=$(psql -X -A -t -d benchb -c "SELECT count(*) FROM ctaudience.ct_segment_member WHERE is_member")
	psql -X -q -d postgres -c "DROP DATABASE benchb"
	sa=$(echo "$a" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	sb=$(echo "$b" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	pratios="$pratios $(awk "BEGIN {printf \"%.2f\", $sb / $sa}")"
	detail="$detail
                            round $k: alone $sa s, with purges $sb s; $purges purges deleted $purged events in $(awk "BEGIN {printf \"%.1f\", $purge_ms / 1000}") s ($left of the 2020 events left; $fp_b members)"
done
cat <<REPORT

== ctaudience retention benchmark: $users users; beside the import, ct_purge_events again and again ($users events of 2020, then the import's own older than an hour)
with purge / alone:         $(printf "%.2f" "$(median $pratios)"), median of $rounds rounds:$pratios$detail
REPORT
