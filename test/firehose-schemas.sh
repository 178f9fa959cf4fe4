#!/bin/sh
# firehose-schemas.sh: every schema of ../shared/mparticle-firehose/schema as
# one JSON array of {"name": ..., "body": ...}, for the SQL schema checker
# (t.conforms in test/sql/00_setup.sql); "[]" when the folder is absent.
dir=$(dirname "$0")/../../shared/mparticle-firehose/schema
[ -d "$dir" ] || { echo '[]'; exit 0; }
first=1
printf '['
for f in "$dir"/*_schema.json; do
	name=$(basename "$f" _schema.json)
	[ $first = 1 ] || printf ','
	first=0
	printf '{"name": "%s", "body": ' "$name"
	cat "$f"
	printf '}'
done
printf ']\n'
