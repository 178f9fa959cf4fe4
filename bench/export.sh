#!/usr/bin/env bash
# The export's benchmark: ctaudience-exporter posting a backlog to a
# stand-in of mParticle's Events API (test/cluster/events_api.py --fast,
# on a loopback port: it parses each body and answers 202 at once), and an
# import beside it.  Run as root from the repository root:
#   bench/export.sh
# CT_BENCH_EXPORT_EVENTS (default 1,000,000) events of
# CT_BENCH_EXPORT_PROFILES (default 100,000) profiles wait in the export
# of one project (CT_BENCH_EXPORT_PROJECTS: spread over that many, each
# its own export), all events, recorded with ct_record_event after the
# export was configured, as an application's pipeline would.  Figures (see
# bench/README.md, "Export"):
#   - the export with no rate limit (--rate 0, a worker per project):
#     events per second from the exporter's start until nothing waits, the
#     exporter's peak resident memory (VmHWM) and CPU time, and where a
#     request's time goes (the post, the database's claim and result: the
#     exporter's log lines); median of CT_BENCH_ROUNDS (default 3) rounds,
#     each on a fresh copy of the backlog;
#   - bench/run.sh's import of 100,000 users (one session), alone and with
#     the exporter exporting that backlog beside it (in another database of
#     the same cluster), with the default rate limit (270 batches/s) and
#     with none: the ratio of the import's wall-clock times and of its
#     backend's CPU seconds (the driver's backend_cpu_s), median of
#     CT_BENCH_IMPORT_ROUNDS (default 5) rounds.
# Every export must deliver each event once: the stand-in's count of the
# events it accepted equals the backlog.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

. bench/lib.sh 100000

events=${CT_BENCH_EXPORT_EVENTS:-1000000}
nprofiles=${CT_BENCH_EXPORT_PROFILES:-100000}
nprojects=${CT_BENCH_EXPORT_PROJECTS:-1}
rounds=${CT_BENCH_ROUNDS:-3}
irounds=${CT_BENCH_IMPORT_ROUNDS:-5}
exporter=$CT_PG_BIN/ctaudience-exporter
apiport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret=bench-secret-$RANDOM$RANDOM
secrets=$dir/secrets
(umask 077 && echo "bench-feed-key $secret" > "$secrets")
apipid=""
xpid=""
trap '[ -z "$xpid" ] || kill "$xpid" 2>/dev/null; [ -z "$apipid" ] || kill "$apipid" 2>/dev/null;
	ct_cluster_stop "$dir"; rm -rf "$dir"; [ -z "$hp_before" ] || echo "$hp_before" > /proc/sys/vm/nr_hugepages' EXIT

# api_start / api_stop: the stand-in, fast mode; api_stop leaves its summary
# line in $dir/api.out (not to be called in a subshell: it waits for it)
api_start() {
	python3 test/cluster/events_api.py --port "$apiport" --key bench-feed-key --secret "$secret" --fast \
		>"$dir/api.out" 2>&1 &
	apipid=$!
	for _ in $(seq 100); do
		grep -q listening "$dir/api.out" 2>/dev/null && return
		sleep 0.1
	done
	echo "the stand-in did not start:"; cat "$dir/api.out"; exit 1
}
api_stop() {
	kill -TERM "$apipid"
	wait "$apipid" || true
	apipid=""
}
# xstart DATABASE [EXPORTER OPTIONS]: an exporter in the background (xpid)
xstart() {
	local db=$1
	shift
	"$exporter" --dsn "$xconn dbname=$db" --secrets "$secrets" --interval 1 "$@" 2>>"$dir/exporter.log" &
	xpid=$!
}
xstop() {
	kill -TERM "$xpid"
	wait "$xpid" || { echo "the exporter exited with $?"; tail "$dir/exporter.log"; exit 1; }
	xpid=""
}
waiting() {
	psql -X -A -t -d "$1" -c "SELECT coalesce(sum(waiting), 0) FROM ctaudience.ct_export_status"
}
# pending DATABASE: t while anything waits in an outbox, else f.  What the
# export's rounds poll, five times a second: counting the waiting rows
# (waiting) took 120 to 270 ms of a core each time, while an outbox of a
# million rows emptied, beside the backend that is measured.
pending() {
	psql -X -A -t -d "$1" -c "SELECT EXISTS (SELECT 1 FROM ctaudience.ct_export_outbox)"
}

