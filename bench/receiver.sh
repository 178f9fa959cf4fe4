#!/usr/bin/env bash
# The benchmark's receiver mode: the same messages posted over HTTP to
# ctaudience-receiver, against the same messages through
# ct_import_audience(text) over libpq, in the same run.  Run as root from
# the repository root:
#   bench/receiver.sh           # 100,000 users
#   bench/receiver.sh 1000000   # 1,000,000 users
# Figures (see bench/README.md, "Receiver mode"):
#   - direct mode, 1 sender, against the driver's import (1 session);
#   - direct mode, 2 senders, against 1 sender;
#   - queue mode: the enqueue latency (p50, p99) of 4 senders, then the
#     inbox answered by the pg_cron job's statement; and the pipeline with
#     both at once, against the direct import;
#   - the receiver's memory while 8 senders post 10 MB bodies.
# Each round measures the direct figures close together (CT_BENCH_ROUNDS,
# default 5, in alternating order); the medians of the rounds' ratios count.  Every run's final
# rows are fingerprinted and compared with the import's.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

. bench/lib.sh "$@"

receiver=$CT_PG_BIN/ctaudience-receiver
rlog=$dir/receiver.log
rpid=""
trap '[ -z "$rpid" ] || kill "$rpid" 2>/dev/null; ct_cluster_stop "$dir"; rm -rf "$dir"; [ -z "$hp_before" ] || echo "$hp_before" > /proc/sys/vm/nr_hugepages' EXIT

# recv_start DATABASE [RECEIVER OPTIONS]: a receiver on a free loopback
# port (rport), its pid in rpid, ready when /healthz answers
recv_start() {
	local db=$1
	shift
	rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$receiver" --listen "127.0.0.1:$rport" --dsn "$conn dbname=$db" "$@" 2>>"$rlog" &
	rpid=$!
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rport/healthz")" = 200 ] && return
		sleep 0.1
	done
	echo "the receiver did not start:"; tail "$rlog"; exit 1
}
recv_stop() {
	kill -TERM "$rpid"
	wait "$rpid" || { echo "the receiver exited with $?"; exit 1; }
	rpid=""
}
field() { echo "$1" | sed "s/.* $2=\([0-9.]*\).*/\1/; s/^$2=\([0-9.]*\).*/\1/"; }
# same DB: the final rows equal the reference import's, or the run fails
same_rows() {
	local fp
	fp=$(fingerprint "$1")
	if [ "$fp" != "$fp_ref" ]; then
		echo "$1 differs from the import by ct_import_audience:"; echo "$fp_ref"; echo "$fp"
		exit 1
	fi
}
drop() { psql -X -q -d postgres -c "DROP DATABASE $1"; }
checkpoint() { psql -X -q -d "$1" -c "CHECKPOINT"; }

ct_log "warm-up import (not measured)"
newdb benchwarm
"$work/driver" import "$conn dbname=benchwarm" "$msgs" 1 >/dev/null
fp_ref=$(fingerprint benchwarm)
drop benchwarm

rounds=${CT_BENCH_ROUNDS:-5}
r_direct=""
r_two=""
detail=""
run_sql() {
	newdb benchsql
	checkpoint benchsql
	ct_log "round $k of $rounds: ct_import_audience(text) over libpq, 1 session"
	sql=$("$work/driver" import "$conn dbname=benchsql" "$msgs" 1)
	echo "$sql"
	same_rows benchsql
	drop benchsql
}
run_http() { # run_http SENDERS: sets h1 or h2
	newdb benchr
	checkpoint benchr
	recv_start benchr --pool 2
	ct_log "round $k of $rounds: receiver, direct mode, $1 sender(s)"
	local h
	h=$("$work/driver" http "127.0.0.1:$rport" "$msgs" "$1")
	echo "$h"
	recv_stop
	same_rows benchr
	drop benchr
	if [ "$1" = 1 ]; then h1=$h; else h2=$h; fi
}
for k in $(seq "$rounds"); do
	# the order alternates, so that a drift of the machine's speed over a
	# round favours neither side
	if [ $((k % 2)) = 1 ]; then
		run_sql; run_http 1; run_http 2
	else
		run_http 2; run_http 1; run_sql
	fi
	s_sql=$(field "$sql" seconds)
	s1=$(field "$h1" seconds)
	s2=$(field "$h2" seconds)
	r_direct="$r_direct $(awk "BEGIN {printf \"%.2f\", $s_sql / $s1}")"
	r_two="$r_two $(awk "BEGIN {printf \"%.2f\", $s1 / $s2}")"
	detail="$detail
                            round $k: import $s_sql s, 1 sender $s1 s (p50 $(field "$h1" p50_ms) ms), 2 senders $s2 s"
done
import_s=$(median $(echo "$detail" | sed -n 's/.*import \([0-9.]*\) s.*/\1/p'))

# A warm-up for a receiver's connections, as a receiver that has been
# running meets them: the first message a connection carries checks the
# project's passcode (PBKDF2, about 25 ms; later ones find it in the
# backend's cache) and the first large one sets up the backend's memory for
# parsing.  The first 8 messages of the file, posted again later: the
# import answers the second copy as a duplicate, as it answers the
# redeliveries the file holds, so the final rows are the same.
warm=$work/warm-up.jsonl
awk '!/^#/ {print; if (++n == 8) exit}' "$msgs" > "$warm"

