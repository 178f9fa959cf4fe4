#!/usr/bin/env bash
# The benchmark, in one run: import throughput (the message as text, as a
# receiver passes the body it got, and cast to jsonb), the COPY floor and the ratio,
# peak backend memory, the time to read a large segment's statistics, and two
# sessions against one.  Run as root from the repository root:
#   bench/run.sh            # 100,000 users
#   bench/run.sh 1000000    # 1,000,000 users
#   CT_BENCH_ATTRIBUTES=1 bench/run.sh   # messages with user attributes too
# Figures are printed at the end; see bench/README.md for what they mean.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

. bench/lib.sh "$@"

# 0. warm-up: the same import once into a scratch database, dropped.  A
# fresh cluster must create (zero-fill and sync) every WAL segment the first
# time; the floor, which runs later, would reuse them.  Both are measured on
# a server that has done this work once.
newdb benchwarm
ct_log "warm-up import (not measured)"
"$work/driver" import "$conn dbname=benchwarm" "$msgs" 1 >/dev/null
psql -X -q -d postgres -c "DROP DATABASE benchwarm" -c "CHECKPOINT"

# 1. one session, one message per transaction
newdb bench1
psql -X -q -d bench1 -c "CHECKPOINT"
ct_log "import, 1 session"
one=$("$work/driver" import "$conn dbname=bench1" "$msgs" 1)
echo "$one"
fp1=$(fingerprint bench1)
echo "$fp1"

# 2. the largest segment's statistics, median of 21 reads (server time)
seg=$(psql -X -A -t -d bench1 -c "SELECT segment_id FROM ctaudience.ct_segment_stats ORDER BY members DESC LIMIT 1")
members=$(psql -X -A -t -d bench1 -c "SELECT members FROM ctaudience.ct_segment_stats WHERE segment_id = $seg")
deltas=$(psql -X -A -t -d bench1 -c "SELECT count(*) FROM ctaudience.ct_segment_delta WHERE segment_id = $seg")
stats_ms=$(for i in $(seq 21); do
	psql -X -A -t -d bench1 -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM ctaudience.ct_segment_stats WHERE project_id = 'BENCH' AND segment_id = $seg" \
		| python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
done | sort -g | sed -n 11p)

# 3. the rows for the COPY floor: everything the import left, copied out
# (the floor itself is measured in step 5, between the imports)
tables="ct_profile ct_segment ct_segment_member ct_event ct_message ct_import_sample ct_segment_delta ct_usage_delta"
for t in $tables; do
	psql -X -q -d bench1 -c "COPY ctaudience.$t TO '$copydir/$t.copy'"
done
rows=$(psql -X -A -t -d bench1 -c "SELECT (SELECT count(*) FROM ctaudience.ct_profile) || ' profiles, ' || (SELECT count(*) FROM ctaudience.ct_segment_member) || ' memberships, ' || (SELECT count(*) FROM ctaudience.ct_event) || ' events'")

# 3b. a segment of 1,000,000 members: ten statements of 100,000 rows, each
# with the statistics delta row the import's trigger writes for such a
# statement (the triggers derive nothing from rows written outside the
# extension's own writes), then the same read
ct_log "a segment of 1,000,000 members"
psql -X -q -d bench1 -c "INSERT INTO ctaudience.ct_segment (project_id, name, partner_segment_id) VALUES ('BENCH', 'A million', 79999)"
bigseg=$(psql -X -A -t -d bench1 -c "SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = 'BENCH' AND partner_segment_id = 79999")
for k in $(seq 0 9); do
	psql -X -q -d bench1 -c "INSERT INTO ctaudience.ct_segment_member (project_id, segment_id, ct_id, is_member, stated_at)
		SELECT 'BENCH', $bigseg, md5('member-' || g), true, now() FROM generate_series($k * 100000 + 1, ($k + 1) * 100000) g"
	psql -X -q -d bench1 -c "INSERT INTO ctaudience.ct_segment_delta (project_id, segment_id, bucket, members, added, last_sync_at)
		VALUES ('BENCH', $bigseg, date_trunc('hour', now()), 100000, 100000, now())"
done
bigmembers=$(psql -X -A -t -d bench1 -c "SELECT members FROM ctaudience.ct_segment_stats WHERE segment_id = $bigseg")
bigstats_ms=$(for i in $(seq 21); do
	psql -X -A -t -d bench1 -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM ctaudience.ct_segment_stats WHERE project_id = 'BENCH' AND segment_id = $bigseg" \
		| python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])'
done | sort -g | sed -n 11p)

# Done with bench1: dropping it empties its shared buffers, so what follows
# starts from the same buffers as the import in step 1 did.
psql -X -q -d postgres -c "DROP DATABASE bench1"

# 4. memory: one message of 10,000 profiles, as text and as jsonb
ct_log "memory, one message of 10,000 profiles"
newdb benchmem
mem=$("$work/driver" memory "$conn dbname=benchmem" "$msgs.big")
echo "$mem"
newdb benchmem
memj=$(CT_BENCH_ARG=jsonb "$work/driver" memory "$conn dbname=benchmem" "$msgs.big")
echo "$memj"
psql -X -q -d postgres -c "DROP DATABASE benchmem"

# 4b. one session again, the messages cast to jsonb for ct_import_audience(jsonb)
newdb bench1j
psql -X -q -d bench1j -c "CHECKPOINT"
ct_log "import, 1 session, jsonb argument"
onej=$(CT_BENCH_ARG=jsonb "$work/driver" import "$conn dbname=bench1j" "$msgs" 1)
echo "$onej"
psql -X -q -d postgres -c "DROP DATABASE bench1j"

