#!/bin/sh
# firehose-validate.sh SCHEMA_NAME FILE
# Check one response we produced against mParticle's own JSON schema, with
# mParticle's validate.py from ../shared/mparticle-firehose (Debian's
# python3-jsonschema).  Prints "valid" or the schema errors.
dir=$(dirname "$0")/../../shared/mparticle-firehose
if [ ! -f "$dir/validate.py" ]; then
	echo "skipped: $dir is absent"
	exit 0
fi
exec /usr/bin/python3 "$dir/validate.py" "$1" < "$2"
