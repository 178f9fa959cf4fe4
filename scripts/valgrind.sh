#!/usr/bin/env bash
# Run the regression suite against a server running under valgrind memcheck
# and report every memcheck error whose stack passes through ctaudience or
# libphonenumber.  Slow (minutes).  Run as root: ./scripts/valgrind.sh
# (Debian's PostgreSQL 15); another installation with CT_PG_BIN set to its
# programs' folder, e.g. the suite's PostgreSQL 18:
#   CT_PG_BIN=/opt/pg18/bin CT_SKIP_APT=1 ./scripts/valgrind.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v valgrind >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q valgrind; }
ct_install_packages
ct_use_pg "$CT_PG_BIN"
ct_build_install

dir=$(mktemp -d /tmp/ctaudience-valgrind.XXXXXX)
port=$(ct_free_port)
chown postgres:postgres "$dir"
# The cluster of the suite (ct_cluster_start), but for the server started
# under valgrind below.  Autovacuum stays on, since from 18 on CREATE INDEX
# sets a table's size only when it is on, but with thresholds no table
# reaches: an ANALYZE in the middle of a test that valgrind slows down
# would change the plans the test shows.
runuser -u postgres -- "$CT_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
	--encoding=UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
autovacuum_vacuum_threshold = 2147483647
autovacuum_vacuum_insert_threshold = -1
autovacuum_analyze_threshold = 2147483647
max_connections = 10
shared_preload_libraries = 'pg_cron'
cron.database_name = 'contrib_regression'
CONF
mkdir "$dir/vg" && chown postgres "$dir/vg"
runuser -u postgres -- valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes \
	--num-callers=30 --suppressions="$PWD/test/valgrind.supp" --log-file="$dir/vg/%p.log" \
	"$CT_PG_BIN/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
trap 'runuser -u postgres -- "$CT_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true' EXIT
export PGHOST=$dir PGPORT=$port PGUSER=postgres
for i in $(seq 1 120); do psql -X -d postgres -c 'select 1' >/dev/null 2>&1 && break; sleep 1; done

status=0
make -s installcheck PG_CONFIG="$CT_PG_BIN/pg_config" || status=1
runuser -u postgres -- "$CT_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
trap - EXIT

# an error report is a block of lines starting "==pid== " and ending in a blank "==pid== "
python3 - "$dir/vg" <<'PY' || status=1
import os, re, sys
d = sys.argv[1]; bad = 0; total = 0
for f in sorted(os.listdir(d)):
    text = open(os.path.join(d, f), errors="replace").read()
    for block in re.split(r"\n==\d+== \n", text):
        if not re.search(r"Invalid (read|write|free)|uninitialised|Mismatched|overlap|Source and destination", block):
            continue
        total += 1
        # a function of ours by name (not "_dl_map_object_deps (")
        if re.search(r"ctaudience|phonenumber|\bct_[a-z_]+ \(", block):
            bad += 1
            print(block[:4000]); print("-" * 60)
print(f"valgrind: {total} memcheck error reports in all, {bad} in ctaudience or libphonenumber")
sys.exit(1 if bad else 0)
PY
echo "logs in $dir/vg"
exit $status
