#!/usr/bin/env bash
# Import at scale: the same kind of messages for each number of users given
# (default 1,000,000 and 10,000,000), made by generate.py --chunked so the
# generator needs a few megabytes whatever the count.  For each count, in
# one cluster and one run: one session imports every message (one message a
# transaction, the text argument) into a new database, every row it left is
# copied out, and the COPY floor of those rows is measured as bench/run.sh
# does; the report gives profiles/s, the ratio to the floor, and each count's
# profiles/s against the first count's.  Run as root from the repository root:
#   bench/scale.sh                      # 1,000,000 then 10,000,000 users
#   bench/scale.sh 100000 1000000
# The 10,000,000-user run needs about 40 GB of disk and an hour on a 2-core
# machine; see bench/README.md ("At scale").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

sizes=("${@:-1000000}")
[ $# -gt 0 ] || sizes=(1000000 10000000)
export CT_BENCH_CHUNKED=1
. bench/lib.sh "${sizes[0]}"

tables="ct_profile ct_segment ct_segment_member ct_event ct_message ct_import_sample ct_segment_delta ct_usage_delta"
field() { echo "$1" | sed "s/.* $2=\\([0-9.]*\\).*/\\1/; s/^$2=\\([0-9.]*\\).*/\\1/"; }

# a warm-up import of the first count, not measured: a new cluster creates
# (zero-fills and syncs) each WAL segment the first time, the floors after
# it reuse them
newdb benchwarm
ct_log "warm-up import of ${sizes[0]} users (not measured)"
"$work/driver" import "$conn dbname=benchwarm" "$msgs" 1 >/dev/null
psql -X -q -d postgres -c "DROP DATABASE benchwarm" -c "CHECKPOINT"

report=""
base_pps=""
for n in "${sizes[@]}"; do
	m=$work/messages-$n-chunked.jsonl
	if [ ! -f "$m" ]; then
		ct_log "generating $n users"
		/usr/bin/time -f "generator: %e s, %M KB peak memory" python3 bench/generate.py "$n" "$m" --chunked
	fi
	newdb benchscale
	psql -X -q -d benchscale -c "CHECKPOINT"
	ct_log "import of $n users, 1 session"
	r=$("$work/driver" import "$conn dbname=benchscale" "$m" 1) || exit 1
	echo "$r"
	rows=$(psql -X -A -t -d benchscale -c "SELECT (SELECT count(*) FROM ctaudience.ct_profile) || ' profiles, ' || (SELECT count(*) FROM ctaudience.ct_segment_member) || ' memberships, ' || (SELECT count(*) FROM ctaudience.ct_event) || ' events'")
	size=$(psql -X -A -t -d benchscale -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
	for t in $tables; do
		psql -X -q -d benchscale -c "COPY ctaudience.$t TO '$copydir/$t.copy'"
	done
	psql -X -q -d postgres -c "DROP DATABASE benchscale"
	ct_log "COPY floor of $n users' rows"
	f=$(copy_floor)
	rm -f "$copydir"/*.copy
	s=$(field "$r" seconds)
	pps=$(field "$r" profiles_per_s)
	[ -n "$base_pps" ] || base_pps=$pps
	report="$report
$(printf '%-11s' "$n users:") import $s s ($(field "$r" backend_cpu_s) s CPU), $pps profiles/s ($(awk "BEGIN {printf \"%.2f\", $pps / $base_pps}") of the first count's), floor $f s, ratio $(awk "BEGIN {printf \"%.2f\", $s / $f}")
            $rows; database $size"
done
cat <<REPORT

== ctaudience at scale (one session, text argument, one message a transaction; huge pages $huge)$report
REPORT
