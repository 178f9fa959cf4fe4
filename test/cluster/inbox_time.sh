#!/usr/bin/env bash
# A slow message cannot stall the inbox, and an attempt is counted however
# the session answering it ends.  A queued message that has to wait for a
# row lock another session holds:
#   - fails alone after ctaudience.inbox_message_timeout (57014, an attempt
#     counted) while the messages after it are answered;
#   - under a statement_timeout, fails before it, so the call returns and
#     commits instead of being cancelled with everything it did;
#   - under lock_timeout, fails with 55P03 counted as an attempt (not taken
#     for another session importing it);
#   - is dead after ctaudience.inbox_max_attempts, with a WARNING;
#   - answered by CALL ct_run_inbox whose backend is terminated, or killed
#     with SIGKILL, keeps the attempt counted (claimed and committed
#     first); claimed that many times without an answer, it is dead.
# And a direct import killed with SIGKILL mid-way leaves nothing: sent
# again, it gives what an uninterrupted import gives.
# Runs against the cluster of scripts/test.sh (PGHOST/PGPORT set), from the
# repository root; it creates and drops databases ct_inbox_time*.  The
# SIGKILL restarts every session of the cluster (crash recovery).
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d /tmp/ctaudience-inbox.XXXXXX)
holder=""
trap '[ -z "$holder" ] || kill "$holder" 2>/dev/null; rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }
check() { # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: expected '$2', got '$3'"; fi
}
db=ct_inbox_time

msg() { # msg N WHO: a membership message for project SLOW
	cat <<JSON
{"type": "audience_membership_change_request", "id": "00000000-0000-4000-8000-$(printf %012d "$1")",
 "timestamp_ms": $((1730000000000 + $1 * 1000)), "firehose_version": "3.2.0",
 "account": {"account_settings": {"accountId": "SLOW", "passcode": "slow-passcode-1", "accountToken": "slow-token", "region": "eu1"}},
 "user_profiles": [{"mpid": "$1", "user_identities": [{"type": "customer", "encoding": "raw", "value": "$2"}],
   "audiences": [{"audience_id": 90001, "audience_name": "Slow", "action": "add"}]}]}
JSON
}
enqueue() { echo "SELECT ctaudience.ct_enqueue(:'m'::jsonb)" | q -A -t -d "$db" -v m="$(msg "$1" "$2")"; }
# hold the row lock of slow-user's profile for a few seconds, in the background
hold() {
	psql -X -q -d "$db" -c "BEGIN" -c "SELECT 1 FROM ctaudience.ct_profile WHERE identity = 'slow-user' FOR UPDATE" \
		-c "SELECT pg_sleep($1)" -c "COMMIT" >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 50); do
		[ "$(q -A -t -d "$db" -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
				WHERE c.relname = 'ct_profile' AND l.mode = 'RowShareLock' AND l.pid <> pg_backend_pid()")" != 0 ] && return
		sleep 0.1
	done
}
unhold() { kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true; holder=""; }
state() { q -A -t -d "$db" -c "SELECT status || ' ' || attempts || ' ' || coalesce(last_sqlstate, '-') FROM ctaudience.ct_inbox WHERE inbox_id = $1"; }
tries() { q -A -t -d "$db" -c "SELECT status || ' ' || attempts FROM ctaudience.ct_inbox WHERE inbox_id = $1"; }
due() { q -d "$db" -c "UPDATE ctaudience.ct_inbox SET next_attempt_at = clock_timestamp() WHERE inbox_id = $1"; }

q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
q -d "$db" -c "CREATE EXTENSION ctaudience" \
	-c "SELECT ctaudience.ct_register_project('SLOW', 'slow-passcode-1', 'slow-token')" >/dev/null
echo "SELECT ctaudience.ct_import_audience(:'m'::text)" | q -d "$db" -v m="$(msg 1 slow-user)" >/dev/null
slow=$(enqueue 2 slow-user)
b=$(enqueue 3 other-user-b)
c=$(enqueue 4 other-user-c)

hold 30
out=$(q -A -t -d "$db" -c "SET ctaudience.inbox_message_timeout = '500ms'" -c "SELECT done, retried, dead FROM ctaudience.ct_process_inbox(10)")
check "a slow message fails alone after inbox_message_timeout; the others are answered" "2|1|0" "$out"
check "the slow message: pending, one attempt, 57014" "pending 1 57014" "$(state "$slow")"
check "the message after it: done" "done 1 -" "$(state "$b")"

due "$slow"
start=$(date +%s%N)
if out=$(q -A -t -d "$db" -c "SET ctaudience.inbox_message_timeout = 0" -c "SET statement_timeout = '1500ms'" \
		-c "SELECT done, retried, dead FROM ctaudience.ct_process_inbox(10)" 2>&1); then
	check "under statement_timeout, the call ends before it and returns" "0|1|0" "$out"
else
	notok "under statement_timeout, the call ends before it and returns ($out)"
fi
check "the slow message: two attempts" "pending 2 57014" "$(state "$slow")"

due "$slow"
out=$(q -A -t -d "$db" -c "SET lock_timeout = '300ms'" -c "SELECT done, retried, dead FROM ctaudience.ct_process_inbox(10)")
check "a lock_timeout counts as an attempt" "pending 3 55P03" "$(state "$slow")"

due "$slow"
out=$(q -A -t -d "$db" -c "SET ctaudience.inbox_message_timeout = '300ms'" -c "SET ctaudience.inbox_max_attempts = 4" \
	-c "SELECT done, retried, dead FROM ctaudience.ct_process_inbox(10)" 2>&1)
