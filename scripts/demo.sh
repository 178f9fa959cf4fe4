#!/usr/bin/env bash
# Demo: a throwaway PostgreSQL 15 cluster, ctaudience installed, the sample
# mParticle audience in test/data/demo imported, segment statistics printed.
# Run as root on Debian 12: ./scripts/demo.sh   (--keep leaves the cluster running)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

keep=0
[ "${1:-}" = "--keep" ] && keep=1

ct_install_packages
ct_build_install

dir=$(mktemp -d /tmp/ctaudience-demo.XXXXXX)
port=$(ct_free_port)
ct_log "starting a throwaway cluster in $dir (port $port)"
ct_cluster_start "$dir" "$port"
if [ "$keep" = 0 ]; then
	trap 'ct_cluster_stop "$dir"; rm -rf "$dir"' EXIT
fi

ct_log "importing the sample audience"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -f scripts/demo.sql

if [ "$keep" = 1 ]; then
	ct_log "cluster left running: psql -h $dir -p $port -U postgres postgres"
	echo "stop it with: runuser -u postgres -- $CT_PG_BIN/pg_ctl -D $dir/data stop"
fi
