#!/usr/bin/env bash
# Identity rule 1 converges (SPEC section 4): random membership messages of
# fixed users (Customer IDs, Partner IDs for half of them, mParticle IDs,
# emails and phones that move, adds and deletes, attributes; a third of
# the messages at exactly the time of an earlier one), with redeliveries,
# applied in several shuffled orders over 1 to 4 sessions,
# all end with the same profiles (Partner IDs' CleverTap IDs, Identities,
# emails, phones, attributes) and the same current memberships.  Generated
# CleverTap IDs, aliases and event history may differ.
# Runs against the cluster of scripts/test.sh (PGHOST/PGPORT set), from the
# repository root; it creates and drops databases ct_converge_*.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d /tmp/ctaudience-converge.XXXXXX)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fail=0
pg_config=${PG_CONFIG:-${CT_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_config}
cc -O2 -Wall -o "$work/driver" bench/driver.c -I"$("$pg_config" --includedir)" -lpq -lpthread
conn="host=$PGHOST port=$PGPORT user=${PGUSER:-postgres}"

state() {
	q -A -t -d "$1" -c "
		SELECT 'profile ' || CASE WHEN ct_id LIKE '\\_\\_cv%' THEN ct_id ELSE 'generated' END || ' ' || coalesce(identity, '-')
			   || ' ' || coalesce(email::text, '-') || ' ' || coalesce(phone::text, '-') || ' ' || properties::text
		  FROM ctaudience.ct_profile
		UNION ALL
		SELECT 'member ' || coalesce(p.identity, p.ct_id) || ' ' || s.partner_segment_id
		  FROM ctaudience.ct_segment_member m
		  JOIN ctaudience.ct_segment s USING (project_id, segment_id)
		  JOIN ctaudience.ct_profile p USING (project_id, ct_id)
		 WHERE m.is_member
		 ORDER BY 1"
}

orders=4
for seed in 11 12 13; do
	python3 test/cluster/convergence_messages.py "$work" "$seed" "$orders"
	for k in $(seq 0 $((orders - 1))); do
		sessions=$((k + 1))
		db=ct_converge_$k
		q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
		q -d "$db" -c "CREATE EXTENSION ctaudience" \
			-c "SELECT ctaudience.ct_register_project('CONVERGE', 'converge-passcode-1', 'converge-token')" >/dev/null
		timeout 300 "$work/driver" import "$conn dbname=$db" "$work/order-$k.jsonl" "$sessions" >"$work/run-$k.out"
		state "$db" >"$work/state-$k"
	done
	same=yes
	for k in $(seq 1 $((orders - 1))); do
		if ! diff -q "$work/state-0" "$work/state-$k" >/dev/null; then
			same=no
			echo "# seed $seed: order 0 (1 session) and order $k ($((k + 1)) sessions) differ:"
			diff "$work/state-0" "$work/state-$k" | head -10
		fi
	done
	merged=$(q -A -t -d ct_converge_0 -c "SELECT count(*) FROM ctaudience.ct_profile_alias" 2>/dev/null || echo none)
	profiles=$(grep -c '^profile' "$work/state-0")
	if [ "$same" = yes ] && [ "$profiles" -gt 0 ]; then
		echo "ok - seed $seed: $orders shuffled orders over 1 to $orders sessions, with redeliveries: the same $profiles profiles and memberships ($merged merged in the first order; $(tr '\n' ' ' <"$work/run-$((orders - 1)).out"))"
	else
		echo "not ok - seed $seed: the shuffled orders end the same"
		fail=1
	fi
	for k in $(seq 0 $((orders - 1))); do q -d postgres -c "DROP DATABASE ct_converge_$k"; done
done
exit $fail
