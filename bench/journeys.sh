#!/usr/bin/env bash
# Journeys: the clock and the import.
#  1. PROFILES profiles (default 1,000,000) wait at the hour's wait of the
#     cart journey (entry -> wait 1 hour -> bought? (did Charged since
#     entry; a tenth did) -> yes: exit; no: email -> wait 1 day -> exit),
#     all due at once; ct_advance_journeys(BATCH) moves them, called in a
#     loop (a transaction a call) by one session, then by two at once (on
#     the same rows set up again), round after round: profiles/s and the
#     ratio two callers / one.  Set up by INSERTs (profiles, memberships,
#     Partner Sync and Charged events, states with their entered and
#     waiting steps), not by imports.  Each run is checked: every profile
#     moved once (one email per profile on the no branch, the steps).
#  2. The benchmark's messages of min(PROFILES, 100,000) users imported by
#     one session into a database without journeys and into one with 5
#     live journeys entering on the import's Partner Sync events (the cart
#     journey on each of the four audiences, and a second one on Cart Drop
#     off), round after round: the ratio with / without.
# Run as root from the repository root:
#   bench/journeys.sh             # 1,000,000 profiles
#   bench/journeys.sh 100000
# CT_BENCH_BATCH (default 5000): max_profiles of a call; CT_BENCH_ROUNDS
# (default 3); CT_BENCH_BASELINE=REV (e.g. main): also ct_advance_journeys
# as of that revision, one caller, alternating with this one.  Figures at the end; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

profiles=${1:-1000000}
batch=${CT_BENCH_BATCH:-5000}
rounds=${CT_BENCH_ROUNDS:-3}
import_users=$((profiles < 100000 ? profiles : 100000))
# CT_BENCH_CLOCK_ONLY=1: only the clock (part 1) -- no messages to generate
[ "${CT_BENCH_CLOCK_ONLY:-0}" != 1 ] || import_users=100
segments_sql="INSERT INTO ctaudience.ct_segment (project_id, name, partner_segment_id) VALUES
	('BENCH', 'Cart Drop off', 71001), ('BENCH', 'Big spenders', 71002),
	('BENCH', 'Bangalore app users', 71003), ('BENCH', 'Churn risk', 71004);"
# the cart journey on the segment of partner id $1 (SQL text)
cart_journey() {
	cat <<SQL
SELECT ctaudience.ct_create_journey('BENCH', '$2', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'hour',
					   'segment_id', (SELECT segment_id FROM ctaudience.ct_segment WHERE partner_segment_id = $1)),
	'{"id": "hour", "type": "wait", "duration": "1 hour", "next": "bought?"}'::jsonb,
	'{"id": "bought?", "type": "condition", "did_event": "Charged", "yes": "out", "no": "email"}'::jsonb,
	'{"id": "email", "type": "send", "channel": "email", "next": "day"}'::jsonb,
	'{"id": "day", "type": "wait", "duration": "1 day", "next": "out"}'::jsonb,
	'{"id": "out", "type": "exit"}'::jsonb))
SQL
}

# the import's databases with 5 live journeys
journeys_sql="$segments_sql
SELECT ctaudience.ct_start_journey(($(cart_journey 71001 'Cart 1')), as_of => '2024-01-01');
SELECT ctaudience.ct_start_journey(($(cart_journey 71002 'Cart 2')), as_of => '2024-01-01');
SELECT ctaudience.ct_start_journey(($(cart_journey 71003 'Cart 3')), as_of => '2024-01-01');
SELECT ctaudience.ct_start_journey(($(cart_journey 71004 'Cart 4')), as_of => '2024-01-01');
SELECT ctaudience.ct_start_journey(ctaudience.ct_create_journey('BENCH', 'Welcome', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'hello',
					   'segment_id', (SELECT segment_id FROM ctaudience.ct_segment WHERE partner_segment_id = 71001)),
	'{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"push\", \"next\": \"out\"}'::jsonb,
	'{\"id\": \"out\", \"type\": \"exit\"}'::jsonb)), as_of => '2024-01-01');"

# CT_BENCH_PRINT_SQL=1: print the set-up of the database with journeys and
# stop, e.g. for bench/callgrind.sh:
#   CT_BENCH_SETUP_SQL="$(CT_BENCH_PRINT_SQL=1 bench/journeys.sh)" bench/callgrind.sh OUT
if [ "${CT_BENCH_PRINT_SQL:-0}" = 1 ]; then
	printf '%s\n' "$journeys_sql"
	exit 0
fi

. bench/lib.sh "$import_users"

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

