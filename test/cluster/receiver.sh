#!/usr/bin/env bash
# ctaudience-receiver, end to end: a cluster of its own (this test stops
# and restarts PostgreSQL), receivers on loopback ports, the checks in
# test/cluster/receiver_test.py.  Run from the repository root as root,
# after make install (scripts/test.sh does both).
set -euo pipefail
. scripts/lib.sh
dir=$(mktemp -d /tmp/ctaudience-receiver.XXXXXX)
port=$(ct_free_port)
# pg_cron runs its jobs in background workers (the cluster listens on no TCP port)
ct_cluster_start "$dir" "$port" "cron.database_name = 'ct_receiver'
cron.use_background_workers = on
max_worker_processes = 16" >/dev/null
trap 'ct_cluster_stop "$dir"; rm -rf "$dir"' EXIT
export CT_TEST_CLUSTER=$dir CT_TEST_PG_BIN=$CT_PG_BIN
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE ct_receiver"
python3 test/cluster/receiver_test.py
