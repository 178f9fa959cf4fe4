#!/usr/bin/env bash
# The import on a Citus cluster of three nodes on this machine (a
# coordinator and two workers, as test/cluster/citus.sh starts them) against
# one node, in the same run: the same messages imported through the
# coordinator (ct_import_audience(project_id, request): Citus sends each
# call to the worker that holds the project) and into a database of the
# coordinator's server without Citus; and the COPY floor of each, the rows
# of the import COPY'd in (into the distributed tables through the
# coordinator, and into the plain tables).  The three nodes share this
# machine's cores, so the figure that counts is what distribution adds to
# each message, not a speed-up.  Run as root from the repository root,
# with ../shared/citus beside it:
#   bench/citus.sh           # 50,000 users
#   bench/citus.sh 100000
# CT_BENCH_ROUNDS (default 3) rounds of: single-node import, cluster import,
# both floors; then the same messages posted to three ctaudience-receivers,
# message by message (bench/paired.py): one given a single node's database,
# two given the coordinator of distributed ones, with --route-workers off
# (each call through the coordinator, which Citus sends on) and on (the
# receiver sends each call to the worker that holds the project itself);
# what each cluster way adds per message over one node is the median of the
# per-message differences (a message sent to the three within a fraction of
# a second meets the same load on a busy machine).  Medians of the rounds
# are reported.  Also the per-row sizes of the tables on one node
# (docs/scaling.md uses them).  CT_BENCH_RECEIVER_ONLY=1: the receiver's
# rounds alone.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
users=${1:-50000}
rounds=${CT_BENCH_ROUNDS:-3}
citus_src=$(cd .. && pwd)/shared/citus
[ -f "$citus_src/build.sh" ] || { echo "bench/citus.sh needs ../shared/citus" >&2; exit 1; }
ct_install_packages
ct_build_install
bash "$citus_src/build.sh"
work=${CT_BENCH_DIR:-/tmp/ctaudience-bench}
mkdir -p "$work"
cc -O2 -Wall -o "$work/driver" bench/driver.c -I"$("$CT_PG_BIN/pg_config" --includedir)" -lpq -lpthread
msgs=$work/messages-$users.jsonl
[ -f "$msgs" ] || python3 bench/generate.py "$users" "$msgs" --big 10000

dir=$(mktemp -d /tmp/ctaudience-citusbench.XXXXXX)
chmod 755 "$dir"
nodes="coordinator worker1 worker2"
trap 'for p in ${rpids:-}; do kill "$p" 2>/dev/null; done; for n in $nodes; do ct_cluster_stop "$dir/$n"; done; rm -rf "$dir"' EXIT
declare -A port=([coordinator]=57101 [worker1]=57102 [worker2]=57103)
for n in $nodes; do
	ct_cluster_start "$dir/$n" "${port[$n]}" "shared_preload_libraries = 'citus,pg_cron'
max_prepared_transactions = 100
wal_level = logical
citus.enable_statistics_collection = off
max_connections = 60
shared_buffers = '512MB'
max_wal_size = '20GB'
checkpoint_timeout = '30min'
work_mem = '16MB'" >/dev/null
done
q() { local n=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -h "$dir/$n" -p "${port[$n]}" -U postgres "$@"; }
conn="host=$dir/coordinator port=${port[coordinator]} user=postgres"
copydir=$dir/copy
mkdir -p "$copydir" && chown postgres "$copydir"
tables="ct_profile ct_segment ct_segment_member ct_event ct_message ct_import_sample ct_segment_delta ct_usage_delta"

