#!/usr/bin/env bash
# ctaudience-exporter, end to end: a cluster of its own (this test stops
# and restarts PostgreSQL), a stand-in of mParticle's Events API on a
# loopback port (test/cluster/events_api.py), exporters run against both,
# the checks in test/cluster/exporter_test.py.  Run from the repository
# root as root, after make install (scripts/test.sh does both).
set -euo pipefail
. scripts/lib.sh
dir=$(mktemp -d /tmp/ctaudience-exporter.XXXXXX)
port=$(ct_free_port)
ct_cluster_start "$dir" "$port" "cron.database_name = 'ct_exporter'" >/dev/null
trap 'ct_cluster_stop "$dir"; rm -rf "$dir"' EXIT
export CT_TEST_CLUSTER=$dir CT_TEST_PG_BIN=$CT_PG_BIN
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE ct_exporter"
python3 test/cluster/exporter_test.py
