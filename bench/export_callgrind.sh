#!/usr/bin/env bash
# Instructions, not seconds, for the export's database side: a backlog as
# bench/export.sh makes it (EVENTS events of PROFILES profiles, one
# project), then every request of it claimed and answered (202, nothing
# posted; ct_export_result of ct_export_claim, one statement and one
# transaction each) in a single-user backend (postgres --single, a
# throwaway data directory) under valgrind's callgrind, with the
# ctaudience installed in $CT_PG_BIN's PostgreSQL, counting inside
# ct_export_claim and ct_export_result only.  Counts do not move with the
# other processes of a shared machine, as seconds do; they leave out cache
# misses and the WAL flush, and valgrind's CPU has no SHA extensions (the
# digests count several times what they cost).  Run as root from the
# repository root, with the version to count installed:
#   bench/export_callgrind.sh OUT [EVENTS] [PROFILES]   # default 300000 30000
# OUT is callgrind's file (callgrind_annotate --inclusive=yes OUT reads
# it).  Prints the totals, the requests and events, and the md5 of all
# source_request_ids in order: two versions that build the same requests
# print the same (the events' times are fixed, not now(), for that).
# About 5 minutes for the defaults on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

out=${1:?usage: bench/export_callgrind.sh OUT [EVENTS] [PROFILES]}
events=${2:-300000}
nprofiles=${3:-30000}
command -v valgrind >/dev/null || { echo "bench/export_callgrind.sh needs valgrind" >&2; exit 1; }
bin=$CT_PG_BIN
d=$(mktemp -d /tmp/ctaudience-export-callgrind.XXXXXX)
trap 'rm -rf "$d"' EXIT
chown postgres "$d"
runuser -u postgres -- "$bin/initdb" -D "$d/data" -U postgres --auth=trust >/dev/null
# one statement a line, as single-user mode reads them
cat >"$d/setup.sql" <<SQL
CREATE EXTENSION ctaudience CASCADE;
SELECT ctaudience.ct_register_project('EXPORT-1', 'bench-passcode-1', 'bench-token', 'eu1') IS NULL;
SELECT ctaudience.ct_configure_export(project_id => 'EXPORT-1', feed_key => 'bench-feed-key', endpoint => 'http://127.0.0.1:1', export_type => 'all_events', environment => 'development') IS NULL;
INSERT INTO ctaudience.ct_profile (project_id, ct_id, identity, email) SELECT 'EXPORT-1', md5('profile-' || g), 'customer-' || g, ('user' || g || '@example.com')::text::ctaudience.ct_email FROM generate_series(1, $nprofiles) g;
SELECT count(ctaudience.ct_record_event('EXPORT-1', md5('profile-' || (g % $nprofiles + 1)), (ARRAY['App Launched', 'Product Viewed', 'Added To Cart', 'Charged', 'Searched'])[g % 5 + 1], jsonb_build_object('Platform', 'Android', 'Product', 'p-' || (g % 997), 'Price', (g % 100) + 0.99, 'Category', (ARRAY['shoes', 'books', 'games'])[g % 3 + 1], 'Session', g / 7), '2026-01-01'::timestamptz + g * interval '50 milliseconds')) FROM generate_series(1, $events) g;
VACUUM ANALYZE;
CHECKPOINT;
SQL
# a request holds about 790 of these events: claims to spare, the last ones
# find nothing (ct_export_result of NULL: an error, counted out below)
n=$((events / 700 + 5))
{
	echo "SELECT count(*) FROM ctaudience.ct_event;"
	echo "SELECT count(*) FROM ctaudience.ct_export_outbox;"
	for _ in $(seq "$n"); do
		echo "SELECT ctaudience.ct_export_result('EXPORT-1', (SELECT request_id FROM ctaudience.ct_export_claim('EXPORT-1', 60)), 202, NULL, NULL);"
	done
	echo "SELECT 'drained ' || count(*) || ' requests ' || sum(events) || ' events ' || md5(string_agg(source_request_id::text, ',' ORDER BY request_id)) || ' waiting ' || (SELECT count(*) FROM ctaudience.ct_export_outbox) FROM ctaudience.ct_export_request;"
} >"$d/run.sql"
chmod 644 "$d"/*.sql
runuser -u postgres -- "$bin/postgres" --single -D "$d/data" -c shared_preload_libraries=ctaudience postgres <"$d/setup.sql" >"$d/setup.log" 2>&1
! grep -q ERROR "$d/setup.log" || { cat "$d/setup.log"; exit 1; }
runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file="$d/cg.out" \
	--toggle-collect=ct_export_claim --toggle-collect=ct_export_result \
	"$bin/postgres" --single -D "$d/data" -c shared_preload_libraries=ctaudience postgres <"$d/run.sql" >"$d/run.log" 2>&1
if grep ERROR "$d/run.log" | grep -qv 'request_id must not be null'; then
	grep -m5 ERROR "$d/run.log"
	echo "a claim or an answer failed" >&2
	exit 1
fi
cp "$d/cg.out" "$out"
grep -o 'drained [^"]*' "$d/run.log"
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
	grep -E 'PROGRAM TOTALS|:(ct_export_claim|ct_export_result|SPI_execute_plan|heap_page_prune|SHA256_Update) ' | grep -v '=>' |
	sed 's/ *\[.*//; s#[^ ]*/##'
