#!/usr/bin/env bash
# ctaudience on a Citus cluster: a coordinator and two workers started
# here (Unix sockets in a directory of their own, stopped at the end),
# Citus built from ../shared/citus, ctaudience on every node,
# ct_distribute(); then test/cluster/citus_test.py imports the same
# messages for eight projects into the cluster and into a single-node
# database and compares them (see its docstring).  Skipped, with a notice,
# where ../shared/citus is absent, and on a PostgreSQL that its Citus
# (13.2) does not build for: 18 and later.  From the repository root, as
# root.  Another test's checks run on such a cluster the same way:
#   test/cluster/citus.sh test/cluster/OTHER_test.py 'what it tests'
# (test/cluster/citus_upgrade.sh).
set -euo pipefail
. scripts/lib.sh
checks=${1:-test/cluster/citus_test.py}
what=${2:-the Citus cluster test}
citus_src=$(cd .. && pwd)/shared/citus
if [ ! -f "$citus_src/build.sh" ]; then
	echo "NOTICE: ../shared/citus is absent: $what is SKIPPED"
	exit 0
fi
major=$("$CT_PG_BIN/pg_config" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
if [ "$major" -ge 18 ]; then
	echo "NOTICE: Citus 13.2 (../shared/citus) supports PostgreSQL 15 to 17, not $major: $what is SKIPPED"
	exit 0
fi
PG_CONFIG="$CT_PG_BIN/pg_config" bash "$citus_src/build.sh"

dir=$(mktemp -d /tmp/ctaudience-citus.XXXXXX)
chmod 755 "$dir"
stop_all() {
	local rc=$? node
	for node in coordinator worker1 worker2; do ct_cluster_stop "$dir/$node"; done
	# a server process that died of a signal fails the test whatever the
	# checks said; after a failure the nodes' last log lines are shown
	if grep -H -E "terminated by signal|PANIC" "$dir"/*/server.log 2>/dev/null; then
		echo "not ok - a server process of the cluster died of a signal (lines above)"
		rc=1
	fi
	if [ "$rc" != 0 ]; then
		for node in coordinator worker1 worker2; do
			echo "# the last lines of $node's log:"
			tail -n 40 "$dir/$node/server.log" 2>/dev/null | sed 's/^/#   /'
		done
	fi
	rm -rf "$dir"
	exit "$rc"
}
trap stop_all EXIT
n=0
for node in coordinator worker1 worker2; do
	n=$((n + 1))
	ct_cluster_start "$dir/$node" "5700$n" "shared_preload_libraries = 'citus,pg_cron'
max_prepared_transactions = 100
wal_level = logical
citus.enable_statistics_collection = off
citus.local_hostname = '$dir/$node'
track_functions = 'all'
cron.database_name = 'ct_citus'
cron.use_background_workers = on
max_worker_processes = 16" >/dev/null
done
export CT_CITUS_DIR=$dir CT_TEST_PG_BIN=$CT_PG_BIN
python3 "$checks"
