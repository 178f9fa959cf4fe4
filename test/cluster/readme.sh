#!/usr/bin/env bash
# The README runs as written: every sql block of its Getting started,
# Engage and Journeys sections, in order, through psql from the repository root into a
# new database, stopping at the first error; then what the sections
# promise is checked against the database they left.
# Runs against the cluster of scripts/test.sh (PGHOST/PGPORT set); it
# creates and drops the database ct_readme.
set -euo pipefail
export PGOPTIONS="-c client_min_messages=warning"
work=$(mktemp -d /tmp/ctaudience-readme.XXXXXX)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
fail=0

python3 - "$work/readme.sql" <<'PY'
import re, sys
text = open('README.md').read()
out = []
for section in ('## Getting started\n', '## Engage\n', '## Journeys\n'):
    start = text.index(section)
    end = text.find('\n## ', start + 1)
    blocks = re.findall(r'```sql\n(.*?)```', text[start:end], re.S)
    if not blocks:
        sys.exit('no sql block in ' + section.strip())
    out += blocks
open(sys.argv[1], 'w').write('\n'.join(out))
PY

q -d postgres -c "DROP DATABASE IF EXISTS ct_readme" -c "CREATE DATABASE ct_readme"
if q -d ct_readme -f "$work/readme.sql" > "$work/out.txt" 2>&1; then
	echo "ok - the README's Getting started, Engage and Journeys run ($(grep -c . "$work/readme.sql") lines of SQL)"
else
	cat "$work/out.txt"
	echo "not ok - the README's Getting started, Engage and Journeys run"
	fail=1
fi

check() {	# description, SQL that returns true
	if [ "$(psql -X -A -t -d ct_readme -c "$2" 2>&1)" = t ]; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		fail=1
	fi
}
seg="SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = 'DEMO-PROJECT' AND partner_segment_id ="
queue="SELECT q.* FROM ctaudience.ct_campaign_queue q JOIN ctaudience.ct_campaign c USING (project_id, campaign_id) WHERE c.name ="
check "the four sample messages and the ones that add Grace and Heidi were imported" \
	"SELECT count(*) = 6 FROM ctaudience.ct_message WHERE project_id = 'DEMO-PROJECT'"
check "scenario 1: every member of the Bangalore segment, and only they, qualified once and was taken" \
	"SELECT array_agg(ct_id ORDER BY ct_id) = (SELECT array_agg(ct_id ORDER BY ct_id) FROM ctaudience.ct_segment_member
	         WHERE project_id = 'DEMO-PROJECT' AND segment_id = ($seg 51210) AND is_member)
	    AND count(*) > 0 AND bool_and(taken_at IS NOT NULL)
	   FROM ($queue 'Bangalore: welcome back') x"
check "scenario 2: the sync that added Grace queued her, and only her" \
	"SELECT count(*) = 1 AND bool_and(p.identity = 'cust-2001' AND x.taken_at IS NOT NULL)
	   FROM ($queue 'Your cart misses you') x JOIN ctaudience.ct_profile p USING (project_id, ct_id)"
check "deliveries: Grace's email was sent, viewed and clicked, as the results say" \
	"SELECT sent = 1 AND viewed = 1 AND clicked = 1 AND day = '2024-10-30'
	   FROM ctaudience.ct_campaign_results WHERE name = 'Your cart misses you' AND sent > 0"
check "journeys: Heidi entered, waited, was emailed once, bought, and left for the goal without an SMS" \
	"SELECT bool_and(CASE node WHEN 'added' THEN entered = 1 WHEN 'email' THEN sent = 1 WHEN 'sms' THEN sent = 0
	                           WHEN 'bought?' THEN no = 1 AND yes = 0 WHEN 'wait 1d' THEN goal = 1 AND passed = 0
	                           ELSE goal = 0 AND completed = 0 END) AND count(*) = 8
	   FROM ctaudience.ct_journey_stats WHERE name = 'Cart abandonment'"
check "journeys: the email went to Heidi through the campaign queue, and was taken" \
	"SELECT count(*) = 1 AND bool_and(p.identity = 'cust-2002' AND x.taken_at IS NOT NULL)
	   FROM ($queue 'Cart abandonment: email') x JOIN ctaudience.ct_profile p USING (project_id, ct_id)"
check "journeys: Heidi's App Launched entered her into Welcome, waiting until 10:00 in Berlin (the project's time zone)" \
	"SELECT count(*) = 1 AND bool_and(x.node = 'ten' AND x.due_at = '2024-11-02 09:00+00')
	   FROM ctaudience.ct_journey_profiles x JOIN ctaudience.ct_journey j USING (project_id, journey_id)
	   JOIN ctaudience.ct_profile p USING (project_id, ct_id) WHERE j.name = 'Welcome' AND p.identity = 'cust-2002'"
check "past behavior: the audience is the segment's members now" \
	"SELECT (SELECT count(*) FROM ctaudience.ct_campaign_audience((SELECT campaign_id FROM ctaudience.ct_campaign WHERE name = 'Cart reminder')))
	      = (SELECT count(*) FROM ctaudience.ct_segment_member WHERE project_id = 'DEMO-PROJECT' AND segment_id = ($seg 47444) AND is_member)"

q -d postgres -c "DROP DATABASE ct_readme"
exit $fail
