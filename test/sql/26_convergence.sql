-- Identity rule 1 converges: the profiles and memberships depend on the
-- messages and their times, not on the order they arrive in.  A Customer
-- ID that comes with a Partner ID is claimed for the Partner ID's profile;
-- a generated profile holding it is merged into that profile (memberships,
-- events, attributes, email and phone, campaign rows) and its CleverTap ID
-- stays as an alias; between two Partner ID profiles the newer claim wins.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT ct_register_project('TEST-CV1', 'test-passcode-1', 'token-TEST-CV1', 'eu1', 'Convergence one');
SELECT ct_register_project('TEST-CV2', 'test-passcode-1', 'token-TEST-CV2', 'eu1', 'Convergence two');
-- the issue's example: M1 (older) mpid 5, Customer ID c5, add to audience 1;
-- M2 (newer) the same with the Partner ID __p05
CREATE FUNCTION t.cv_m1(project text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.msg(2601, 1767000000000, jsonb_build_array(
		t.u('5', jsonb_build_array(t.id('customer', 'c5'), t.id('email', 'old@example.com')),
			jsonb_build_array(t.aud(56001, 'Audience 1')))), project)
$$;
CREATE FUNCTION t.cv_m2(project text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.msg(2602, 1767000100000, jsonb_build_array(
		t.u('5', jsonb_build_array(t.id('customer', 'c5'), t.id('email', 'new@example.com')),
			jsonb_build_array(t.aud(56001, 'Audience 1')), '__p05')), project)
$$;
-- each project's profiles and memberships, without generated ids
CREATE FUNCTION t.cv_state(project text)
RETURNS TABLE (ct_id text, identity text, email text, named boolean, audiences bigint[]) LANGUAGE sql AS $$
	SELECT CASE WHEN p.ct_id ~ '^[0-9a-f]{32}$' THEN '(generated)' ELSE p.ct_id END, p.identity, p.email::text, p.named,
		   ARRAY(SELECT s.partner_segment_id FROM ctaudience.ct_segment_member m
				   JOIN ctaudience.ct_segment s USING (project_id, segment_id)
				  WHERE m.project_id = p.project_id AND m.ct_id = p.ct_id AND m.is_member ORDER BY 1)
	  FROM ctaudience.ct_profile p WHERE p.project_id = project ORDER BY 1, 2
$$;
-- M1 then M2: the generated profile made by M1 is merged into __p05
SELECT t.imp(t.cv_m1('TEST-CV1'));
SELECT ct_id AS generated FROM ct_profile WHERE project_id = 'TEST-CV1' \gset
SELECT t.imp(t.cv_m2('TEST-CV1'));
-- M2 then M1: one profile all along
SELECT t.imp(t.cv_m2('TEST-CV2'));
SELECT t.imp(t.cv_m1('TEST-CV2'));
SELECT * FROM t.cv_state('TEST-CV1');
SELECT * FROM t.cv_state('TEST-CV2');
SELECT (SELECT array_agg(row(x.*)) FROM t.cv_state('TEST-CV1') x) = (SELECT array_agg(row(x.*)) FROM t.cv_state('TEST-CV2') x)
	   AS same_in_both_orders;
-- the merged profile's CleverTap ID is an alias of __p05 now
SELECT alias = :'generated' AS alias_of_merged, ct_id FROM ct_profile_alias WHERE project_id = 'TEST-CV1';
-- its events moved, none doubled; the merge raised no Partner Sync of its own
SELECT ct_id, event_name, props ->> 'Action' AS action, ts FROM ct_event WHERE project_id = 'TEST-CV1' ORDER BY event_id;
SELECT members, added_30d FROM ct_segment_stats WHERE project_id = 'TEST-CV1';

-- a later Partner ID naming the merged profile's old CleverTap ID finds
-- __p05; so do ct_resolve_identity and an event recorded for it
SELECT t.imp(t.msg(2603, 1767000200000, jsonb_build_array(
	t.u('5', NULL, jsonb_build_array(t.aud(56002, 'Audience 2')), :'generated')), 'TEST-CV1'));
SELECT * FROM t.cv_state('TEST-CV1');
SELECT rule, ct_id FROM ct_resolve_identity('TEST-CV1', :'generated', NULL, NULL, NULL, NULL);
SELECT ct_record_event('TEST-CV1', :'generated', 'App Launched', '{}', '2026-01-01 00:00+00') > 0 AS recorded;
SELECT ct_id, event_name FROM ct_event WHERE project_id = 'TEST-CV1' AND event_name = 'App Launched';

-- what a merge brings: memberships (the newest statement of each segment
-- wins), email and phone (the newest), attributes (the newest per key),
-- campaign queue rows
SELECT ct_register_project('TEST-CV3', 'test-passcode-1', 'token-TEST-CV3', 'eu1', 'Convergence three', NULL, 'US');
SELECT t.imp(t.msg(2604, 1767000000000, jsonb_build_array(
	t.u('7', jsonb_build_array(t.id('customer', 'c7'), t.id('mobile_number', '+14155550107')),
		jsonb_build_array(t.aud(56101, 'Member in G'), t.aud(56102, 'Removed in G', 'delete'), t.aud(56103, 'Newer in G'),
			t.aud(56104, 'Attributes', 'attribute_update') || jsonb_build_object('user_attributes', jsonb_build_array(
				jsonb_build_object('key', 'tier', 'value', 'gold', 'action', 'upsert'),
				jsonb_build_object('key', 'city', 'value', 'Pune', 'action', 'upsert')))))), 'TEST-CV3'));
SELECT t.imp(t.msg(2605, 1767000300000, jsonb_build_array(
	t.u('7', NULL,
		jsonb_build_array(t.aud(56103, 'Newer in G', 'delete'), t.aud(56105, 'Only in P'),
			t.aud(56104, 'Attributes', 'attribute_update') || jsonb_build_object('user_attributes', jsonb_build_array(
				jsonb_build_object('key', 'city', 'value', 'Delhi', 'action', 'upsert')))), '__p07')), 'TEST-CV3'));
SELECT ct_create_campaign('TEST-CV3', 'Hello', 'sms', 'live_behavior', trigger_event => 'Tap') AS c \gset
SELECT ct_record_event('TEST-CV3', (SELECT ct_id FROM ct_profile WHERE project_id = 'TEST-CV3' AND identity = 'c7'), 'Tap') > 0 AS queued;
-- __p07 claims c7 with an older message than its statements: it merges the
-- generated profile, and for each segment the newer statement stays
SELECT t.imp(t.msg(2606, 1767000100000, jsonb_build_array(
	t.u('7', jsonb_build_array(t.id('customer', 'c7')), jsonb_build_array(t.aud(56103, 'Newer in G')), '__p07')), 'TEST-CV3'));
SELECT ct_id, identity, phone::text, properties, properties_ts FROM ct_profile WHERE project_id = 'TEST-CV3';
SELECT s.partner_segment_id, m.is_member, m.stated_at FROM ct_segment_member m JOIN ct_segment s USING (project_id, segment_id)
 WHERE m.project_id = 'TEST-CV3' ORDER BY 1;
SELECT ct_id, campaign_id = :c AS campaign FROM ct_campaign_queue WHERE project_id = 'TEST-CV3';
SELECT name, members FROM ct_segment_stats WHERE project_id = 'TEST-CV3' ORDER BY name;

-- two Partner IDs claiming one Customer ID: the newer message's claim wins
SELECT ct_register_project('TEST-CV4', 'test-passcode-1', 'token-TEST-CV4', 'eu1', 'Convergence four');
SELECT t.imp(t.msg(2607, 1767000100000, jsonb_build_array(
	t.u('8', jsonb_build_array(t.id('customer', 'c8')), jsonb_build_array(t.aud(56201, 'A')), '__p08a')), 'TEST-CV4'));
-- an older claim is refused
SELECT t.imp(t.msg(2608, 1767000000000, jsonb_build_array(
	t.u('8', jsonb_build_array(t.id('customer', 'c8')), jsonb_build_array(t.aud(56201, 'A')), '__p08b')), 'TEST-CV4'));
SELECT ct_id, identity FROM ct_profile WHERE project_id = 'TEST-CV4' ORDER BY 1;
-- a newer one takes it
SELECT t.imp(t.msg(2609, 1767000200000, jsonb_build_array(
	t.u('8', jsonb_build_array(t.id('customer', 'c8')), jsonb_build_array(t.aud(56201, 'A')), '__p08c')), 'TEST-CV4'));
SELECT ct_id, identity, identity_ts FROM ct_profile WHERE project_id = 'TEST-CV4' ORDER BY 1;
-- at the same time, the smaller CleverTap ID
SELECT t.imp(t.msg(2610, 1767000200000, jsonb_build_array(
	t.u('8', jsonb_build_array(t.id('customer', 'c8')), jsonb_build_array(t.aud(56201, 'A')), '__p08b')), 'TEST-CV4'));
SELECT ct_id, identity FROM ct_profile WHERE project_id = 'TEST-CV4' ORDER BY 1;

-- within one message: a generated profile made for the Customer ID and the
-- Partner ID's claim of it give one profile
SELECT ct_register_project('TEST-CV5', 'test-passcode-1', 'token-TEST-CV5', 'eu1', 'Convergence five');
SELECT t.imp(t.msg(2611, 1767000000000, jsonb_build_array(
	t.u('9', jsonb_build_array(t.id('customer', 'c9')), jsonb_build_array(t.aud(56301, 'A'))),
	t.u('9', jsonb_build_array(t.id('customer', 'c9')), jsonb_build_array(t.aud(56302, 'B')), '__p09')), 'TEST-CV5'));
SELECT * FROM t.cv_state('TEST-CV5');

-- the dry run says what the import will do
SELECT ct_register_project('TEST-CV6', 'test-passcode-1', 'token-TEST-CV6', 'eu1', 'Convergence six');
SELECT t.imp(t.cv_m1('TEST-CV6'));
SELECT rule, key, ct_id, creates_profile, change FROM ct_preview_import(t.cv_m2('TEST-CV6'));

-- an erasure of the survivor removes its aliases too
SELECT ct_firehose(jsonb_build_object(
	'type', 'dsr_processing_request', 'id', '00000000-0000-4000-8000-000000002612',
	'timestamp_ms', 1767000400000, 'firehose_version', '3.2.0',
	'account', jsonb_build_object('account_id', 1, 'account_settings', jsonb_build_object(
		'accountId', 'TEST-CV1', 'passcode', 'test-passcode-1', 'accountToken', 'token-TEST-CV1', 'region', 'eu1')),
	'subject_request_id', '00000000-0000-4000-8000-000000002613', 'subject_request_type', 'erasure',
	'subject_identities', jsonb_build_object('customer_id', jsonb_build_object('value', 'c5', 'encoding', 'raw'))))
	-> 'ctaudience' AS erased;
SELECT count(*) AS aliases FROM ct_profile_alias WHERE project_id = 'TEST-CV1';
-- and an erasure by the merged profile's old CleverTap ID erases the survivor
SELECT alias AS cv3_alias FROM ct_profile_alias WHERE project_id = 'TEST-CV3' \gset
SELECT ct_firehose(jsonb_build_object(
	'type', 'dsr_processing_request', 'id', '00000000-0000-4000-8000-000000002614',
	'timestamp_ms', 1767000400000, 'firehose_version', '3.2.0',
	'account', jsonb_build_object('account_id', 1, 'account_settings', jsonb_build_object(
		'accountId', 'TEST-CV3', 'passcode', 'test-passcode-1', 'accountToken', 'token-TEST-CV3', 'region', 'eu1')),
	'subject_request_id', '00000000-0000-4000-8000-000000002615', 'subject_request_type', 'erasure',
	'subject_identities', jsonb_build_object('clevertap_user_id', jsonb_build_object('value', :'cv3_alias', 'encoding', 'raw'))))
	-> 'ctaudience' AS erased;
SELECT (SELECT count(*) FROM ct_profile WHERE project_id = 'TEST-CV3') AS profiles,
	   (SELECT count(*) FROM ct_profile_alias WHERE project_id = 'TEST-CV3') AS aliases,
	   (SELECT count(*) FROM ct_campaign_queue WHERE project_id = 'TEST-CV3') AS queued;

-- equal times: the order messages arrive in does not matter either.  Two
-- messages of one time about one profile, imported in both orders into two
-- projects: a removal wins over an add, the smaller email (byte by byte)
-- and phone (the smaller number), a deletion of an attribute over a value,
-- else the smaller value (its JSON text, byte by byte)
CREATE FUNCTION t.cv_tie(n int, project text, email text, phone text, action text, attrs jsonb) RETURNS jsonb
LANGUAGE sql AS $$
	SELECT t.msg(n, 1767000500000, jsonb_build_array(
		t.u('11', jsonb_build_array(t.id('customer', 'c11'), t.id('email', email), t.id('mobile_number', phone)),
			jsonb_build_array(t.aud(56401, 'Tie'), t.aud(56402, 'Tie two', action),
				t.aud(56401, 'Tie', 'attribute_update') || jsonb_build_object('user_attributes', attrs)))), project)
$$;
CREATE FUNCTION t.cv_tie_a(project text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.cv_tie(2620, project, 'a@example.com', '+14155550122', 'add', jsonb_build_array(
		jsonb_build_object('key', 'tier', 'value', 'silver', 'action', 'upsert'),
		jsonb_build_object('key', 'city', 'value', 'Pune', 'action', 'upsert'),
		jsonb_build_object('key', 'score', 'value', '10', 'action', 'upsert')))
$$;
CREATE FUNCTION t.cv_tie_b(project text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.cv_tie(2621, project, 'b@example.com', '+14155550111', 'delete', jsonb_build_array(
		jsonb_build_object('key', 'tier', 'value', 'gold', 'action', 'upsert'),
		jsonb_build_object('key', 'city', 'action', 'delete'),
		jsonb_build_object('key', 'score', 'value', '9', 'action', 'upsert')))
$$;
CREATE FUNCTION t.cv_tie_state(project text)
RETURNS TABLE (identity text, email text, phone text, properties jsonb, properties_ts jsonb, member jsonb) LANGUAGE sql AS $$
	SELECT p.identity, p.email::text, p.phone::text, p.properties, p.properties_ts,
		   (SELECT jsonb_object_agg(s.partner_segment_id, m.is_member) FROM ctaudience.ct_segment_member m
			  JOIN ctaudience.ct_segment s USING (project_id, segment_id)
			 WHERE m.project_id = p.project_id AND m.ct_id = p.ct_id)
	  FROM ctaudience.ct_profile p WHERE p.project_id = project ORDER BY 1
$$;
SELECT ct_register_project('TEST-CV7', 'test-passcode-1', 'token-TEST-CV7', 'eu1', 'Convergence seven', NULL, 'US');
SELECT ct_register_project('TEST-CV8', 'test-passcode-1', 'token-TEST-CV8', 'eu1', 'Convergence eight', NULL, 'US');
SELECT t.imp(t.cv_tie_a('TEST-CV7'));
SELECT t.imp(t.cv_tie_b('TEST-CV7'));
SELECT t.imp(t.cv_tie_b('TEST-CV8'));
SELECT t.imp(t.cv_tie_a('TEST-CV8'));
SELECT * FROM t.cv_tie_state('TEST-CV7');
SELECT * FROM t.cv_tie_state('TEST-CV8');
SELECT (SELECT array_agg(row(x.*)) FROM t.cv_tie_state('TEST-CV7') x) = (SELECT array_agg(row(x.*)) FROM t.cv_tie_state('TEST-CV8') x)
	   AS same_in_both_orders;
-- the Partner Sync events of each order: CV7 added Tie two, then removed
-- it; CV8 never added it
SELECT project_id, props ->> 'Action' AS action, props ->> 'Partner Segment Name' AS segment
  FROM ct_event WHERE project_id IN ('TEST-CV7', 'TEST-CV8') ORDER BY event_id;
-- a redelivery (same time, same values; under new message ids) changes
-- nothing and raises no Partner Sync
SELECT count(*) AS events_before FROM ct_event WHERE project_id = 'TEST-CV7' \gset
SELECT t.imp(t.cv_tie_a('TEST-CV7') || jsonb_build_object('id', '00000000-0000-4000-8000-000000002622'));
SELECT t.imp(t.cv_tie_b('TEST-CV7') || jsonb_build_object('id', '00000000-0000-4000-8000-000000002623'));
SELECT (SELECT array_agg(row(x.*)) FROM t.cv_tie_state('TEST-CV7') x) = (SELECT array_agg(row(x.*)) FROM t.cv_tie_state('TEST-CV8') x)
	   AS unchanged,
	   (SELECT count(*) FROM ct_event WHERE project_id = 'TEST-CV7') - :events_before AS new_events;
-- the dry run says an add loses to a removal of the same time
SELECT key, change, problem FROM ct_preview_import(t.cv_tie_a('TEST-CV8') || jsonb_build_object('id', '00000000-0000-4000-8000-000000002627'))
 WHERE audience_id = 56402;

-- and a merge at equal times: a generated profile (Customer ID c12) and a
-- Partner ID's profile hold values of one time; a later claim merges them.
-- Each project gives the two profiles the other's values: the same result
CREATE FUNCTION t.cv_tie_side(n int, project text, mpid text, partner text, email text, phone text, action text, attrs jsonb)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.msg(n, 1767000500000, jsonb_build_array(
		t.u(mpid, jsonb_build_array(t.id('email', email), t.id('mobile_number', phone))
				  || CASE WHEN partner IS NULL THEN jsonb_build_array(t.id('customer', 'c12')) ELSE '[]' END,
			jsonb_build_array(t.aud(56411, 'Merge tie', action),
				t.aud(56411, 'Merge tie', 'attribute_update') || jsonb_build_object('user_attributes', attrs)), partner)), project)
$$;
CREATE FUNCTION t.cv_tie_merge(project text, swap boolean) RETURNS SETOF jsonb LANGUAGE sql AS $$
	SELECT t.imp(t.cv_tie_side(2624, project, '12', NULL,
		CASE WHEN swap THEN 'b@example.com' ELSE 'a@example.com' END,
		CASE WHEN swap THEN '+14155550111' ELSE '+14155550122' END,
		CASE WHEN swap THEN 'delete' ELSE 'add' END,
		CASE WHEN swap THEN jsonb_build_array(jsonb_build_object('key', 'tier', 'value', 'gold', 'action', 'upsert'),
											  jsonb_build_object('key', 'city', 'action', 'delete'))
			 ELSE jsonb_build_array(jsonb_build_object('key', 'tier', 'value', 'silver', 'action', 'upsert'),
									jsonb_build_object('key', 'city', 'value', 'Pune', 'action', 'upsert')) END))
	UNION ALL
	SELECT t.imp(t.cv_tie_side(2625, project, '13', '__p12',
		CASE WHEN swap THEN 'a@example.com' ELSE 'b@example.com' END,
		CASE WHEN swap THEN '+14155550122' ELSE '+14155550111' END,
		CASE WHEN swap THEN 'add' ELSE 'delete' END,
		CASE WHEN swap THEN jsonb_build_array(jsonb_build_object('key', 'tier', 'value', 'silver', 'action', 'upsert'),
											  jsonb_build_object('key', 'city', 'value', 'Pune', 'action', 'upsert'))
			 ELSE jsonb_build_array(jsonb_build_object('key', 'tier', 'value', 'gold', 'action', 'upsert'),
									jsonb_build_object('key', 'city', 'action', 'delete')) END))
	UNION ALL
	SELECT t.imp(t.msg(2626, 1767000600000, jsonb_build_array(
		t.u('12', jsonb_build_array(t.id('customer', 'c12')), jsonb_build_array(t.aud(56412, 'Claim')), '__p12')), project))
$$;
SELECT ct_register_project('TEST-CV9', 'test-passcode-1', 'token-TEST-CV9', 'eu1', 'Convergence nine', NULL, 'US');
SELECT ct_register_project('TEST-CV10', 'test-passcode-1', 'token-TEST-CV10', 'eu1', 'Convergence ten', NULL, 'US');
SELECT t.cv_tie_merge('TEST-CV9', false);
SELECT t.cv_tie_merge('TEST-CV10', true);
SELECT * FROM t.cv_tie_state('TEST-CV9');
SELECT * FROM t.cv_tie_state('TEST-CV10');
SELECT (SELECT array_agg(row(x.*)) FROM t.cv_tie_state('TEST-CV9') x) = (SELECT array_agg(row(x.*)) FROM t.cv_tie_state('TEST-CV10') x)
	   AS same_either_way;
SELECT name, members FROM ct_segment_stats WHERE project_id IN ('TEST-CV9', 'TEST-CV10') ORDER BY project_id, name;

-- Profiles written before 0.3.0 have named NULL: updated in place, or
-- restored from an older backup into a fresh installation (COPY leaves
-- the column out).  The import decides each by its CleverTap ID: a
-- generated one is 32 lowercase hex characters starting with the time in
-- milliseconds from created_at to an hour later; any other came from a
-- Partner ID.  A newer Partner ID claiming the Customer ID of a Partner ID
-- profile is a conflict (the profile stays); of a generated one, a merge.
SELECT ct_register_project('TEST-CV11', 'test-passcode-1', 'token-TEST-CV11', 'eu1', 'Convergence eleven');
CREATE FUNCTION t.cv_ms_hex(ts timestamptz, plus_ms bigint) RETURNS text LANGUAGE sql AS $$
	SELECT lpad(to_hex((floor(extract(epoch FROM ts) * 1000))::bigint + plus_ms), 12, '0')
$$;
INSERT INTO ct_profile (project_id, ct_id, identity, created_at, updated_at)
VALUES ('TEST-CV11', '__kj_08', 'k1', '2024-11-01 10:00:00.123456+00', '2024-11-01 10:00:00.123456+00'),
	   -- a Partner ID of 32 lowercase hex characters (an MD5)
	   ('TEST-CV11', '0123456789abcdef0123456789abcdef', 'k2', '2024-11-01 10:00:00+00', '2024-11-01 10:00:00+00'),
	   -- generated: the time of created_at's millisecond, and 2 s later
	   ('TEST-CV11', t.cv_ms_hex('2024-11-01 10:00:00.123456+00', 0) || '00112233445566778899',
		'k3', '2024-11-01 10:00:00.123456+00', '2024-11-01 10:00:00.123456+00'),
	   ('TEST-CV11', t.cv_ms_hex('2024-11-01 10:00:00+00', 2000) || 'aabbccddeeff00112233',
		'k4', '2024-11-01 10:00:00+00', '2024-11-01 10:00:00+00'),
	   -- not generated: a millisecond before created_at, an hour and a millisecond after
	   ('TEST-CV11', t.cv_ms_hex('2024-11-01 10:00:00+00', -1) || '00000000000000000005',
		'k5', '2024-11-01 10:00:00+00', '2024-11-01 10:00:00+00'),
	   ('TEST-CV11', t.cv_ms_hex('2024-11-01 10:00:00+00', 3600001) || '00000000000000000006',
		'k6', '2024-11-01 10:00:00+00', '2024-11-01 10:00:00+00'),
	   -- upper case hex is no generated ID
	   ('TEST-CV11', upper(t.cv_ms_hex('2024-11-01 10:00:00+00', 0)) || 'AABBCCDDEEFF00112233',
		'k7', '2024-11-01 10:00:00+00', '2024-11-01 10:00:00+00');
SELECT count(*) FILTER (WHERE named IS NULL) AS named_unknown FROM ct_profile WHERE project_id = 'TEST-CV11';
SELECT t.imp(t.msg(2630, 1767000000000, jsonb_build_array(
	t.u('31', jsonb_build_array(t.id('customer', 'k1')), jsonb_build_array(t.aud(56501, 'A')), '__new1'),
	t.u('32', jsonb_build_array(t.id('customer', 'k2')), jsonb_build_array(t.aud(56501, 'A')), '__new2'),
	t.u('33', jsonb_build_array(t.id('customer', 'k3')), jsonb_build_array(t.aud(56501, 'A')), '__new3'),
	t.u('34', jsonb_build_array(t.id('customer', 'k4')), jsonb_build_array(t.aud(56501, 'A')), '__new4'),
	t.u('35', jsonb_build_array(t.id('customer', 'k5')), jsonb_build_array(t.aud(56501, 'A')), '__new5'),
	t.u('36', jsonb_build_array(t.id('customer', 'k6')), jsonb_build_array(t.aud(56501, 'A')), '__new6'),
	t.u('37', jsonb_build_array(t.id('customer', 'k7')), jsonb_build_array(t.aud(56501, 'A')), '__new7')), 'TEST-CV11'));
-- the Partner ID profiles stay (the newer claim took their Customer ID);
-- the generated ones (k3, k4) were merged, their IDs now aliases
SELECT CASE WHEN ct_id ~ '^__' THEN ct_id ELSE right(ct_id, 20) END AS ct_id, identity, named
  FROM ct_profile WHERE project_id = 'TEST-CV11' ORDER BY identity NULLS FIRST, 1;
SELECT right(alias, 20) AS alias, ct_id FROM ct_profile_alias WHERE project_id = 'TEST-CV11' ORDER BY ct_id;
