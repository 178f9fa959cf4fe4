#!/usr/bin/env bash
# No passcode reaches the server log.  Two clusters of this test's own: one
# with PostgreSQL's default logging, one logging every statement
# (log_statement = 'all', log_min_duration_statement = 0).  On each, every
# function that takes a passcode -- ct_register_project, ct_rotate_passcode,
# ct_check_passcode, ct_resolve_identity(..., passcode => ...),
# ct_update_project(..., account_token => ...) (a secret too), and the ones
# that take a message holding it (ct_import_audience, ct_firehose,
# ct_enqueue, ct_firehose_enqueue, ct_preview_import) -- is called,
# succeeding and failing:
#   - with the passcode as a literal in the statement, by a superuser whose
#     role the README's set-up gives log_statement = 'ddl' and
#     log_min_duration_statement = -1, also from a DO block (a nested
#     statement, which an error's CONTEXT line quotes);
#   - as a bind parameter (pgbench -M extended), by a superuser whose role
#     has log_parameter_max_length = 0;
#   - through ctaudience-receiver, direct and queue mode, as a role set up
#     as the README's production set-up says.
# Then the server log holds no passcode, yet the errors and (logging every
# statement) the statements are there.  Every passcode and message of the
# test carries the marker PWMARK.  Run from the repository root as root,
# after make install (scripts/test.sh does both).
set -euo pipefail
. scripts/lib.sh
work=$(mktemp -d /tmp/ctaudience-pwlog.XXXXXX)
chmod 755 "$work"
rpid=""
cleanup() {
	[ -z "$rpid" ] || kill "$rpid" 2>/dev/null || true
	for c in default all; do ct_cluster_stop "$work/$c"; done
	rm -rf "$work"
}
trap cleanup EXIT
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

# the messages, posted and passed as literals: PWMARK-0003-x is the passcode
# of project LOGP once rotated
python3 - "$work" <<'PY'
import json, sys, time
out = sys.argv[1]
now = int(time.time() * 1000) - 60000
def msg(n, passcode, profiles='[{"mpid": "9", "user_identities": [{"type": "customer", "encoding": "raw", "value": "pw-1"}], "audiences": [{"audience_id": 7, "audience_name": "Logged", "action": "add"}]}]'):
    return ('{"type": "audience_membership_change_request", "id": "00000000-0000-4000-8000-%012d", '
            '"timestamp_ms": %d, "firehose_version": "3.2.0", "account": {"account_id": 1, "account_settings": '
            '{"accountId": "LOGP", "passcode": "%s", "accountToken": "tok-1", "region": "eu1"}}, '
            '"user_profiles": %s}' % (n, now + n, passcode, profiles))
cases = {
    'ok': msg(1, 'PWMARK-0003-x'),
    'wrong': msg(2, 'PWMARK-0009-x'),
    'malformed': msg(3, 'PWMARK-0003-x', '{"not": "an array"}'),
    'escape': msg(4, 'PWMARK-0010\\q'),
    'dead': msg(5, 'PWMARK-0003-x', '[{"mpid": "9"}, 1]'),
    'dsr': ('{"type": "dsr_processing_request", "id": "00000000-0000-4000-8000-000000000006", "timestamp_ms": %d, '
            '"firehose_version": "3.2.0", "subject_request_type": "erasure", "subject_identities": '
            '{"customer_id": {"encoding": "raw", "value": "pw-1"}}, "account": {"account_id": 1, "account_settings": '
            '{"accountId": "LOGP", "passcode": "PWMARK-0003-x", "accountToken": "tok-1", "region": "eu1"}}}' % now),
}
for k, v in cases.items():
    open('%s/%s.json' % (out, k), 'w').write(v)
PY

# one cluster, its roles as the README's production set-up makes them
setup() {
	local c=$1
	psql -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
CREATE DATABASE pwlog;
\c pwlog
CREATE EXTENSION ctaudience;
CREATE ROLE pl_admin LOGIN SUPERUSER;
ALTER ROLE pl_admin SET log_statement = 'ddl';
ALTER ROLE pl_admin SET log_min_duration_statement = -1;
CREATE ROLE pl_binder LOGIN SUPERUSER;
CREATE ROLE pl_receiver LOGIN IN ROLE ctaudience_importer;
ALTER ROLE pl_binder SET log_parameter_max_length = 0;
ALTER ROLE pl_binder SET log_parameter_max_length_on_error = 0;
ALTER ROLE pl_receiver SET log_parameter_max_length = 0;
ALTER ROLE pl_receiver SET log_parameter_max_length_on_error = 0;
CREATE ROLE pl_importer LOGIN IN ROLE ctaudience_importer;
ALTER ROLE pl_importer SET log_statement = 'ddl';
ALTER ROLE pl_importer SET log_min_duration_statement = -1;
ALTER ROLE pl_importer SET log_parameter_max_length = 0;
ALTER ROLE pl_importer SET log_parameter_max_length_on_error = 0;
SQL
}