register="SELECT ctaudience.ct_register_project('BENCH', 'bench-passcode-1', 'bench-token', 'eu1', 'Bench', NULL, 'US')"
single_db() {
	q coordinator -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	q coordinator -d "$1" -c "CREATE EXTENSION ctaudience" -c "$register" >/dev/null
}
dist_db() {
	for n in $nodes; do
		q "$n" -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
		q "$n" -d "$1" -c "CREATE EXTENSION citus" -c "CREATE EXTENSION ctaudience"
	done
	q coordinator -d "$1" -c "SELECT citus_set_coordinator_host('$dir/coordinator', ${port[coordinator]})" \
		-c "SELECT citus_add_node('$dir/worker1', ${port[worker1]})" \
		-c "SELECT citus_add_node('$dir/worker2', ${port[worker2]})" \
		-c "SELECT ctaudience.ct_distribute()" -c "$register" >/dev/null
}
drop_dist() { for n in $nodes; do q "$n" -d postgres -c "DROP DATABASE $1 WITH (FORCE)"; done; }
rlog=$dir/receiver.log
rpids=""
# recv_start DATABASE [RECEIVER OPTIONS]: a receiver given the coordinator's
# DATABASE on a free loopback port (rport), ready when /healthz answers
recv_start() {
	local db=$1
	shift
	rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$CT_PG_BIN/ctaudience-receiver" --listen "127.0.0.1:$rport" --dsn "$conn dbname=$db" "$@" 2>>"$rlog" &
	rpids="$rpids $!"
	for _ in $(seq 100); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rport/healthz")" = 200 ] && return
		sleep 0.1
	done
	echo "the receiver did not start:"; tail "$rlog"; exit 1
}
recv_stop_all() {
	local p
	for p in $rpids; do kill -TERM "$p"; done
	for p in $rpids; do wait "$p" || { echo "a receiver exited with $?"; exit 1; }; done
	rpids=""
}
# recv_round: the messages posted by bench/paired.py, message by message, to
# three receivers: given a single node's database, and given the
# coordinator of two distributed ones, --route-workers off and on
recv_round() {
	local out ports=""
	single_db r1
	dist_db r2
	dist_db r3
	checkpoint
	recv_start r1; ports="$ports one_node=127.0.0.1:$rport"
	recv_start r2 --route-workers off; ports="$ports through_coordinator=127.0.0.1:$rport"
	recv_start r3 --route-workers on; ports="$ports to_worker=127.0.0.1:$rport"
	# shellcheck disable=SC2086
	out=$(python3 bench/paired.py "$msgs" $ports)
	recv_stop_all
	echo "$out"
	for db in r1 r2 r3; do
		[ "$(counts "$db")" = "$rows" ] || { echo "$db: the receiver imported other rows: $(counts "$db")" >&2; exit 1; }
	done
	q coordinator -d postgres -c "DROP DATABASE r1"
	drop_dist r2
	drop_dist r3
	rdsns="$rdsns $(echo "$out" | sed -n 's/^through_coordinator:.* added_median_ms=\([-0-9.]*\).*/\1/p')"
	rworkers="$rworkers $(echo "$out" | sed -n 's/^to_worker:.* added_median_ms=\([-0-9.]*\).*/\1/p')"
	rdsn_means="$rdsn_means $(echo "$out" | sed -n 's/^through_coordinator:.* added_mean_ms=\([-0-9.]*\).*/\1/p')"
	rworker_means="$rworker_means $(echo "$out" | sed -n 's/^to_worker:.* added_mean_ms=\([-0-9.]*\).*/\1/p')"
}
checkpoint() { for n in $nodes; do q "$n" -d postgres -c "CHECKPOINT"; done; }
counts() {
	q coordinator -A -t -d "$1" -c "SELECT (SELECT count(*) FROM ctaudience.ct_profile) || ' profiles, '
		|| (SELECT count(*) FROM ctaudience.ct_segment_member) || ' memberships, '
		|| (SELECT count(*) FROM ctaudience.ct_event) || ' events'"
}
seconds() { sed 's/.*seconds=\([0-9.]*\).*/\1/'; }
# the COPY statements' time (ms to s) of a psql \timing output
copy_seconds() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{s += $1} END {printf "%.3f", s / 1000}'; }
floor_sql() {
	echo '\timing on'
	echo "BEGIN;"
	for t in $tables; do echo "COPY ctaudience.$t FROM '$copydir/$t.copy';"; done
	echo "COMMIT;"
}

ct_log "warm-up: one import into each kind of database (not measured)"
single_db warm_s
"$work/driver" import "$conn dbname=warm_s" "$msgs" 1 >/dev/null
dist_db warm_d
CT_BENCH_SQL="SELECT ctaudience.ct_import_audience('BENCH', \$1::text)" PGOPTIONS="-c plan_cache_mode=force_custom_plan" \
	"$work/driver" import "$conn dbname=warm_d" "$msgs" 1 >/dev/null
