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
# both floors; then the same messages posted to ctaudience-receiver (driver
# http, one sender) given the single node, and given the coordinator with
# --route-workers off (each call through the coordinator, which Citus sends
# on) and on (the receiver sends each call to the worker that holds the
# project itself), the last two in alternating order; medians are reported,
# with what each way adds per message over one node.  Also the per-row
# sizes of the tables on one node (docs/scaling.md uses them).
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
trap '[ -z "${rpid:-}" ] || kill "$rpid" 2>/dev/null; for n in $nodes; do ct_cluster_stop "$dir/$n"; done; rm -rf "$dir"' EXIT
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
rpid=""
# recv_start DATABASE [RECEIVER OPTIONS]: a receiver given the coordinator's
# DATABASE on a free loopback port (rport), ready when /healthz answers
recv_start() {
	local db=$1
	shift
	rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$CT_PG_BIN/ctaudience-receiver" --listen "127.0.0.1:$rport" --dsn "$conn dbname=$db" "$@" 2>>"$rlog" &
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
# recv_run DATABASE KIND [RECEIVER OPTIONS]: the messages through a receiver
# given DATABASE (KIND single or dist, made here, checked and dropped): seconds
recv_run() {
	local db=$1 kind=$2 r
	shift 2
	if [ "$kind" = single ]; then single_db "$db"; else dist_db "$db"; fi
	checkpoint
	recv_start "$db" "$@"
	r=$("$work/driver" http "127.0.0.1:$rport" "$msgs" 1)
	echo "$r" >&2
	recv_stop
	[ "$(counts "$db")" = "$rows" ] || { echo "$db: the receiver imported other rows: $(counts "$db")" >&2; exit 1; }
	if [ "$kind" = single ]; then q coordinator -d postgres -c "DROP DATABASE $db"; else drop_dist "$db"; fi
	echo "$r" | seconds
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
singles="" dists="" sfloors="" dfloors="" rsingles="" rdsns="" rworkers="" radded_dsn="" radded_worker=""
for k in $(seq "$rounds"); do
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

	ct_log "round $k of $rounds: ctaudience-receiver, one node; given the coordinator, routing off and on"
	rs=$(recv_run r1 single)
	if [ $((k % 2)) = 1 ]; then
		rd=$(recv_run r2 dist --route-workers off); rw=$(recv_run r3 dist --route-workers on)
	else
		rw=$(recv_run r3 dist --route-workers on); rd=$(recv_run r2 dist --route-workers off)
	fi
	echo "receiver: one node $rs s, through the coordinator $rd s, straight to the worker $rw s"
	rsingles="$rsingles $rs" rdsns="$rdsns $rd" rworkers="$rworkers $rw"
	radded_dsn="$radded_dsn $(awk "BEGIN {printf \"%.1f\", ($rd - $rs) * 1000 / $nmsg}")"
	radded_worker="$radded_worker $(awk "BEGIN {printf \"%.1f\", ($rw - $rs) * 1000 / $nmsg}")"
done
rs=$(median $rsingles); rd=$(median $rdsns); rw=$(median $rworkers)

s=$(median $singles); d=$(median $dists); sf=$(median $sfloors); df=$(median $dfloors)
cat <<REPORT

== ctaudience on Citus: $users users, $nmsg messages ($rows), $rounds rounds; a coordinator and two workers on this machine
import, one node:             $s s median ($singles )
import, through coordinator:  $d s median ($dists )
  cluster / one node:         $(awk "BEGIN {printf \"%.2f\", $d / $s}")
  added per message:          $(awk "BEGIN {printf \"%.1f\", ($d - $s) * 1000 / $nmsg}") ms
COPY floor, one node:         $sf s median ($sfloors )
COPY floor, cluster:          $df s median ($dfloors ), through the coordinator into the distributed tables
ratio import / floor:         one node $(awk "BEGIN {printf \"%.2f\", $s / $sf}"), cluster $(awk "BEGIN {printf \"%.2f\", $d / $df}")
ctaudience-receiver (driver http, 1 sender):
  one node:                   $rs s median ($rsingles )
  cluster, through the coordinator (--route-workers off): $rd s median ($rdsns )
    added per message:        $(awk "BEGIN {printf \"%.1f\", ($rd - $rs) * 1000 / $nmsg}") ms (rounds:$radded_dsn )
  cluster, straight to the worker (--route-workers on):   $rw s median ($rworkers )
    added per message:        $(awk "BEGIN {printf \"%.1f\", ($rw - $rs) * 1000 / $nmsg}") ms (rounds:$radded_worker )
sizes on one node (table, rows, heap bytes, index bytes, bytes per row with indexes):
$(echo "$sizes" | sed 's/^/  /')
REPORT
