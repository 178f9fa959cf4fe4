#!/usr/bin/env bash
# Released versions update in place.  A 0.1.0 installation holding the data
# 0.1.0 wrote (test/data/upgrade/0.1.0.sql, made by
# test/make-upgrade-fixture.sh) is updated with ALTER EXTENSION ctaudience
# UPDATE; then
#   - every row of 0.1.0 is still there, column for column;
#   - the schema equals a fresh installation of this version: objects,
#     definitions, comments, privileges and the extension's members and
#     dumped tables;
#   - the updated database and a fresh installation loaded with the same
#     data stay equal while both import the same messages;
#   - redeliveries 0.2.0 queued again are left one row per message id.
# Before the update, the library refuses to work on the 0.1.0 schema.
# And first: each released script, as built in sql/ and as installed, is
# byte for byte what was released (its sha256 in sql/released.sha256), and
# every object file under sql/ is included by a recipe.
# Runs against the cluster of scripts/test.sh (PGHOST/PGPORT set), from the
# repository root; it creates and drops databases ct_up_*.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d /tmp/ctaudience-upgrade.XXXXXX)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }
version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" ctaudience.control)

extdir=$(q -A -t -d postgres -c "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")/extension
while read -r sum name; do
	case $sum in '#'* | '') continue ;; esac
	for f in "sql/$name" "$extdir/$name"; do
		if [ -f "$f" ]; then got=$(sha256sum <"$f" | cut -c1-64); else got=missing; fi
		[ "$got" = "$sum" ] && ok "released script unchanged: $f" ||
			notok "released script unchanged: $f (sha256 $got, released $sum)"
	done