# psql as a role, each statement on its own (a failure does not stop the rest)
as() {
	local role=$1
	shift
	for s in "$@"; do
		psql -X -q -d pwlog -U "$role" -c "$s" >/dev/null 2>&1 || true
	done
}

# pgbench as a role: the statement with :name parameters, bound
bound() {
	local role=$1 sql=$2
	shift 2
	printf '%s\n' "$sql" >"$work/bound.sql"
	"$CT_PG_BIN/pgbench" -n -M extended -c 1 -t 1 -U "$role" "$@" -f "$work/bound.sql" pwlog >/dev/null 2>&1 || true
}

# the receiver, in a mode, on a free loopback port: every message posted
post_all() {
	local c=$1 mode=$2 rport url
	rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	url=http://127.0.0.1:$rport
	"$CT_PG_BIN/ctaudience-receiver" --listen "127.0.0.1:$rport" --mode "$mode" \
		--dsn "host=$work/$c port=$PGPORT dbname=pwlog user=pl_receiver" 2>>"$work/receiver.log" &
	rpid=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null "$url/healthz" && break
		sleep 0.1
	done
	for m in ok ok wrong malformed escape dead dsr; do
		echo "$mode $m $(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
			--data-binary "@$work/$m.json" "$url/firehose")" >>"$work/$c.statuses"
	done
	kill "$rpid"
	wait "$rpid" 2>/dev/null || true
	rpid=""
}

for c in default all; do
	if [ "$c" = all ]; then
		conf="log_statement = 'all'
