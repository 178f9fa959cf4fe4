#!/usr/bin/env bash
# ctaudience-exporter, end to end: a cluster of its own (this test stops
# and restarts PostgreSQL), a stand-in of mParticle's Events API on a
# loopback port (test/cluster/events_api.py), exporters run against both,
# the checks in test/cluster/exporter_test.py.  Then, where ../shared/citus
# is present and builds for this PostgreSQL (up to 17), the same exporter
# through a Citus coordinator with two workers (exporter_test.py --citus;
# skipped with a notice otherwise).  Run
# from the repository root as root, after make install (scripts/test.sh
# does both).
set -euo pipefail
. scripts/lib.sh
dir=$(mktemp -d /tmp/ctaudience-exporter.XXXXXX)
chmod 755 "$dir"
port=$(ct_free_port)
stop_all() {
	for node in single citus/coordinator citus/worker1 citus/worker2; do ct_cluster_stop "$dir/$node"; done
	rm -rf "$dir"
}
trap stop_all EXIT
ct_cluster_start "$dir/single" "$port" "cron.database_name = 'ct_exporter'" >/dev/null
export CT_TEST_CLUSTER=$dir/single CT_TEST_PG_BIN=$CT_PG_BIN
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE ct_exporter"
status=0
python3 test/cluster/exporter_test.py || status=1
ct_cluster_stop "$dir/single"

citus_src=$(cd .. && pwd)/shared/citus
if [ ! -f "$citus_src/build.sh" ]; then
	echo "NOTICE: ../shared/citus is absent: the exporter through a Citus coordinator is SKIPPED"
	exit $status
fi
major=$("$CT_PG_BIN/pg_config" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
if [ "$major" -ge 18 ]; then
	echo "NOTICE: Citus 13.2 (../shared/citus) supports PostgreSQL 15 to 17, not $major: the exporter through a Citus coordinator is SKIPPED"
	exit $status
fi
PG_CONFIG="$CT_PG_BIN/pg_config" bash "$citus_src/build.sh" >/dev/null
mkdir -p "$dir/citus"
chmod 755 "$dir/citus"
n=0
for node in coordinator worker1 worker2; do
	n=$((n + 1))
	nport=$(ct_free_port)
	# a socket directory of their own each, but one port space: ports must differ
	[ "$n" = 1 ] || nport=$((prev + 1))
	prev=$nport
	ct_cluster_start "$dir/citus/$node" "$nport" "shared_preload_libraries = 'citus'
max_prepared_transactions = 100
wal_level = logical
citus.enable_statistics_collection = off
track_functions = 'all'" >/dev/null
	export "CT_CITUS_PORT_${node^^}=$nport"
done
export CT_CITUS_DIR=$dir/citus CT_TEST_CLUSTER=$dir/citus/coordinator PGHOST=$dir/citus/coordinator
export PGPORT=$CT_CITUS_PORT_COORDINATOR
python3 test/cluster/exporter_test.py --citus || status=1
exit $status