# The backlog, once, in a template database: the projects, their exports to
# the stand-in, profiles (written directly: what an import would have made;
# profile g is project g mod N's), then the events through ct_record_event,
# which queues each for its project's export.
ct_log "the backlog: $events events of $nprofiles profiles in $nprojects project(s) (once, in a template database)"
newdb benchexport_tpl
t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -d benchexport_tpl <<SQL
SELECT count(ctaudience.ct_register_project('EXPORT-' || k, 'bench-passcode-1', 'bench-token', 'eu1')),
	   count(ctaudience.ct_configure_export(project_id => 'EXPORT-' || k, feed_key => 'bench-feed-key',
			endpoint => 'http://127.0.0.1:$apiport', export_type => 'all_events', environment => 'development'))
  FROM generate_series(1, $nprojects) k;
INSERT INTO ctaudience.ct_profile (project_id, ct_id, identity, email)
SELECT 'EXPORT-' || (g % $nprojects + 1), md5('profile-' || g), 'customer-' || g,
	   ('user' || g || '@example.com')::text::ctaudience.ct_email
  FROM generate_series(1, $nprofiles) g;
CREATE ROLE bench_exporter LOGIN IN ROLE ctaudience_exporter;
SELECT count(ctaudience.ct_record_event('EXPORT-' || ((g % $nprofiles + 1) % $nprojects + 1), md5('profile-' || (g % $nprofiles + 1)),
	(ARRAY['App Launched', 'Product Viewed', 'Added To Cart', 'Charged', 'Searched'])[g % 5 + 1],
	jsonb_build_object('Platform', 'Android', 'Product', 'p-' || (g % 997), 'Price', (g % 100) + 0.99,
					   'Category', (ARRAY['shoes', 'books', 'games'])[g % 3 + 1], 'Session', g / 7),
	now() - interval '1 day' + g * interval '50 milliseconds'))
  FROM generate_series(1, $events) g;
VACUUM ANALYZE;
SQL
setup_s=$(awk "BEGIN {printf \"%.0f\", $(date +%s.%N) - $t0}")
[ "$(waiting benchexport_tpl)" = "$events" ] || { echo "the backlog holds $(waiting benchexport_tpl) events, not $events"; exit 1; }
# the exporter connects as a role of its own, the import as the superuser
xconn="host=$dir port=$port user=bench_exporter"

copy_backlog() {
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS benchexport" -c "CREATE DATABASE benchexport TEMPLATE benchexport_tpl"
	psql -X -q -d benchexport -c "CHECKPOINT"
}

# pct FILE KEY P: the P-th percentile of KEY=value over the log lines of requests accepted
pct() {
	grep ' status=202 outcome=accepted' "$1" | grep -o " $2=[0-9.]*" | cut -d= -f2 | sort -g |
		awk -v p="$3" '{v[NR] = $1} END {printf "%.1f", NR ? v[int((NR - 1) * p / 100) + 1] : 0}'
}