log_min_duration_statement = 0"
	else
		conf=""
	fi
	ct_cluster_start "$work/$c" "$(ct_free_port)" "$conf" >/dev/null
	setup "$c"
	literal() { as pl_admin "$@"; }

	# the project functions, the passcode a literal
	literal "SELECT ctaudience.ct_register_project('LOGP', 'PWMARK-0001-x', 'tok-1', region => 'eu1')" \
		"SELECT ctaudience.ct_register_project('LOGP', 'PWMARK-0002-x', 'tok-1', passcode_expires_at => now() - interval '1 day')" \
		"SELECT ctaudience.ct_register_project('LOGP', 'PWMARK1', 'tok-1')" \
		"SELECT ctaudience.ct_register_project('bad project', 'PWMARK-0011-x', 'tok-1')" \
		"SELECT ctaudience.ct_rotate_passcode('LOGP', 'PWMARK-0004-x', now() - interval '1 day')" \
		"SELECT ctaudience.ct_rotate_passcode('LOGP', 'PWMARK4', NULL)" \
		"SELECT ctaudience.ct_rotate_passcode('NOPE', 'PWMARK-0005-x')" \
		"SELECT ctaudience.ct_check_passcode('PWMARK7', NULL)" \
		"DO \$\$ BEGIN PERFORM ctaudience.ct_register_project('LOGP', 'PWMARK-0008-x', 'tok-1', passcode_expires_at => now() - interval '1 day'); END \$\$" \
		"DO \$\$ BEGIN PERFORM ctaudience.ct_rotate_passcode('LOGP', 'PWMARK8'); END \$\$" \
		"SELECT ctaudience.ct_rotate_passcode('LOGP', 'PWMARK-0003-x')" \
		"SELECT ctaudience.ct_update_project('NOPE', account_token => 'PWMARK-0017-x')" \
		"DO \$\$ BEGIN PERFORM ctaudience.ct_update_project('LOGP', account_token => 'PWMARK-0018-x', region => 'mars1'); END \$\$"
	# a superuser needs no passcode to resolve: an importer does
	as pl_importer "SELECT ctaudience.ct_resolve_identity('LOGP', customer_id => 'pw-1', passcode => 'PWMARK-0003-x')" \
		"SELECT ctaudience.ct_resolve_identity('LOGP', customer_id => 'pw-1', passcode => 'PWMARK-0006-x')"

	# the functions that take a message, the message a literal
	for m in ok wrong malformed escape; do
		body=$(sed "s/'/''/g" "$work/$m.json")
		literal "SELECT ctaudience.ct_import_audience('$body'::text)" \
			"SELECT ctaudience.ct_import_audience('LOGP', '$body')" \
			"SELECT ctaudience.ct_firehose('$body'::text)" \
			"SELECT ctaudience.ct_firehose('LOGP', '$body')" \
			"SELECT ctaudience.ct_enqueue('$body'::text)" \
			"SELECT ctaudience.ct_firehose_enqueue('$body')"
		if [ "$m" != escape ]; then		# PostgreSQL's own cast quotes text that is not JSON
			literal "SELECT ctaudience.ct_import_audience('$body'::jsonb)" \
				"SELECT ctaudience.ct_firehose('$body'::jsonb)" \
				"SELECT ctaudience.ct_enqueue('$body'::jsonb)" \
				"SELECT * FROM ctaudience.ct_preview_import('$body'::jsonb)"
		fi
	done

	# bound parameters
	bound pl_binder "SELECT ctaudience.ct_register_project(:p, :pc, 'tok-2', region => 'eu1');" -D p=LOGQ -D pc=PWMARK-0012-x
	bound pl_binder "SELECT ctaudience.ct_register_project(:p, :pc, 'tok-2');" -D p=LOGQ -D pc=PWMARK12
	bound pl_binder "SELECT ctaudience.ct_rotate_passcode(:p, :pc, now() - interval '1 day');" -D p=LOGQ -D pc=PWMARK-0013-x
	bound pl_binder "SELECT ctaudience.ct_rotate_passcode(:p, :pc);" -D p=LOGQ -D pc=PWMARK-0014-x
	bound pl_binder "SELECT * FROM ctaudience.ct_check_passcode(:pc, NULL);" -D pc=PWMARK15
	bound pl_importer "SELECT * FROM ctaudience.ct_resolve_identity('LOGQ', customer_id => 'pw-1', passcode => :pc);" -D pc=PWMARK-0014-x
	bound pl_importer "SELECT * FROM ctaudience.ct_resolve_identity('LOGQ', customer_id => 'pw-1', passcode => :pc);" -D pc=PWMARK-0016-x
	for m in ok wrong malformed escape dead; do
		bound pl_binder "SELECT ctaudience.ct_import_audience(:m::text);" -D "m=$(cat "$work/$m.json")"
		bound pl_binder "SELECT ctaudience.ct_firehose_enqueue(:m);" -D "m=$(cat "$work/$m.json")"
	done

	# through the receiver
	post_all "$c" direct
	post_all "$c" queue
	psql -X -q -d pwlog -c "SELECT * FROM ctaudience.ct_process_inbox(100)" >/dev/null 2>&1

	ct_cluster_stop "$work/$c"
	log=$work/$c/server.log
	n=$(grep -c PWMARK "$log" || true)
	if [ "$n" = 0 ]; then
		ok "$c logging: no passcode in the server log ($(grep -c 'ERROR:' "$log") errors logged)"
	else
		grep -n PWMARK "$log" | head -20
		notok "$c logging: no passcode in the server log ($n lines hold one)"
	fi
	# the calls did happen, and failed where they should
	for e in 'passcode must be between 8 and 1024 characters long' 'which is not in the future' \
		'unknown CleverTap project "NOPE"' 'invalid credentials for CleverTap project "LOGP"' \
		'not valid JSON: an invalid escape sequence' 'invalid project id "bad project"' 'unknown region "mars1"'; do
		grep -qF "$e" "$log" || notok "$c logging: the log holds the error \"$e\""
	done
	want="direct ok 200
direct ok 200
direct wrong 401
direct malformed 400
direct escape 400
direct dead 400
direct dsr 200
queue ok 200
queue ok 200
queue wrong 401
queue malformed 200
queue escape 400
queue dead 200
queue dsr 200"
	got=$(cat "$work/$c.statuses")
	[ "$got" = "$want" ] && ok "$c logging: the receiver answered as expected" ||
		notok "$c logging: the receiver answered as expected; got: $(echo $got)"
	if [ "$c" = all ]; then
		# every statement was logged, without its parameters
		for e in 'execute <unnamed>: SELECT ctaudience.ct_register_project($1, $2' \
			'SELECT ctaudience.ct_firehose($1::text)' 'SELECT ctaudience.ct_firehose_enqueue($1::text)' \
			'statement: SELECT * FROM ctaudience.ct_process_inbox(100)'; do
			grep -qF "$e" "$log" && ok "all logging: the log holds \"$e\"" ||
				notok "all logging: the log holds \"$e\""
		done
	fi
done
grep -q PWMARK "$work/receiver.log" && notok "the receiver's own log holds no passcode" ||
	ok "the receiver's own log holds no passcode"
exit $fail