done <sql/released.sha256
unused=$(for f in sql/*/*.sql; do grep -qxF "\\ir ${f#sql/}" sql/*.sql.in || echo "$f"; done)
[ -z "$unused" ] && ok "every object file under sql/ is included by a recipe" ||
	notok "every object file under sql/ is included by a recipe; not: $unused"
dbs="ct_up_old ct_up_fresh ct_up_new ct_up_old_schema ct_up_new_schema"
for db in $dbs; do q -d postgres -c "DROP DATABASE IF EXISTS $db"; done

q -d postgres -c "CREATE DATABASE ct_up_old" -c "CREATE DATABASE ct_up_fresh" -c "CREATE DATABASE ct_up_new"
q -d ct_up_old -c "CREATE EXTENSION ctaudience VERSION '0.1.0'"
q -d ct_up_old -f test/data/upgrade/0.1.0.sql >/dev/null
# ct_up_fresh is a 0.1.0 backup restored onto this version without the
# steps README gives ("Backup and restore"): a fresh installation that the
# backup's data is COPYed into, as pg_restore does; nothing is patched, so
# whatever the update's data steps would do is missing here
q -d ct_up_fresh -c "CREATE EXTENSION ctaudience"
q -d ct_up_fresh -f test/data/upgrade/0.1.0.sql >/dev/null
q -d ct_up_new -c "CREATE EXTENSION ctaudience"

# before the update, this library works on no table of the old schema
msg=$(cat test/data/demo/04_membership.json)
if echo "SELECT ctaudience.ct_firehose(:'m'::text)" | psql -X -q -v ON_ERROR_STOP=1 -d ct_up_old -v m="$msg" >"$work/refused.out" 2>&1; then
	notok "the library refuses an installation of another version"
elif grep -q "ctaudience library $version does not match the installed extension version 0.1.0" "$work/refused.out" &&
	grep -q "ALTER EXTENSION ctaudience UPDATE" "$work/refused.out"; then
	ok "the library refuses an installation of another version, with a hint"
else
	cat "$work/refused.out"; notok "the library refuses an installation of another version, with a hint"
fi

# the 0.1.0 rows, column for column: queries over the columns 0.1.0 has
q -A -t -d ct_up_old -c "
SELECT format('SELECT %L || '' '' || count(*) || '' '' || md5(coalesce(string_agg(r, E''\n'' ORDER BY r), ''''))'
			  ' FROM (SELECT ROW(%s)::text AS r FROM ctaudience.%I) t;',
			  c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'ctaudience' AND c.relkind = 'r'
 GROUP BY c.relname ORDER BY c.relname" >"$work/old-columns.sql"
q -A -t -d ct_up_old -f "$work/old-columns.sql" >"$work/before.txt"
grep -q '^ct_event [1-9]' "$work/before.txt" || { cat "$work/before.txt"; notok "the 0.1.0 data is loaded"; }

q -d ct_up_old -c "ALTER EXTENSION ctaudience UPDATE"
got=$(q -A -t -d ct_up_old -c "SELECT extversion FROM pg_extension WHERE extname = 'ctaudience'")
[ "$got" = "$version" ] && ok "ALTER EXTENSION ctaudience UPDATE reaches $version" ||
	notok "ALTER EXTENSION ctaudience UPDATE reaches $version (got $got)"

q -A -t -d ct_up_old -f "$work/old-columns.sql" >"$work/after.txt"
if diff -u "$work/before.txt" "$work/after.txt"; then ok "every 0.1.0 row is intact"; else notok "every 0.1.0 row is intact"; fi

# The schema: each database is copied, the copy's objects are cut loose
# from the extension so that pg_dump --schema-only writes them all out, and
# the two dumps must be equal; so must the members and the dumped tables.
schema() {
	local db=$1 copy=$2
	q -A -t -d "$db" -c "
		SELECT 'member ' || pg_describe_object(classid, objid, objsubid)
		  FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
		   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ctaudience')
		UNION ALL
		SELECT 'dumped ' || c::regclass::text || ' ' || coalesce(f, '')
		  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, f)
		 WHERE e.extname = 'ctaudience'
		 ORDER BY 1" >"$work/$db.schema"
	q -d postgres -c "CREATE DATABASE $copy TEMPLATE $db"
	q -d "$copy" -c "DELETE FROM pg_depend WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
					   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'ctaudience')"
	pg_dump --schema-only "$copy" | grep -v '^\\restrict\|^\\unrestrict\|^-- Dumped\|EXTENSION' >>"$work/$db.schema"
}
schema ct_up_old ct_up_old_schema
schema ct_up_new ct_up_new_schema
if diff -u "$work/ct_up_new.schema" "$work/ct_up_old.schema" >"$work/schema.diff"; then
	ok "the updated schema equals a fresh installation of $version"
else
	cat "$work/schema.diff"; notok "the updated schema equals a fresh installation of $version"
fi
grep -q '^CREATE TABLE ctaudience.ct_profile' "$work/ct_up_old.schema" || notok "the schema dump holds the extension's tables"

# the updated database and a fresh one with the same data import alike
for m in test/data/upgrade/after-*.json; do
	for db in ct_up_old ct_up_fresh; do
		echo "SELECT ctaudience.ct_firehose(:'m'::text)" | q -d "$db" -v m="$(cat "$m")" >/dev/null
	done
done
for db in ct_up_old ct_up_fresh; do
	q -d "$db" -c "SELECT * FROM ctaudience.ct_process_inbox(10)" >/dev/null
	q -d "$db" -v stable=1 -f test/cluster/fingerprint.sql >"$work/$db.fp"
done
if diff -u "$work/ct_up_fresh.fp" "$work/ct_up_old.fp"; then
	ok "the updated database imports as a fresh installation does"
else
	notok "the updated database imports as a fresh installation does"
fi
# after-4.json: newer Partner IDs claim the Customer IDs of a Partner ID's
# profile (__ct_kj_08: a conflict, it stays) and of a generated one (merged)
for db in ct_up_old ct_up_fresh; do
	got=$(q -A -t -d "$db" -c "
		SELECT (SELECT count(*) FROM ctaudience.ct_profile WHERE project_id = 'DEMO-PROJECT' AND ct_id = '__ct_kj_08')
			   || ' ' || (SELECT string_agg(alias || '>' || ct_id, ',' ORDER BY alias) FROM ctaudience.ct_profile_alias)
			   || ' ' || (SELECT identity_conflicts FROM ctaudience.ct_import_log
						  WHERE message_id = '00000000-0000-4000-8000-000000000904')")
	want="1 01a22af792369f94e24f688ab6837782>__ct_new_after_4b 1"
	[ "$got" = "$want" ] && ok "$db: a Partner ID's profile of 0.1.0 is kept against a newer claim, a generated one merged" ||
		notok "$db: a Partner ID's profile of 0.1.0 is kept against a newer claim, a generated one merged (got $got, want $want)"
done

# 0.2.0 queued every redelivery again; 0.3.0 holds a message id once per
# project.  The update keeps, of the rows of one id, an answered one, else a
# pending one, else a dead one, the oldest; ids as a UUID prints, also those
# 0.2.0's parser took and a cast to uuid refuses.  (Rows as
# 0.2.0 stored them, written directly: this library works on no 0.2.0 schema.)
q -d postgres -c "DROP DATABASE IF EXISTS ct_up_dups" -c "CREATE DATABASE ct_up_dups"
q -d ct_up_dups -c "CREATE EXTENSION ctaudience VERSION '0.2.0'"
q -d ct_up_dups -c "
INSERT INTO ctaudience.ct_inbox (project_id, message_type, message_id, body, status)
SELECT p, 'audience_membership_change_request', m, '{}', s
  FROM (VALUES ('P', '00000000-0000-4000-8000-00000000000a', 'pending'),
			   ('P', '00000000-0000-4000-8000-00000000000a', 'done'),
			   ('P', '00000000-0000-4000-8000-00000000000A', 'dead'),
			   ('P', '00000000-0000-4000-8000-00000000000b', 'dead'),
			   ('P', '{00000000-0000-4000-8000-00000000000b}', 'pending'),
			   ('P', '00000000-0000-4000-8000-00000000000b', 'pending'),
			   ('P', '00000000000040008000-00000000000c', 'dead'),
			   ('P', '00000000-0000-4000-8000-00000000000c', 'dead'),
			   ('Q', '00000000-0000-4000-8000-00000000000c', 'pending'),
			   -- ids 0.2.0's parser took and uuid_in refuses
			   ('P', '{00000000-0000-4000-8000-00000000000D-}', 'pending'),
			   ('P', '{00000000-0000-4000-8000-00000000000e', 'done')) AS v(p, m, s)"
q -d ct_up_dups -c "ALTER EXTENSION ctaudience UPDATE"
got=$(q -A -t -d ct_up_dups -c "SELECT string_agg(concat_ws(' ', project_id, inbox_id, right(message_id, 3), status), ', ' ORDER BY inbox_id)
								 FROM ctaudience.ct_inbox
								WHERE message_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\$'")
want="P 2 00a done, P 5 00b pending, P 7 00c dead, Q 9 00c pending, P 10 00d pending, P 11 00e done"
[ "$got" = "$want" ] && ok "the update keeps one row of each queued message id: $got" ||
	notok "the update keeps one row of each queued message id: got $got, want $want"
q -d postgres -c "DROP DATABASE ct_up_dups"

for db in $dbs; do q -d postgres -c "DROP DATABASE $db"; done
exit $fail
