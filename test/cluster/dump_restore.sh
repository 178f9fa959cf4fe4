#!/usr/bin/env bash
# A backup restores exactly: pg_dump of a database holding every kind of row
# (test/cluster/fixture.sql), restored in plain and custom format, with
# pg_restore --jobs, from a directory dump, and data-only into a fresh
# installation.  Every table, view, sequence and the trend must equal the
# source row for row, and a message imported afterwards into the source and
# into each copy must leave them equal again (sequences, passcodes and
# membership state came back whole).
# Runs against the cluster of scripts/test.sh (PGHOST/PGPORT set), from the
# repository root; it creates and drops databases ct_dump_*.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d /tmp/ctaudience-dump.XXXXXX)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

for db in ct_dump_src ct_dump_plain ct_dump_custom ct_dump_jobs ct_dump_dir ct_dump_data; do
	q -d postgres -c "DROP DATABASE IF EXISTS $db"
done
q -d postgres -c "CREATE DATABASE ct_dump_src"
q -d ct_dump_src -c "CREATE EXTENSION ctaudience"
q -d ct_dump_src -f test/cluster/fixture.sql >/dev/null
q -d ct_dump_src -f test/cluster/fingerprint.sql >"$work/src.fp"
grep -q '^table ct_event [1-9]' "$work/src.fp" || { cat "$work/src.fp"; notok "the fixture wrote events"; }

pg_dump -Fp -f "$work/plain.sql" ct_dump_src
pg_dump -Fc -f "$work/custom.dump" ct_dump_src
pg_dump -Fd -j 2 -f "$work/dir.dump" ct_dump_src
pg_dump -Fc --data-only -f "$work/data.dump" ct_dump_src

for db in ct_dump_plain ct_dump_custom ct_dump_jobs ct_dump_dir ct_dump_data; do
	q -d postgres -c "CREATE DATABASE $db"
done
q -d ct_dump_plain -f "$work/plain.sql" >/dev/null
pg_restore --exit-on-error -d ct_dump_custom "$work/custom.dump"
pg_restore --exit-on-error -j 2 -d ct_dump_jobs "$work/custom.dump"
pg_restore --exit-on-error -j 2 -d ct_dump_dir "$work/dir.dump"
q -d ct_dump_data -c "CREATE EXTENSION ctaudience"
pg_restore --exit-on-error --data-only -d ct_dump_data "$work/data.dump"

compare() {
	local db=$1 what=$2
	q -d "$db" -v stable="$stable" -f test/cluster/fingerprint.sql >"$work/$db.fp"
	if diff -u "$work/src.fp" "$work/$db.fp" >"$work/$db.diff"; then
		ok "$db: $what"
	else
		cat "$work/$db.diff"
		notok "$db: $what"
	fi
}
stable=0
for db in ct_dump_plain ct_dump_custom ct_dump_jobs ct_dump_dir ct_dump_data; do
	compare "$db" "restored row for row"
done

# the same message into the source and every copy: they stay equal
next=$(cat <<'JSON'
{"type": "audience_membership_change_request", "id": "00000000-0000-4000-8000-000000000901",
 "timestamp_ms": 1730300000000, "firehose_version": "3.2.0",
 "account": {"account_settings": {"accountId": "DEMO-PROJECT", "passcode": "demo-passcode-123",
			 "accountToken": "demo-token", "region": "eu1"}},
 "user_profiles": [
  {"mpid": "1", "partner_identities": [{"type": "CleverTap_User_ID", "encoding": "raw", "value": "__ct_ada_01"}],
   "audiences": [{"audience_id": 47444, "audience_name": "Cart Drop off", "action": "delete"},
				 {"audience_id": 60001, "audience_name": "VIP by email", "action": "add"}]},
  {"mpid": "9001", "user_identities": [{"type": "email", "encoding": "raw", "value": "vip.one@example.com"}],
   "audiences": [{"audience_id": 60001, "audience_name": "VIP by email", "action": "delete"}]}]}
JSON
)
for db in ct_dump_src ct_dump_plain ct_dump_custom ct_dump_jobs ct_dump_dir ct_dump_data; do
	echo "SELECT ctaudience.ct_import_audience(:'m'::text)" | q -d "$db" -v m="$next" >/dev/null
done
stable=1
q -d ct_dump_src -v stable=1 -f test/cluster/fingerprint.sql >"$work/src.fp"
for db in ct_dump_plain ct_dump_custom ct_dump_jobs ct_dump_dir ct_dump_data; do
	compare "$db" "equal to the source after one more import"
done

for db in ct_dump_src ct_dump_plain ct_dump_custom ct_dump_jobs ct_dump_dir ct_dump_data; do
	q -d postgres -c "DROP DATABASE $db"
done
exit $fail