# queue mode, 1: 4 senders enqueue everything (latency, after the warm-up),
# then the inbox is answered by the statement the pg_cron job of
# ct_schedule_inbox runs
newdb benchq
checkpoint benchq
recv_start benchq --mode queue --pool 4
"$work/driver" http "127.0.0.1:$rport" "$warm" 4 >/dev/null
ct_log "queue mode: 4 senders enqueue"
q1=$("$work/driver" http "127.0.0.1:$rport" "$msgs" 4)
echo "$q1"
recv_stop
ct_log "queue mode: the inbox answered by CALL ctaudience.ct_run_inbox()"
t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -d benchq -c "CALL ctaudience.ct_run_inbox(1000000)" >/dev/null
proc_s=$(awk "BEGIN {printf \"%.3f\", $(date +%s.%N) - $t0}")
pending=$(psql -X -A -t -d benchq -c "SELECT count(*) FROM ctaudience.ct_inbox WHERE status <> 'done'")
[ "$pending" = 0 ] || { echo "$pending inbox messages not done"; exit 1; }
same_rows benchq
inbox_mb=$(psql -X -A -t -d benchq -c "SELECT round(pg_total_relation_size('ctaudience.ct_inbox') / 1048576.0)")
drop benchq

# queue mode, 2: the pipeline, enqueueing and answering at once (the job's
# statement in a loop, as a pg_cron job scheduled back to back would)
newdb benchp
checkpoint benchp
recv_start benchp --mode queue --pool 4
"$work/driver" http "127.0.0.1:$rport" "$warm" 4 >/dev/null
ct_log "queue mode: the pipeline (4 senders, the inbox answered meanwhile)"
rm -f "$dir/enqueued"
(
	while :; do
		done_n=$(psql -X -A -t -v ON_ERROR_STOP=1 -d benchp -c "CALL ctaudience.ct_run_inbox(1000)" | cut -d'|' -f1)
		if [ "$done_n" = 0 ]; then
			if [ -f "$dir/enqueued" ] &&
				[ "$(psql -X -A -t -d benchp -c "SELECT count(*) FROM ctaudience.ct_inbox WHERE status <> 'done'")" = 0 ]; then
				break
			fi
			sleep 0.05	# the inbox is empty for now: no busy loop
		fi
	done
) &
worker=$!
t0=$(date +%s.%N)
q2=$("$work/driver" http "127.0.0.1:$rport" "$msgs" 4)
touch "$dir/enqueued"
wait "$worker"
pipe_s=$(awk "BEGIN {printf \"%.3f\", $(date +%s.%N) - $t0}")
echo "$q2"
echo "pipeline: $pipe_s s"
recv_stop
same_rows benchp
drop benchp

# memory: 8 senders post 16 messages of about 10 MB (28,000 profiles) each
big=$work/big-10mb.jsonl
if [ ! -f "$big" ]; then
	ct_log "generating 16 messages of 28,000 profiles"
	python3 bench/generate.py 28000 "$work/big-src.jsonl" --big 28000 >/dev/null
	python3 - "$work/big-src.jsonl.big" "$big" <<'PY'
import json, sys, uuid
m = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as out:
    for i in range(16):
        m["id"] = str(uuid.UUID(int=0x10 << 120 | i))
        m["timestamp_ms"] += 1000
        out.write(json.dumps(m) + "\n")
PY
	rm -f "$work/big-src.jsonl" "$work/big-src.jsonl.big"
fi
big_mb=$(awk '{n = length($0) > n ? length($0) : n} END {printf "%.1f", n / 1048576}' "$big")
newdb benchbig
recv_start benchbig
ct_log "receiver memory: 8 senders posting $big_mb MB bodies"
hm=$(CT_BENCH_WATCH_PID=$rpid "$work/driver" http "127.0.0.1:$rport" "$big" 8)
echo "$hm"
recv_stop
drop benchbig

cat <<REPORT

== ctaudience benchmark, receiver mode: $users users ($(field "$h1" messages) messages of up to 1,000 profiles; huge pages $huge)
direct, 1 sender / import:  $(printf "%.2f" "$(median $r_direct)") (throughput through the receiver over ct_import_audience(text) over libpq), median of $rounds rounds:$r_direct
direct, 2 senders / 1:      $(printf "%.2f" "$(median $r_two)")x, median of $rounds rounds:$r_two x$detail
queue, 4 senders enqueue:   (after a warm-up) p50 $(field "$q1" p50_ms) ms, p99 $(field "$q1" p99_ms) ms, max $(field "$q1" max_ms) ms; $(field "$q1" seconds) s for all (retries: $(field "$q1" retries)); inbox $inbox_mb MB
  inbox answered after:     $proc_s s (CALL ct_run_inbox); enqueue + answer $(awk "BEGIN {printf \"%.3f\", $(field "$q1" seconds) + $proc_s}") s, $(awk "BEGIN {printf \"%.2f\", $import_s / ($(field "$q1" seconds) + $proc_s)}") of the import's throughput
  pipeline, both at once:   $pipe_s s, $(awk "BEGIN {printf \"%.2f\", $import_s / $pipe_s}") of the import's throughput (median import $import_s s); enqueue p50 $(field "$q2" p50_ms) ms, p99 $(field "$q2" p99_ms) ms meanwhile
receiver memory:            peak RssAnon $(field "$hm" watched_peak_above_start_mb) MB above its start while 8 senders posted 16 bodies of $big_mb MB ($(field "$hm" seconds) s; pool 4, the default --max-buffered)
every run's final rows equal the import's: yes
REPORT
