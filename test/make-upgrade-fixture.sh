#!/usr/bin/env bash
# Make test/data/upgrade/0.1.0.sql: the data a 0.1.0 installation holds after
# test/cluster/fixture.sql, as pg_dump --data-only writes it.  The upgrade
# test (test/cluster/upgrade.sh) loads it into a 0.1.0 installation and
# updates that.  Not part of the suite: run it by hand, as root, from the
# repository root, when the fixture must change.  It builds the library of
# release 0.1.0 from git (tag v0.1.0, commit 02f10f0), installs it for the
# run, and installs this tree's library again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
release=${1:-02f10f0947df6c4b4b25be4c0901347bee38ab27}
src=$(mktemp -d /tmp/ctaudience-release.XXXXXX)
dir=$(mktemp -d /tmp/ctaudience-fixture.XXXXXX)
trap 'ct_cluster_stop "$dir"; rm -rf "$dir" "$src"; ct_build_install' EXIT

ct_build_install
git archive "$release" | tar -x -C "$src"
ct_log "building the library of $release"
make -s -C "$src" PG_CONFIG="$CT_PG_BIN/pg_config" with_llvm=no >/dev/null
install -m 755 "$src/ctaudience.so" "$("$CT_PG_BIN/pg_config" --pkglibdir)/ctaudience.so"

ct_cluster_start "$dir" "$(ct_free_port)"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE fixture"
psql -X -q -v ON_ERROR_STOP=1 -d fixture -c "CREATE EXTENSION ctaudience VERSION '0.1.0'"
psql -X -q -v ON_ERROR_STOP=1 -d fixture -f test/cluster/fixture.sql >/dev/null
{
	echo "-- The data of a ctaudience 0.1.0 installation after test/cluster/fixture.sql,"
	echo "-- made by test/make-upgrade-fixture.sh with the library of release 0.1.0."
	pg_dump --data-only fixture
} >test/data/upgrade/0.1.0.sql
ct_log "wrote test/data/upgrade/0.1.0.sql"