# CT_BENCH_IMPORT_ONLY=1: only the import (part 2), e.g.
#   CT_BENCH_IMPORT_ONLY=1 CT_BENCH_ROUNDS=5 bench/journeys.sh 100000
# CT_BENCH_CLOCK_ONLY=1: only the clock (part 1), e.g.
#   CT_BENCH_CLOCK_ONLY=1 CT_BENCH_BASELINE=main CT_BENCH_ROUNDS=3 bench/journeys.sh 200000
import_only=${CT_BENCH_IMPORT_ONLY:-0}
clock_only=${CT_BENCH_CLOCK_ONLY:-0}

# -- 1. the clock --------------------------------------------------------
if [ "$import_only" != 1 ]; then
ct_log "setting up $profiles profiles in a journey"
newdb benchj
q -d benchj <<SQL >/dev/null
$segments_sql
SELECT ctaudience.ct_start_journey(($(cart_journey 71001 'Cart')), as_of => now() - interval '1 day');
SET session_replication_role = replica;		-- no triggers: the rows are written as an import would have
INSERT INTO ctaudience.ct_profile (project_id, ct_id, identity)
SELECT 'BENCH', 'bench-' || i, 'user-' || i FROM generate_series(1, $profiles) i;
INSERT INTO ctaudience.ct_segment_member (project_id, segment_id, ct_id, is_member, stated_at)
SELECT 'BENCH', s.segment_id, 'bench-' || i, true, now() - interval '3 hours'
  FROM generate_series(1, $profiles) i, ctaudience.ct_segment s WHERE s.partner_segment_id = 71001;
INSERT INTO ctaudience.ct_event (project_id, ct_id, event_name, ts, props)
SELECT 'BENCH', 'bench-' || i, 'Partner Sync', now() - interval '3 hours',
	   jsonb_build_object('Action', 'Added', 'Partner Segment ID', 71001, 'Segment name', 'Cart Drop off')
  FROM generate_series(1, $profiles) i;
-- a tenth bought since they entered
INSERT INTO ctaudience.ct_event (project_id, ct_id, event_name, ts, props)
SELECT 'BENCH', 'bench-' || i, 'Charged', now() - interval '2 hours', '{"Amount": 20}'
  FROM generate_series(10, $profiles, 10) i;
RESET session_replication_role;
VACUUM ANALYZE;
SQL
journey=$(q -d benchj -c "SELECT journey_id FROM ctaudience.ct_journey")
buyers=$((profiles / 10))

# the profiles waiting at the hour's wait, all due at once (a minute ago)
reset_states() {
	q -d benchj <<SQL >/dev/null
TRUNCATE ctaudience.ct_journey_state, ctaudience.ct_journey_step, ctaudience.ct_campaign_queue;
INSERT INTO ctaudience.ct_journey_state (project_id, journey_id, ct_id, node, waiting, entered_at, node_at, due_at)
SELECT 'BENCH', $journey, 'bench-' || i, 'hour', true, now() - interval '2 hours 31 minutes',
	   now() - interval '61 minutes', now() - interval '1 minute'
  FROM generate_series(1, $profiles) i;
INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
SELECT 'BENCH', $journey, 'bench-' || i, n.node, n.outcome, now() - interval '2 hours 31 minutes'
  FROM generate_series(1, $profiles) i, (VALUES ('in', 'entered'), ('hour', 'waiting')) AS n(node, outcome);
VACUUM ANALYZE ctaudience.ct_journey_state, ctaudience.ct_journey_step, ctaudience.ct_campaign_queue;
CHECKPOINT;
SQL
}

# every profile moved once: prints nothing, or what is wrong
check_moved() {
	q -d benchj <<SQL
SELECT 'due left: ' || count(*) FROM ctaudience.ct_journey_state WHERE due_at <= now() HAVING count(*) > 0;
SELECT 'queue: ' || count(*) || ' rows for ' || count(DISTINCT ct_id) || ' profiles, not $((profiles - buyers))'
  FROM ctaudience.ct_campaign_queue HAVING count(*) <> $((profiles - buyers)) OR count(DISTINCT ct_id) <> $((profiles - buyers));
SELECT 'steps: ' || string_agg(outcome || '=' || n, ' ' ORDER BY outcome)
  FROM (SELECT outcome, count(*) AS n FROM ctaudience.ct_journey_step GROUP BY 1) s
HAVING string_agg(outcome || '=' || n, ' ' ORDER BY outcome)
	   <> 'completed=$buyers entered=$profiles no=$((profiles - buyers)) passed=$profiles sent=$((profiles - buyers)) waiting=$((2 * profiles - buyers)) yes=$buyers';
SQL
}

