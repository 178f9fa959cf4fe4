#!/usr/bin/env bash
# An erasure in a large project: N profiles (default 10,000,000), each with
# a membership and a Partner Sync event, loaded with plain SQL (indexes
# built after the load, with the definitions the extension made), then
# three dsr_processing_request erasures through ct_firehose, one subject
# each, found by email, by mParticle ID and by Customer ID; each timed
# (server time, median of 5 different subjects).  Run as root from the
# repository root:
#   bench/dsr.sh [profiles]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

n=${1:-10000000}
. bench/lib.sh 1000	# the cluster; its message set is not used

newdb benchdsr
q() { psql -X -q -v ON_ERROR_STOP=1 -d benchdsr "$@"; }
ct_log "loading $n profiles, memberships and events"
q <<SQL
CREATE TEMP TABLE idx AS
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace
 WHERE s.nspname = 'ctaudience' AND c.relname IN ('ct_profile', 'ct_segment_member', 'ct_event')
   AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
SELECT format('DROP INDEX %s', name) FROM idx \gexec
INSERT INTO ctaudience.ct_segment (project_id, name, partner_segment_id) VALUES ('BENCH', 'Everyone', 1);
INSERT INTO ctaudience.ct_profile (project_id, ct_id, identity, email, phone, mparticle_id)
SELECT 'BENCH', 'ct' || i, 'cust-' || i, ('user' || i || '@example.com')::ctaudience.ct_email,
	   ('+1415555' || lpad((i % 10000)::text, 4, '0'))::ctaudience.ct_phone, (1000000000 + i)::text
  FROM generate_series(1, $n) i;
INSERT INTO ctaudience.ct_segment_member (project_id, segment_id, ct_id, is_member, stated_at)
SELECT 'BENCH', (SELECT segment_id FROM ctaudience.ct_segment), 'ct' || i, true, now() FROM generate_series(1, $n) i;
INSERT INTO ctaudience.ct_event (project_id, ct_id, event_name, ts, props)
SELECT 'BENCH', 'ct' || i, 'Partner Sync', now(), '{"Action": "Added"}' FROM generate_series(1, $n) i;
SELECT def FROM idx \gexec
VACUUM ANALYZE;
SQL
rows=$(psql -X -A -t -d benchdsr -c "SELECT (SELECT count(*) FROM ctaudience.ct_profile) || ' profiles, ' || pg_size_pretty(pg_total_relation_size('ctaudience.ct_profile')) || ' with indexes; ' || (SELECT count(*) FROM ctaudience.ct_segment_member) || ' memberships; ' || (SELECT count(*) FROM ctaudience.ct_event) || ' events'")
echo "$rows"

erase() {	# message number, subject identities (JSON): prints server ms and the erased count
	psql -X -A -t -d benchdsr -c "SELECT round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000, 1) || ' ms, erased ' || (r -> 'ctaudience' ->> 'profiles_erased')
		FROM ctaudience.ct_firehose(jsonb_build_object(
			'type', 'dsr_processing_request', 'id', '00000000-0000-4000-8000-' || lpad('$1', 12, '0'),
			'timestamp_ms', 1730000000000, 'firehose_version', '3.2.0', 'subject_request_type', 'erasure',
			'subject_identities', '$2'::jsonb,
			'account', jsonb_build_object('account_settings', jsonb_build_object('accountId', 'BENCH',
				'passcode', 'bench-passcode-1', 'accountToken', 'bench-token', 'region', 'eu1')))) r"
}
report=""
for kind in email mparticle_id customer_id; do
	times=""
	for k in 1 2 3 4 5; do
		i=$(( (k * 1999993 + ${#kind} * 7919) % n + 1 ))
		case $kind in
			email) subj="{\"email\": {\"encoding\": \"raw\", \"value\": \"user$i@example.com\"}}" ;;
			mparticle_id) subj="{\"mparticle_id\": {\"encoding\": \"raw\", \"value\": \"$((1000000000 + i))\"}}" ;;
			customer_id) subj="{\"customer_id\": {\"encoding\": \"raw\", \"value\": \"cust-$i\"}}" ;;
		esac
		r=$(erase "$((k * 10 + ${#kind}))" "$subj")
		echo "$kind $i: $r"
		times="$times $(echo "$r" | sed 's/ ms.*//')"
	done
	report="$report
erasure by $kind: $(median $times) ms median (server time, 5 subjects:$times)"
done
cat <<REPORT

== ctaudience erasure benchmark: $rows$report
REPORT
