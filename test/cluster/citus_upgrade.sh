#!/usr/bin/env bash
# A Citus cluster running ctaudience 0.2.0, updated in place to this
# version the way docs/scaling.md says (ALTER EXTENSION ctaudience UPDATE
# on the coordinator, then ct_distribute() again): a coordinator and two
# workers started here as by test/cluster/citus.sh (Unix sockets in a
# directory of their own, stopped at the end); the checks are
# test/cluster/citus_upgrade_test.py's (see its docstring).  Skipped, with
# a notice, where ../shared/citus is absent, and on PostgreSQL 18 and
# later.  From the repository root, as root.
set -euo pipefail
. scripts/lib.sh
citus_src=$(cd .. && pwd)/shared/citus
if [ ! -f "$citus_src/build.sh" ]; then
	echo "NOTICE: ../shared/citus is absent: the Citus upgrade test is SKIPPED"
	exit 0
fi
major=$("$CT_PG_BIN/pg_config" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
if [ "$major" -ge 18 ]; then
	echo "NOTICE: Citus 13.2 (../shared/citus) supports PostgreSQL 15 to 17, not $major: the Citus upgrade test is SKIPPED"
	exit 0
fi
PG_CONFIG="$CT_PG_BIN/pg_config" bash "$citus_src/build.sh"

dir=$(mktemp -d /tmp/ctaudience-citus-upgrade.XXXXXX)
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
python3 test/cluster/citus_upgrade_test.py