# The time spent in WAL fsync: in pg_stat_wal up to 17, in pg_stat_io
# (object wal) from 18 on, each reset with its own statistics.
if [ "$(psql -X -A -t -d postgres -c "SHOW server_version_num")" -ge 180000 ]; then
	wal_stats=io
	wal_sync_sql="SELECT round(sum(fsync_time)) FROM pg_stat_io WHERE object = 'wal'"
else
	wal_stats=wal
	wal_sync_sql="SELECT round(wal_sync_time) FROM pg_stat_wal"
fi

# One import by the driver (arguments: database, sessions), printing its
# result line and the time its commits spent in WAL fsync.
import_once() {
	psql -X -q -d "$1" -c "CHECKPOINT" -c "SELECT pg_stat_reset_shared('$wal_stats')" >/dev/null
	# (set -e does not reach into $( ): a failure must end the run, not print a time)
	r=$("$work/driver" import "$conn dbname=$1" "$msgs" "$2") || exit 1
	sleep 0.5	# the backends report their WAL statistics as they exit
	echo "$r wal_sync_ms=$(psql -X -A -t -d "$1" -c "$wal_sync_sql")"
}

# The COPY floor, once: a new database, its tables emptied with user triggers
# off, a checkpoint, then the rows of step 1 COPY'd in, in one transaction;
# prints the seconds the COPY statements took.
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

# 5. rounds of: one session, the COPY floor, two sessions (on different
# messages of the same audiences, the removal wave after a barrier).  On a
# shared 2-core machine one measurement of each is not enough (single runs
# move by a third, in slow spells that last minutes), and what is compared
# must be measured alike and close together: so each round measures all
# three, every run goes into a new database after a CHECKPOINT and is
# dropped after it (so all start from the same shared buffers), each
# round gives its own two ratios (import / floor, two sessions / one), and
# the medians of those ratios over the rounds count.  Every two-session
# result must have the rows and events of step 1's single session.
rounds=${CT_BENCH_ROUNDS:-5}
[ "$rounds" -ge 1 ] || { echo "CT_BENCH_ROUNDS must be 1 or more" >&2; exit 1; }
singles=""
floors=""
fratios=""
ratios=""
detail=""
same=yes
retries2=0
for k in $(seq "$rounds"); do
	newdb benchs1
	ct_log "round $k of $rounds: import, 1 session"
	p1=$(import_once benchs1 1)
	echo "$p1"
	psql -X -q -d postgres -c "DROP DATABASE benchs1"
	ct_log "round $k of $rounds: COPY floor"
	f=$(floor_once)
	echo "floor: $f s"
	newdb bench2
	ct_log "round $k of $rounds: import, 2 sessions"
	two=$(import_once bench2 2)
	echo "$two"
	fp2=$(fingerprint bench2)
	if [ "$fp1" != "$fp2" ]; then
		same=no
		echo "1 session:"; echo "$fp1"; echo "2 sessions:"; echo "$fp2"
	fi
	psql -X -q -d postgres -c "DROP DATABASE bench2"
	s1=$(echo "$p1" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	s2=$(echo "$two" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
	singles="$singles $s1"
	floors="$floors $f"
	fratios="$fratios $(awk "BEGIN {printf \"%.2f\", $s1 / $f}")"
	ratios="$ratios $(awk "BEGIN {printf \"%.2f\", $s1 / $s2}")"
	retries2=$((retries2 + $(echo "$two" | sed 's/.*retries=\([0-9]*\).*/\1/')))
	detail="$detail
                            round $k: 1 session $s1 s (WAL fsync $(echo "$p1" | sed 's/.*wal_sync_ms=//') ms), floor $f s, 2 sessions $s2 s"
done
fratio=$(printf "%.2f" "$(median $fratios)")
ratio2=$(printf "%.2f" "$(median $ratios)")
import_s=$(median $singles)
floor_s=$(median $floors)
importj_s=$(echo "$onej" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
nprofiles=$(echo "$one" | sed 's/.*profiles=\([0-9]*\).*/\1/')
one_pps=$(awk "BEGIN {printf \"%d\", $nprofiles / $import_s}")
cat <<REPORT

== ctaudience benchmark: $users users ($(echo "$one" | sed 's/.*messages=\([0-9]*\).*/\1/') messages of up to 1,000 profiles; huge pages $huge)
ratio import / floor:       $fratio, median of $rounds rounds:$fratios
import, 1 session:          $import_s s median, $one_pps profiles/s ($(echo "$one" | sed 's/.*peak_rss_anon_above_baseline_mb=\([0-9.]*\).*/\1/') MB peak backend RssAnon above baseline)
COPY floor:                 $floor_s s median, for the same rows ($rows, and the log, samples and statistics rows)
2 sessions vs 1:            ${ratio2}x, median of $rounds rounds:$ratios x
                            same final rows and events as 1 session: $same; messages retried (40001/40P01): $retries2$detail
first import (step 1):      $(echo "$one" | sed 's/.*seconds=\([0-9.]*\).*/\1/') s, ratio to the median floor $(awk "BEGIN {printf \"%.2f\", $(echo "$one" | sed 's/.*seconds=\([0-9.]*\).*/\1/') / $floor_s}") (not in the medians)
  with a jsonb argument:    $importj_s s once, $(echo "$onej" | sed 's/.*profiles_per_s=\([0-9]*\).*/\1/') profiles/s, ratio to the median floor $(awk "BEGIN {printf \"%.2f\", $importj_s / $floor_s}")
memory, 10,000 profiles:    text: $mem
                            jsonb: $memj
segment statistics:         ${stats_ms} ms median to read segment $seg ($members members, $deltas delta rows)
                            ${bigstats_ms} ms median for a segment of $bigmembers members
REPORT