check "dead after inbox_max_attempts" "dead 4 57014" "$(state "$slow")"
grep -q "WARNING:  ctaudience: inbox message $slow is dead after 4 attempts: 57014" <<<"$out" &&
	ok "a dead letter raises a WARNING" || notok "a dead letter raises a WARNING ($out)"

# CALL ct_run_inbox whose session ends: terminated, then killed
q -d "$db" -c "SELECT ctaudience.ct_requeue($slow)" >/dev/null
run_and_end() { # run_and_end SIGNAL
	psql -X -q -d "$db" -c "SET application_name = 'ct_run_inbox_test'" -c "CALL ctaudience.ct_run_inbox(10)" >/dev/null 2>&1 &
	local runner=$! pid=""
	for _ in $(seq 50); do
		pid=$(q -A -t -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'ct_run_inbox_test' AND wait_event_type = 'Lock'")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	if [ "$1" = TERM ]; then
		q -d "$db" -c "SELECT pg_terminate_backend($pid)" >/dev/null
	else
		kill -9 "$pid"
		unhold
		# up once the crash restart is over: the killed backend's entry is
		# gone (a connection that got in before the postmaster reacted to
		# the kill still sees it, and is ended by the restart)
		for _ in $(seq 150); do
			[ "$(q -A -t -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid" 2>/dev/null)" = 0 ] && break
			sleep 0.2
		done
	fi
	wait "$runner" 2>/dev/null || true
}
run_and_end TERM
check "a terminated CALL ct_run_inbox keeps the attempt counted" "pending 1" "$(tries "$slow")"
due "$slow"
run_and_end KILL
check "a killed backend keeps the attempt counted" "pending 2" "$(tries "$slow")"
due "$slow"
hold 30
out=$(q -A -t -d "$db" -c "SET ctaudience.inbox_max_attempts = 1" -c "CALL ctaudience.ct_run_inbox(10)" 2>&1)
check "claimed more times than allowed without an answer: dead" "dead 2 57014" "$(state "$slow")"
unhold

# a direct import killed mid-way leaves nothing; sent again, it is whole
q -d postgres -c "DROP DATABASE IF EXISTS ${db}_whole" -c "CREATE DATABASE ${db}_whole"
big=$(python3 -c '
import json
profiles = [{"mpid": str(i), "user_identities": [{"type": "customer", "encoding": "raw", "value": "whole-%d" % i}],
             "audiences": [{"audience_id": 90001, "audience_name": "Slow", "action": "add"}]} for i in range(500)]
profiles.append({"mpid": "x", "user_identities": [{"type": "customer", "encoding": "raw", "value": "slow-user"}],
                 "audiences": [{"audience_id": 90002, "audience_name": "After", "action": "add"}]})
print(json.dumps({"type": "audience_membership_change_request", "id": "00000000-0000-4000-8000-000000000099",
                  "timestamp_ms": 1730000099000, "account": {"account_settings": {"accountId": "SLOW",
                  "passcode": "slow-passcode-1", "accountToken": "slow-token", "region": "eu1"}}, "user_profiles": profiles}))')
q -d "${db}_whole" -c "CREATE EXTENSION ctaudience" \
	-c "SELECT ctaudience.ct_register_project('SLOW', 'slow-passcode-1', 'slow-token')" >/dev/null
echo "SELECT ctaudience.ct_import_audience(:'m'::text)" | q -d "${db}_whole" -v m="$(msg 1 slow-user)" >/dev/null
echo "SELECT ctaudience.ct_import_audience(:'m'::text)" | q -d "${db}_whole" -v m="$big" >/dev/null
hold 30
echo "SET application_name = 'ct_import_test'; SELECT ctaudience.ct_import_audience(:'m'::text)" |
	psql -X -q -d "$db" -v m="$big" >/dev/null 2>&1 &
runner=$!
pid=""
for _ in $(seq 50); do
	pid=$(q -A -t -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'ct_import_test' AND wait_event_type = 'Lock'")
	[ -n "$pid" ] && break
	sleep 0.1
done
[ -n "$pid" ] && kill -9 "$pid"
unhold
wait "$runner" 2>/dev/null || true
for _ in $(seq 100); do q -d postgres -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done
check "the killed import left nothing" "0" "$(q -A -t -d "$db" -c "SELECT count(*) FROM ctaudience.ct_profile WHERE identity LIKE 'whole-%'")"
echo "SELECT ctaudience.ct_import_audience(:'m'::text)" | q -d "$db" -v m="$big" >/dev/null
members() {
	q -A -t -d "$1" -c "SELECT p.identity || ' ' || s.partner_segment_id || ' ' || m.is_member || ' ' || m.stated_at
		FROM ctaudience.ct_segment_member m JOIN ctaudience.ct_segment s USING (project_id, segment_id)
		JOIN ctaudience.ct_profile p USING (project_id, ct_id) WHERE p.identity LIKE 'whole-%'
		UNION ALL SELECT 'events ' || count(*) FROM ctaudience.ct_event e JOIN ctaudience.ct_profile p USING (project_id, ct_id)
		 WHERE p.identity LIKE 'whole-%'
		UNION ALL SELECT 'members ' || sum(members) FROM ctaudience.ct_segment_delta d
		  JOIN ctaudience.ct_segment s USING (project_id, segment_id) WHERE s.partner_segment_id = 90002
		ORDER BY 1" | md5sum
}
check "sent again, it gives what an uninterrupted import gives" "$(members "${db}_whole")" "$(members "$db")"

q -d postgres -c "DROP DATABASE $db" -c "DROP DATABASE ${db}_whole"
exit $fail
