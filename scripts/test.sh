#!/usr/bin/env bash
# The whole test suite: the structure of the C sources (no circles between
# files, no .c file over 1,000 lines: test/structure), their layout
# (pgindent: scripts/pgindent.sh --check), unit tests of the pure C
# (normalize, phone shim, the JSON walker against pg_parse_json), the
# regression and isolation tests
# (pg_regress), the pgTAP suites (pg_prove) and the cluster tests (dump and
# restore, upgrades, the receiver: test/cluster), on a throwaway PostgreSQL
# 15 cluster run as the postgres system user.  Then all that touches
# PostgreSQL again on 18 -- the build, the JSON walker against 18's
# parser, a cluster of 18 and the suites on it -- with 18 built from
# ../shared/postgres on first use (ct_pg18_install; skipped with a NOTICE
# where that is absent).  Each version's expected output is the same file
# but where the server prints something else: then expected/X_1.out.
# Run as root on Debian 12: ./scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
set -e

ct_install_packages
ct_use_pg "$CT_PG_BIN"
ct_build_install

if [ ! -d ../shared/mparticle-firehose ]; then
	echo "NOTICE: ../shared/mparticle-firehose is absent: conformance with mParticle's own messages and schemas is SKIPPED"
fi

failed=""

ct_log "structure of the C sources: the check's own test, then the tree (test/structure)"
if out=$(python3 test/structure/check.py --self-test 2>&1); then
	echo "the check's own test on a synthetic tree: $(tail -n 1 <<<"$out")"
else
	echo "$out"
	failed="$failed structure-self-test"
fi
python3 test/structure/check.py || failed="$failed structure"

ct_log "layout of the C files (pgindent with pg_bsd_indent, from ../shared/postgres)"
bash scripts/pgindent.sh --check || failed="$failed format"

ct_log "the scripts leave other clusters alone (package installation with stubbed tools)"
bash test/scripts/clusters.sh || failed="$failed scripts"

ct_log "package metadata (META.json against PGXN meta-spec 1.0.0, CHANGELOG.md)"
python3 test/meta/check.py || failed="$failed meta"

ct_log "unit tests (pure C: email, identity and CleverTap ID checks, libphonenumber shim, JSON walker)"
make -s -C test/unit check PG_CONFIG="$CT_PG_BIN/pg_config" || failed="$failed unit"

# The suites that run on a server, on a throwaway cluster of the
# installation in $CT_PG_BIN (built and installed there); a failure is
# named with the major version.
server_suites() {
	local major dir port
	major=$("$CT_PG_BIN/pg_config" --version | sed 's/^PostgreSQL \([0-9]*\).*/\1/')
	dir=$(mktemp -d /tmp/ctaudience-test.XXXXXX)
	port=$(ct_free_port)
	ct_log "PostgreSQL $major: starting a throwaway cluster in $dir (port $port)"
	ct_cluster_start "$dir" "$port" "cron.database_name = 'contrib_regression'"
	trap 'ct_cluster_stop "'"$dir"'"; rm -rf "'"$dir"'"' EXIT

	ct_log "PostgreSQL $major: regression tests (pg_regress) and isolation tests (pg_isolation_regress)"
	rm -rf results regression.diffs regression.out output_iso
	if ! make -s installcheck PG_CONFIG="$CT_PG_BIN/pg_config"; then
		failed="$failed regression($major)"
		[ -f regression.diffs ] && cat regression.diffs
		[ -f output_iso/regression.diffs ] && cat output_iso/regression.diffs
	fi

	if [ -d test/pgtap ] && ls test/pgtap/*.sql >/dev/null 2>&1; then
		ct_log "PostgreSQL $major: pgTAP suites (pg_prove)"
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ctaudience_tap" -c "CREATE DATABASE ctaudience_tap"
		psql -X -q -d ctaudience_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION ctaudience"
		pg_prove -d ctaudience_tap test/pgtap/*.sql || failed="$failed pgtap($major)"
	fi

	# Tests of whole databases and clusters (dump and restore, upgrades): each
	# script in test/cluster makes and drops databases of its own on this cluster.
	for t in test/cluster/*.sh; do
		ct_log "PostgreSQL $major: cluster test: $t"
		bash "$t" || failed="$failed $(basename "$t" .sh)($major)"
	done

	ct_cluster_stop "$dir"
	rm -rf "$dir"
	trap - EXIT
}

# PostgreSQL 18 is built (first use only: several minutes) while the suites
# run on 15, at the lowest priority so that it takes only the time they
# leave idle; its output is shown when the suites on 18 start.
pg18_log=$(mktemp /tmp/ctaudience-pg18.XXXXXX)
( nice -n 19 bash -c '. scripts/lib.sh; ct_pg18_install' >"$pg18_log" 2>&1 ) &
pg18_build=$!

server_suites

ct_log "PostgreSQL 18: built from ../shared/postgres unless it is there already ($CT_PG18_PREFIX)"
pg18_status=0
wait "$pg18_build" || pg18_status=$?
cat "$pg18_log"
rm -f "$pg18_log"
CT_PG18_BIN=""
if [ "$pg18_status" != 0 ]; then
	failed="$failed build(18)"
elif [ -f ../shared/postgres/build.sh ]; then
	CT_PG18_BIN=$CT_PG18_PREFIX/bin
fi
if [ -n "$CT_PG18_BIN" ]; then
	ct_use_pg "$CT_PG18_BIN"
	ct_build_install
	ct_log "PostgreSQL 18: the JSON walker against 18's pg_parse_json (unit test)"
	make -s -C test/unit check-json PG_CONFIG="$CT_PG_BIN/pg_config" || failed="$failed unit-json(18)"
	server_suites
fi

if [ -n "$failed" ]; then
	ct_log "FAILED:$failed"
	exit 1
fi
ct_log "all tests passed"