# 1. the export alone, no rate limit
eps=""
rss=""
cpu=""
detail=""
ticks=$(getconf CLK_TCK)
api_start
for k in $(seq "$rounds"); do
	copy_backlog
	ct_log "round $k of $rounds: exporting $events events, --rate 0"
	: >"$dir/exporter.log"
	t0=$(date +%s.%N)
	xstart benchexport --rate 0 --workers "$nprojects"
	while [ "$(pending benchexport)" != f ]; do
		sleep 0.2
		kill -0 "$xpid" || { echo "the exporter died"; tail "$dir/exporter.log"; exit 1; }
	done
	s=$(awk "BEGIN {printf \"%.2f\", $(date +%s.%N) - $t0}")
	hwm=$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$xpid/status")
	cpus=$(awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$xpid/stat")
	xstop
	requests=$(grep -c ' status=202 outcome=accepted' "$dir/exporter.log" || true)
	sent=$(psql -X -A -t -d benchexport -c "SELECT sum(events_sent) || ' events in ' || sum(requests_sent) || ' requests, '
		|| sum(batches_sent) || ' batches' FROM ctaudience.ct_export_status")
	split="post p50 $(pct "$dir/exporter.log" ms 50) ms (p90 $(pct "$dir/exporter.log" ms 90)),"
	split="$split database (claim + result) p50 $(pct "$dir/exporter.log" db_ms 50) ms (p90 $(pct "$dir/exporter.log" db_ms 90))"
	echo "$s s, $sent; exporter peak RSS $hwm MB, CPU $cpus s; a request: $split"
	eps="$eps $(awk "BEGIN {printf \"%.0f\", $events / $s}")"
	rss="$rss $hwm"
	cpu="$cpu $cpus"
	detail="$detail
                            round $k: $s s, $sent ($requests log lines), peak RSS $hwm MB, CPU $cpus s
                                     a request: $split"
done
api_stop
summary=$(tail -n 1 "$dir/api.out")
echo "$summary"
accepted=$(echo "$summary" | sed 's/.* and \([0-9]*\) events accepted.*/\1/')
exports=$rounds
[ "$accepted" = $((events * exports)) ] || { echo "the stand-in accepted $accepted events, not $((events * exports))"; exit 1; }

# 2. the import alone and with the exporter beside it: rounds of the three,
# the order turning, each import into a new database after a checkpoint
imp_once() { # the import alone, into a new database: prints its seconds and its backend's CPU seconds
	newdb benchimp
	psql -X -q -d benchimp -c "CHECKPOINT"
	local out
	out=$("$work/driver" import "$conn dbname=benchimp" "$msgs" 1)
	psql -X -q -d postgres -c "DROP DATABASE benchimp"
	echo "$(echo "$out" | sed 's/.* seconds=\([0-9.]*\).*/\1/') $(echo "$out" | sed 's/.*backend_cpu_s=\([0-9.]*\).*/\1/')"
}
beside_once() { # beside_once RATE: the import with the exporter exporting the backlog meanwhile
	copy_backlog
	xstart benchexport --rate "$1"
	sleep 1
	local s
	s=$(imp_once)
	local left
	left=$(waiting benchexport)
	xstop
	[ "$left" != 0 ] || echo "NOTE: the exporter finished before the import (rate $1)" >&2
	echo "$s"
}
api_start
alone=""
r270=""
r0=""
c270=""
c0=""
idetail=""
for k in $(seq "$irounds"); do
	ct_log "round $k of $irounds: the import alone, beside an exporter (--rate 270), beside one with no limit"
	if [ $((k % 2)) = 1 ]; then
		a=$(imp_once); b=$(beside_once 270); c=$(beside_once 0)
	else
		c=$(beside_once 0); b=$(beside_once 270); a=$(imp_once)
	fi
	# each: "wall-clock seconds, the import backend's CPU seconds"
	set -- $a $b $c
	echo "alone $1 s (CPU $2 s), beside --rate 270 $3 s (CPU $4 s), beside --rate 0 $5 s (CPU $6 s)"
	alone="$alone $1"
	r270="$r270 $(awk "BEGIN {printf \"%.2f\", $3 / $1}")"
	r0="$r0 $(awk "BEGIN {printf \"%.2f\", $5 / $1}")"
	c270="$c270 $(awk "BEGIN {printf \"%.2f\", $4 / $2}")"
	c0="$c0 $(awk "BEGIN {printf \"%.2f\", $6 / $2}")"
	idetail="$idetail
                            round $k: alone $1 s (CPU $2 s), beside (270/s) $3 s (CPU $4 s), beside (no limit) $5 s (CPU $6 s)"
done
api_stop

cat <<REPORT

== ctaudience export benchmark: $events events of $nprofiles profiles, $nprojects project(s) (backlog made in $setup_s s; huge pages $huge)
export, no rate limit:      $(median $eps | cut -d. -f1) events/s median of $rounds rounds:$eps (target >= 50,000)
exporter peak RSS:          $(median $rss) MB median:$rss MB (target <= 64); CPU $(median $cpu) s median:$cpu s$detail
import beside the exporter: $(printf "%.2f" "$(median $r270)")x the import alone with --rate 270 (the default), median of $irounds rounds:$r270 x (target <= 1.15)
                            $(printf "%.2f" "$(median $r0)")x with no rate limit:$r0 x
  its backend's CPU:        $(printf "%.2f" "$(median $c270)")x with --rate 270:$c270 x; $(printf "%.2f" "$(median $c0)")x with no rate limit:$c0 x$idetail
every export delivered each event once: yes ($accepted events accepted by the stand-in in $exports exports)
REPORT