# N callers at once, each running SQL (a loop of calls): prints the seconds until all are done and the CPU seconds of their
# backends (the machine may be shared: the CPU time is the steadier figure)
advance() {	# callers, SQL
	local start end pids=() i cpu=0
	start=$(date +%s.%N)
	for i in $(seq "$1"); do
		q -d benchj <<SQL >/dev/null &
SELECT pg_backend_pid() AS pid \gset
\setenv CT_BACKEND :pid
\! awk '{print \$14 + \$15}' /proc/\$CT_BACKEND/stat > $dir/cpu-$i.0
$2
\! awk '{print \$14 + \$15}' /proc/\$CT_BACKEND/stat > $dir/cpu-$i.1
SQL
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || exit 1; done
	end=$(date +%s.%N)
	for i in $(seq "$1"); do cpu=$((cpu + $(cat "$dir/cpu-$i.1") - $(cat "$dir/cpu-$i.0"))); done
	awk "BEGIN {printf \"%.3f %.2f\", $end - $start, $cpu / $(getconf CLK_TCK)}"
}

# The floor: the rows a run of one caller wrote (its steps, queue rows and
# states), written again by three statements (INSERT ... SELECT, UPDATE ...
# FROM) in one transaction, without the claim, the reads and the walk.
save_floor() {
	q -d benchj <<SQL >/dev/null
CREATE TABLE public.floor_step AS SELECT project_id, journey_id, ct_id, node, outcome, ts FROM ctaudience.ct_journey_step
 WHERE node <> 'in' AND NOT (node = 'hour' AND outcome = 'waiting') ORDER BY step_id;
CREATE TABLE public.floor_queue AS SELECT project_id, campaign_id, ct_id, event_name, event_ts, event_props, once, qualified_at
  FROM ctaudience.ct_campaign_queue ORDER BY queue_id;
CREATE TABLE public.floor_state AS SELECT * FROM ctaudience.ct_journey_state;
ANALYZE public.floor_step, public.floor_queue, public.floor_state;
SQL
}
floor_sql="BEGIN;
INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts) SELECT * FROM public.floor_step;
INSERT INTO ctaudience.ct_campaign_queue (project_id, campaign_id, ct_id, event_name, event_ts, event_props, once, qualified_at)
SELECT * FROM public.floor_queue;
UPDATE ctaudience.ct_journey_state x
   SET node = f.node, waiting = f.waiting, node_at = f.node_at, due_at = f.due_at, exited_at = f.exited_at, exit_reason = f.exit_reason
  FROM public.floor_state f WHERE x.project_id = f.project_id AND x.journey_id = f.journey_id AND x.ct_id = f.ct_id;
COMMIT;"

# CT_BENCH_BASELINE=REV: each round also runs ct_advance_journeys as of
# that revision of the repository (one caller), for a ratio measured in the
# same run
modes="1 2 floor"
if [ -n "${CT_BENCH_BASELINE:-}" ]; then
	git show "$CT_BENCH_BASELINE:sql/functions/ct_advance_journeys--0.3.0.sql" |
		sed 's/ctaudience\.ct_advance_journeys(/ctaudience.ct_advance_journeys_baseline(/; s/ctaudience\.ct_advance_project_journeys(/ctaudience.ct_advance_project_journeys_baseline(/g' | q -d benchj >/dev/null
	# its claim's index, where that revision's differs (both then write both)
	base_idx=$(git show "$CT_BENCH_BASELINE:sql/tables/ct_journey_state--0.3.0.sql" | grep -o 'CREATE INDEX ct_journey_state_due_idx ON [^;]*' || true)
	if [ -n "$base_idx" ] && ! grep -qF "$base_idx" sql/tables/ct_journey_state--0.3.0.sql; then
		echo "${base_idx/ct_journey_state_due_idx/ct_journey_state_due_baseline_idx};" | q -d benchj >/dev/null
	fi
	modes="baseline 1 2 floor"
