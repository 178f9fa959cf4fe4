-- A data set that uses every table of the extension: two projects, the
-- demo messages, a subscription with settings, attribute updates, an
-- erasure, and inbox messages done, pending and dead.  Run from the
-- repository root in a database with ctaudience installed.  It calls only
-- what version 0.1.0 has, so the upgrade test's data comes from it too.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

SELECT ctaudience.ct_register_project('DEMO-PROJECT', 'demo-passcode-123', 'demo-token', 'eu1',
									  'Demo project', NULL, 'IN');
SELECT ctaudience.ct_register_project('OTHER-PROJECT', 'other-passcode-1', 'other-token', 'us1',
									  'Other project', '2099-01-01 00:00:00+00', 'US');

-- a Firehose message: pg_temp.msg(type, project, id, timestamp_ms, rest)
CREATE FUNCTION pg_temp.msg(type text, project text, n int, ts_ms bigint, rest jsonb) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT jsonb_build_object(
		'type', type, 'id', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'),
		'timestamp_ms', ts_ms, 'firehose_version', '3.2.0',
		'account', jsonb_build_object('account_id', 7001, 'account_settings', CASE project
			WHEN 'DEMO-PROJECT' THEN '{"accountId": "DEMO-PROJECT", "passcode": "demo-passcode-123", "accountToken": "demo-token", "region": "eu1"}'::jsonb
			ELSE '{"accountId": "OTHER-PROJECT", "passcode": "other-passcode-1", "accountToken": "other-token", "region": "us1"}'::jsonb END))
		|| rest
$$;

-- the demo messages, as posted (text)
\set m `cat test/data/demo/01_membership.json`
SELECT ctaudience.ct_firehose(:'m'::text) IS NOT NULL AS imported;
\set m `cat test/data/demo/02_membership.json`
SELECT ctaudience.ct_firehose(:'m'::text) IS NOT NULL AS imported;
\set m `cat test/data/demo/03_membership.json`
SELECT ctaudience.ct_firehose(:'m'::jsonb) IS NOT NULL AS imported;
\set m `cat test/data/demo/04_membership.json`
SELECT ctaudience.ct_firehose(:'m'::text) IS NOT NULL AS imported;

-- a subscription: a new audience with its settings, and a rename
SELECT ctaudience.ct_firehose(pg_temp.msg('audience_subscription_request', 'DEMO-PROJECT', 101, 1730200000000,
	'{"audience_id": 60001, "audience_name": "VIP by email", "action": "add",
	  "audience_subscription_settings": {"userIdField": "email"}}')) IS NOT NULL AS subscribed;
SELECT ctaudience.ct_firehose(pg_temp.msg('audience_subscription_request', 'DEMO-PROJECT', 102, 1730200001000,
	'{"audience_id": 47444, "audience_name": "Cart Drop off (renamed)", "action": "update"}')) IS NOT NULL AS renamed;

-- memberships and attributes in both projects
SELECT ctaudience.ct_firehose(pg_temp.msg('audience_membership_change_request', 'DEMO-PROJECT', 103, 1730200002000,
	'{"user_profiles": [
	  {"mpid": "9001", "user_identities": [{"type": "email", "encoding": "raw", "value": "vip.one@example.com"}],
	   "audiences": [{"audience_id": 60001, "audience_name": "VIP by email", "action": "add"},
					 {"audience_id": 60001, "audience_name": "VIP by email", "action": "attribute_update",
					  "user_attributes": [{"key": "plan", "value": "gold", "action": "upsert"},
										  {"key": "tags", "list_value": ["a", "b"], "action": "upsert"}]}]},
	  {"mpid": "9002", "user_identities": [{"type": "customer", "encoding": "raw", "value": "cust-1001"}],
	   "audiences": [{"audience_id": 51210, "audience_name": "Big spenders", "action": "attribute_update",
					  "user_attributes": [{"key": "tier", "value": "2", "action": "upsert"}]}]},
	  {"mpid": "9003", "user_identities": [{"type": "email", "encoding": "sha256", "value": "ab12"}],
	   "audiences": [{"audience_id": 51210, "audience_name": "Big spenders", "action": "add"}]}]}')) IS NOT NULL AS imported;
SELECT ctaudience.ct_firehose(pg_temp.msg('audience_membership_change_request', 'OTHER-PROJECT', 104, 1730200003000,
	'{"user_profiles": [
	  {"mpid": "8001", "user_identities": [{"type": "customer", "encoding": "raw", "value": "o-1"},
										   {"type": "mobile_number", "encoding": "raw", "value": "(415) 555-0100"}],
	   "audiences": [{"audience_id": 70001, "audience_name": "Other audience", "action": "add"}]},
	  {"mpid": "8002", "user_identities": [{"type": "customer", "encoding": "raw", "value": "o-2"},
										   {"type": "email", "encoding": "raw", "value": "o2@example.com"}],
	   "audiences": [{"audience_id": 70001, "audience_name": "Other audience", "action": "add"}]}]}')) IS NOT NULL AS imported;

-- an erasure of one demo user
SELECT ctaudience.ct_firehose(pg_temp.msg('dsr_processing_request', 'DEMO-PROJECT', 105, 1730200004000,
	'{"subject_request_id": "dsr-1", "subject_request_type": "erasure", "regulation": "gdpr",
	  "subject_identities": {"customer_id": {"encoding": "raw", "value": "cust-1002"}}}')) IS NOT NULL AS erased;

-- the inbox: one message done, one dead (its audience name is too long), one pending
SELECT ctaudience.ct_enqueue(pg_temp.msg('audience_membership_change_request', 'OTHER-PROJECT', 106, 1730200005000,
	'{"user_profiles": [{"mpid": "8003", "user_identities": [{"type": "customer", "encoding": "raw", "value": "o-3"}],
	   "audiences": [{"audience_id": 70001, "audience_name": "Other audience", "action": "add"}]}]}')) > 0 AS queued;
SELECT ctaudience.ct_enqueue(pg_temp.msg('audience_membership_change_request', 'OTHER-PROJECT', 107, 1730200006000,
	jsonb_build_object('user_profiles', jsonb_build_array(jsonb_build_object('mpid', '8004',
		'user_identities', '[{"type": "customer", "encoding": "raw", "value": "o-4"}]'::jsonb,
		'audiences', jsonb_build_array(jsonb_build_object('audience_id', 70002,
			'audience_name', repeat('x', 600), 'action', 'add'))))))) > 0 AS queued;
SELECT done, retried, dead FROM ctaudience.ct_process_inbox(10);
SELECT ctaudience.ct_enqueue(pg_temp.msg('audience_membership_change_request', 'OTHER-PROJECT', 108, 1730200007000,
	'{"user_profiles": [{"mpid": "8001", "user_identities": [{"type": "customer", "encoding": "raw", "value": "o-1"}],
	   "audiences": [{"audience_id": 70001, "audience_name": "Other audience", "action": "delete"}]}]}')) > 0 AS queued;

