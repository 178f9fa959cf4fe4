#!/usr/bin/env bash
# Instructions, not seconds: imports messages in a single-user backend
# (postgres --single, a throwaway data directory) under valgrind's
# callgrind, with the ctaudience installed in $CT_PG_BIN's PostgreSQL, and
# prints the instruction counts of the import's steps.  Counts do not move
# with the other processes of a shared machine, as seconds do; they leave
# out cache misses and waits (the WAL flush, the client), so they compare
# the work two versions do, not the time.  Run as root from the repository
# root, with the version to count installed (make install, or after
# bench/versions.sh, which leaves the new version installed):
#   bench/callgrind.sh OUT [MESSAGES]   # default: bench/run.sh's 100,000-user messages
# OUT is callgrind's file (callgrind_annotate --inclusive=yes OUT reads it).
# Every message is imported as text, one statement each, the project
# registered as bench/lib.sh registers it (default country US).  About
# 50 times slower than the import itself: 3-4 minutes for 100,000 users.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

out=${1:?usage: bench/callgrind.sh OUT [MESSAGES]}
msgs=${2:-${CT_BENCH_DIR:-/tmp/ctaudience-bench}/messages-100000.jsonl}
[ -f "$msgs" ] || { echo "no messages in $msgs (bench/run.sh generates them)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "bench/callgrind.sh needs valgrind" >&2; exit 1; }
bin=$CT_PG_BIN
d=$(mktemp -d /tmp/ctaudience-callgrind.XXXXXX)
trap 'rm -rf "$d"' EXIT
chown postgres "$d"
runuser -u postgres -- "$bin/initdb" -D "$d/data" -U postgres --auth=trust >/dev/null
cat >"$d/setup.sql" <<'SQL'
CREATE EXTENSION ctaudience CASCADE;
SELECT ctaudience.ct_register_project('BENCH', 'bench-passcode-1', 'bench-token', 'eu1', 'Bench', NULL, 'US');
SQL
# CT_BENCH_SETUP_SQL: more set-up after the registration (as bench/lib.sh's
# newdb runs it), put on one line: single-user mode ends a query at a newline
if [ -n "${CT_BENCH_SETUP_SQL:-}" ]; then
	printf '%s\n' "$CT_BENCH_SETUP_SQL" | tr '\n\t' '  ' >>"$d/setup.sql"
	echo >>"$d/setup.sql"
fi
# one statement a line, as single-user mode reads them; "#" lines are the
# driver's barriers, not messages
python3 - "$msgs" >"$d/run.sql" <<'PY'
import sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line and line != "#":
        print("SELECT length(ctaudience.ct_import_audience($ctmsg$%s$ctmsg$::text)::text);" % line)
PY
chmod 644 "$d"/*.sql
runuser -u postgres -- "$bin/postgres" --single -D "$d/data" postgres <"$d/setup.sql" >"$d/setup.log" 2>&1
! grep -q ERROR "$d/setup.log" || { cat "$d/setup.log"; exit 1; }
runuser -u postgres -- valgrind --tool=callgrind --callgrind-out-file="$d/cg.out" \
	"$bin/postgres" --single -D "$d/data" postgres <"$d/run.sql" >"$d/run.log" 2>&1
if grep -q ERROR "$d/run.log"; then
	grep -m5 ERROR "$d/run.log"
	echo "a message failed" >&2
	exit 1
fi
cp "$d/cg.out" "$out"
echo "messages imported: $(grep -c 'length = ' "$d/run.log")"
# the steps (see bench/README.md, "Where 0.2.0's time went"): inclusive
# instructions of each, and the whole backend's
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
	grep -E 'PROGRAM TOTALS|:(ct_import_audience_text|ct_stream_parse_membership|ct_import_prepare|ct_lookup_all|ct_merge_all|ct_insert_new_profiles|ct_lock_existing|ct_update_profiles|ct_apply_memberships|ct_sync_members|ct_log_samples|ct_phone_normalize|hashinsert|btinsert|SPI_execute_plan) ' | grep -v '=>' |
	sed 's/ *\[.*//; s#[^ ]*/##'