fi
one_rates=""
one_cpu=""
two_rates=""
two_cpu=""
ratios=""
floor_ratios=""
base_ratios=""
base_cpu_ratios=""
for k in $(seq "$rounds"); do
	for mode in $modes; do
		callers=1
		fn=ctaudience.ct_advance_journeys
		case $mode in
		baseline) fn=ctaudience.ct_advance_journeys_baseline ;;
		2) callers=2 ;;
		esac
		sql="DO \$\$ BEGIN LOOP EXIT WHEN $fn($batch) = 0; COMMIT; END LOOP; END \$\$;"
		[ "$mode" != floor ] || sql=$floor_sql
		ct_log "round $k of $rounds: $profiles due profiles, $mode ($callers session(s))"
		reset_states
		read -r s cpu <<<"$(advance "$callers" "$sql")"
		[ "$mode" != 1 ] || [ "$k" != 1 ] || save_floor
		bad=$(check_moved)
		[ -z "$bad" ] || { echo "$bad"; exit 1; }
		rate=$(awk "BEGIN {printf \"%.0f\", $profiles / $s}")
		crate=$(awk "BEGIN {printf \"%.0f\", $profiles / $cpu}")
		echo "$mode: $s s, $rate profiles/s; backends' CPU $cpu s, $crate profiles per CPU second"
		case $mode in
		baseline) base=$rate; base_cpu=$crate ;;
		1) one=$rate; one_rates="$one_rates $rate"; one_cpu="$one_cpu $crate"
		   if [ -n "${base:-}" ]; then
			   base_ratios="$base_ratios $(awk "BEGIN {printf \"%.2f\", $rate / $base}")"
			   base_cpu_ratios="$base_cpu_ratios $(awk "BEGIN {printf \"%.2f\", $crate / $base_cpu}")"
		   fi ;;
		2) two_rates="$two_rates $rate"; two_cpu="$two_cpu $crate"
		   ratios="$ratios $(awk "BEGIN {printf \"%.2f\", $rate / $one}")" ;;
		floor) floor_ratios="$floor_ratios $(awk "BEGIN {printf \"%.2f\", $rate / $one}")" ;;
		esac
	done
done
psql -X -q -d postgres -c "DROP DATABASE benchj"
fi

# -- 2. the import -------------------------------------------------------
import_in() {	# database, setup SQL: prints the driver's result line
	CT_BENCH_SETUP_SQL="$2" newdb "$1"
	psql -X -q -d "$1" -c "CHECKPOINT"
	"$work/driver" import "$conn dbname=$1" "$msgs" 1 || exit 1
}
if [ "$clock_only" != 1 ]; then
ct_log "warm-up import with journeys (not measured)"
	import_in benchi0 "$journeys_sql" >/dev/null
	entered=$(q -d benchi0 -c "SELECT count(*) || ' entries of ' || count(DISTINCT ct_id) || ' profiles into ' || count(DISTINCT journey_id) || ' journeys' FROM ctaudience.ct_journey_state")
	psql -X -q -d postgres -c "DROP DATABASE benchi0"
	iratios=""
	icpu=""
	idetail=""
	for k in $(seq "$rounds"); do
		ct_log "round $k of $rounds: import without journeys"
		a=$(import_in bencha "$segments_sql"); echo "$a"
		psql -X -q -d postgres -c "DROP DATABASE bencha"
		ct_log "round $k of $rounds: import with 5 live journeys"
		b=$(import_in benchb "$journeys_sql"); echo "$b"
		psql -X -q -d postgres -c "DROP DATABASE benchb"
		sa=$(echo "$a" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
		sb=$(echo "$b" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
		iratios="$iratios $(awk "BEGIN {printf \"%.2f\", $sb / $sa}")"
		ca=$(echo "$a" | sed 's/.*backend_cpu_s=\([0-9.]*\).*/\1/')
		cb=$(echo "$b" | sed 's/.*backend_cpu_s=\([0-9.]*\).*/\1/')
		icpu="$icpu $(awk "BEGIN {printf \"%.2f\", $cb / $ca}")"
		idetail="$idetail
                            round $k: without $sa s, with $sb s"
	done
fi

clock_report=""
[ "$import_only" = 1 ] || clock_report="one caller:                 $(printf "%.0f" "$(median $one_rates)") profiles/s, median of $rounds rounds:$one_rates
                            $(printf "%.0f" "$(median $one_cpu)") per CPU second of its backend:$one_cpu
two callers:                $(printf "%.0f" "$(median $two_rates)") profiles/s, median of $rounds rounds:$two_rates
                            $(printf "%.0f" "$(median $two_cpu)") per CPU second of their backends:$two_cpu
two callers / one:          $(printf "%.2f" "$(median $ratios)"), median of $rounds rounds:$ratios
one caller's time / floor:  $(printf "%.2f" "$(median $floor_ratios)"), median of $rounds rounds:$floor_ratios
$([ -z "$base_ratios" ] || echo "one caller / $CT_BENCH_BASELINE:  $(printf "%.2f" "$(median $base_ratios)") (profiles/s), $(printf "%.2f" "$(median $base_cpu_ratios)") (per CPU second), medians of:$base_ratios;$base_cpu_ratios")"
cat <<REPORT

== ctaudience journeys benchmark: $profiles due profiles (batches of $batch), $([ "$clock_only" = 1 ] && echo "the clock only" || echo "import of $import_users users")
$clock_report
$([ "$clock_only" = 1 ] || echo "import with / without 5 live journeys: $(printf "%.2f" "$(median $iratios)"), median of $rounds rounds:$iratios
                            $(printf "%.2f" "$(median $icpu)") in the backend's CPU time:$icpu
                            ($entered)$idetail")
REPORT
