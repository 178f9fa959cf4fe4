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
VACUUM ANALYZE ctaudience.ct_event;"

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
	# the purge starts with the import and runs beside it
	( psql -X -A -t -d benchb -c "\\timing on" \
		-c "SELECT ctaudience.ct_purge_events('BENCH', '2021-01-01')" > "$dir/purge.out" 2>&1 ) &
	purge_pid=$!
	b=$("$work/driver" import "$conn dbname=benchb" "$msgs" 1) || exit 1
	wait "$purge_pid"
	echo "$b"
	purged=$(sed -n '1p' "$dir/purge.out")
	purge_ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$dir/purge.out")
	echo "purged $purged events in $purge_ms ms"
	left=$(psql -X -A -t -d benchb -c "SELECT count(*) FROM ctaudience.ct_event WHERE ts < '2021-01-01'")
	psql -X -q -d postgres -c "DROP DATABASE benchb"
	sa=$(echo "$a" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	sb=$(echo "$b" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	pratios="$pratios $(awk "BEGIN {printf \"%.2f\", $sb / $sa}")"
	detail="$detail
                            round $k: alone $sa s, with the purge $sb s; the purge deleted $purged events in $(awk "BEGIN {printf \"%.1f\", $purge_ms / 1000}") s ($left old left)"
done
cat <<REPORT

== ctaudience retention benchmark: $users users, $users old events purged beside the import
with purge / alone:         $(printf "%.2f" "$(median $pratios)"), median of $rounds rounds:$pratios$detail
REPORT