-- fold part of the statistics, as a scheduled job would
SELECT ctaudience.ct_compact_stats('OTHER-PROJECT') >= 0 AS compacted;

-- campaigns, and the queue an import and a recorded event fill
SELECT ctaudience.ct_create_campaign('OTHER-PROJECT', 'Welcome', 'email', 'live_behavior', 'Partner Sync',
									 '{"Action": "Added"}', recurring => true) > 0 AS campaign;
SELECT ctaudience.ct_create_campaign('OTHER-PROJECT', 'Launch', 'in_app', 'live_behavior', 'App Launched',
	segment_ids => ARRAY(SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = 'OTHER-PROJECT' ORDER BY 1)) > 0 AS campaign;
SELECT ctaudience.ct_enqueue(pg_temp.msg('audience_membership_change_request', 'OTHER-PROJECT', 109, 1730200008000,
	'{"user_profiles": [{"mpid": "8005", "user_identities": [{"type": "customer", "encoding": "raw", "value": "o-5"}],
	   "audiences": [{"audience_id": 70001, "audience_name": "Other audience", "action": "add"}]}]}')) > 0 AS queued;
SELECT done FROM ctaudience.ct_process_inbox(10);
SELECT ctaudience.ct_record_event('OTHER-PROJECT', p.ct_id, 'App Launched', '{"Platform": "Android"}', '2024-10-29 10:00+00') > 0 AS recorded
  FROM ctaudience.ct_profile p WHERE p.project_id = 'OTHER-PROJECT' AND p.identity = 'o-5';
SELECT count(*) AS taken FROM ctaudience.ct_campaign_take((SELECT min(campaign_id) FROM ctaudience.ct_campaign), 1);
SELECT count(*) > 0 AS queue_filled FROM ctaudience.ct_campaign_queue;

-- a live journey with profiles in it: entered, emailed, waiting
SELECT ctaudience.ct_create_journey('OTHER-PROJECT', 'Other: welcome', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'mail',
					   'segment_id', (SELECT min(segment_id) FROM ctaudience.ct_segment WHERE project_id = 'OTHER-PROJECT')),
	'{"id": "mail", "type": "send", "channel": "email", "next": "wait"}'::jsonb,
	'{"id": "wait", "type": "wait", "duration": "2 days", "next": "out"}'::jsonb,
	'{"id": "out", "type": "exit"}'::jsonb),
	exit_segments => ARRAY[(SELECT max(segment_id) FROM ctaudience.ct_segment WHERE project_id = 'OTHER-PROJECT')]) AS journey \gset
SELECT ctaudience.ct_start_journey(:journey, as_of => '2024-10-01 00:00+00');
-- a project time zone, and a live journey entered on an app event
SELECT ctaudience.ct_set_project_time_zone('OTHER-PROJECT', 'Asia/Kolkata');
SELECT ctaudience.ct_create_journey('OTHER-PROJECT', 'Other: launched', jsonb_build_array(
	'{"id": "in", "type": "entry", "event": "App Launched", "filter": {"Platform": "Android"}, "next": "nine"}'::jsonb,
	'{"id": "nine", "type": "wait", "until": "09:00", "next": "out"}'::jsonb,
	'{"id": "out", "type": "exit"}'::jsonb)) AS launched \gset
SELECT ctaudience.ct_start_journey(:launched, as_of => '2024-10-01 00:00+00');
SELECT ctaudience.ct_record_event('OTHER-PROJECT', p.ct_id, 'App Launched', '{"Platform": "Android"}', '2024-10-29 11:00+00') > 0 AS recorded
  FROM ctaudience.ct_profile p WHERE p.project_id = 'OTHER-PROJECT' AND p.identity = 'o-5';
-- o-6 is added after the start: the import enters o-6
SELECT ctaudience.ct_firehose(pg_temp.msg('audience_membership_change_request', 'OTHER-PROJECT', 110, 1730200009000,
	'{"user_profiles": [{"mpid": "8006", "user_identities": [{"type": "customer", "encoding": "raw", "value": "o-6"}],
	   "audiences": [{"audience_id": 70001, "audience_name": "Other audience", "action": "add"}]}]}')) IS NOT NULL AS imported;
SELECT ctaudience.ct_advance_journeys(100, as_of => '2024-10-30 00:00+00') > 0 AS journey_moved;
SELECT count(*) > 0 AS journey_steps FROM ctaudience.ct_journey_step;