# the rows of an import, for the floors; and the per-row sizes on one node
for t in $tables; do q coordinator -d warm_s -c "COPY ctaudience.$t TO '$copydir/$t.copy'"; done
rows=$(counts warm_s)
[ "$rows" = "$(counts warm_d)" ] || { echo "the cluster imported other rows: $(counts warm_d) vs $rows" >&2; exit 1; }
q coordinator -d warm_s -c "VACUUM ANALYZE"
sizes=$(q coordinator -A -t -d warm_s -F ' ' -c "
	SELECT c.relname, s.n, pg_table_size(c.oid), pg_indexes_size(c.oid),
		   round(pg_total_relation_size(c.oid)::numeric / greatest(s.n, 1))
	  FROM pg_class c
	  JOIN LATERAL (SELECT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM ctaudience.%I', c.relname), false, true, '')))[1]::text::bigint AS n) s ON true
	 WHERE c.relnamespace = 'ctaudience'::regnamespace AND c.relname IN ('ct_profile', 'ct_segment_member', 'ct_event', 'ct_segment_delta', 'ct_message')
	 ORDER BY 1")
q coordinator -d postgres -c "DROP DATABASE warm_s"
drop_dist warm_d

nmsg=0
singles="" dists="" sfloors="" dfloors="" rdsns="" rworkers="" rdsn_means="" rworker_means=""
receiver_only=${CT_BENCH_RECEIVER_ONLY:-0}
nmsg=$(grep -cv '^#$' "$msgs")
for k in $(seq "$rounds"); do
	if [ "$receiver_only" = 1 ]; then
		ct_log "round $k of $rounds: ctaudience-receiver, one node, through the coordinator, straight to the worker"
		recv_round
		continue
	fi
	ct_log "round $k of $rounds: one node"
	single_db s1; checkpoint
	r=$("$work/driver" import "$conn dbname=s1" "$msgs" 1); echo "$r"
	nmsg=$(echo "$r" | sed 's/.*messages=\([0-9]*\).*/\1/')
	singles="$singles $(echo "$r" | seconds)"
	q coordinator -d postgres -c "DROP DATABASE s1"

	ct_log "round $k of $rounds: the cluster, through the coordinator"
	dist_db d1; checkpoint
	r=$(CT_BENCH_SQL="SELECT ctaudience.ct_import_audience('BENCH', \$1::text)" PGOPTIONS="-c plan_cache_mode=force_custom_plan" \
		"$work/driver" import "$conn dbname=d1" "$msgs" 1); echo "$r"
	dists="$dists $(echo "$r" | seconds)"
	[ "$(counts d1)" = "$rows" ] || { echo "round $k: the cluster imported other rows: $(counts d1)" >&2; exit 1; }
	drop_dist d1

	ct_log "round $k of $rounds: COPY floors"
	single_db sf
	for t in $tables; do q coordinator -d sf -c "ALTER TABLE ctaudience.$t DISABLE TRIGGER USER"; done
	q coordinator -d sf -c "TRUNCATE $(echo $tables | sed 's/\([a-z_]*\)/ctaudience.\1/g; s/ /, /g')"
	checkpoint
	f=$(floor_sql | q coordinator -d sf | copy_seconds); echo "one node: $f s"
	sfloors="$sfloors $f"
	q coordinator -d postgres -c "DROP DATABASE sf"
	dist_db df
	q coordinator -d df -c "TRUNCATE $(echo $tables | sed 's/\([a-z_]*\)/ctaudience.\1/g; s/ /, /g')"
	checkpoint
	f=$(floor_sql | q coordinator -d df | copy_seconds); echo "cluster: $f s"
	dfloors="$dfloors $f"
	drop_dist df

	ct_log "round $k of $rounds: ctaudience-receiver, one node, through the coordinator, straight to the worker"
	recv_round
done

echo
echo "== ctaudience on Citus: $users users, $nmsg messages ($rows), $rounds rounds; a coordinator and two workers on this machine"
if [ "$receiver_only" != 1 ]; then
	s=$(median $singles); d=$(median $dists); sf=$(median $sfloors); df=$(median $dfloors)
	cat <<REPORT
import, one node:             $s s median ($singles )
import, through coordinator:  $d s median ($dists )
  cluster / one node:         $(awk "BEGIN {printf \"%.2f\", $d / $s}")
  added per message:          $(awk "BEGIN {printf \"%.1f\", ($d - $s) * 1000 / $nmsg}") ms
COPY floor, one node:         $sf s median ($sfloors )
COPY floor, cluster:          $df s median ($dfloors ), through the coordinator into the distributed tables
ratio import / floor:         one node $(awk "BEGIN {printf \"%.2f\", $s / $sf}"), cluster $(awk "BEGIN {printf \"%.2f\", $d / $df}")
REPORT
fi
cat <<REPORT
ctaudience-receiver, each message posted to the three in turn (bench/paired.py): added per message over one node,
the median of each round's per-message differences (and their means):
  through the coordinator (--route-workers off): $(median $rdsns) ms (rounds:$rdsns ; means:$rdsn_means )
  straight to the worker (--route-workers on):   $(median $rworkers) ms (rounds:$rworkers ; means:$rworker_means )
sizes on one node (table, rows, heap bytes, index bytes, bytes per row with indexes):
$(echo "$sizes" | sed 's/^/  /')
REPORT
