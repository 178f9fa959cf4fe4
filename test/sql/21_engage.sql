-- Engage: campaigns on imported segments.  The seed's two scenarios end to
-- end from Firehose messages, every refused channel, the one-time rule,
-- recorded events in usage, and Find People agreeing with the audience.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

CREATE FUNCTION t.ctid(who text) RETURNS text LANGUAGE sql AS $$
	SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = 'TEST-1' AND identity = who
$$;
CREATE FUNCTION t.seg(audience bigint, project text DEFAULT 'TEST-1') RETURNS bigint LANGUAGE sql AS $$
	SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = project AND partner_segment_id = audience
$$;
-- who is queued for a campaign, and on what (the order of one statement's
-- rows follows their CleverTap IDs, which are generated: by time and name)
CREATE FUNCTION t.queued(campaign bigint)
RETURNS TABLE (who text, event_name text, action text, taken boolean) LANGUAGE sql AS $$
	SELECT p.identity, q.event_name, q.event_props ->> 'Action', q.taken_at IS NOT NULL
	  FROM ctaudience.ct_campaign_queue q JOIN ctaudience.ct_profile p USING (project_id, ct_id)
	 WHERE q.campaign_id = campaign ORDER BY q.event_ts, p.identity
$$;

-- Scenario 1: a one-time export of "Bangalore app users" (52001), then an
-- in-app campaign on App Launched filtered to that segment.
SELECT t.imp(t.msg(2101, 1716000000000, jsonb_build_array(
	t.u('2101', jsonb_build_array(t.id('customer', 'blr-1'), t.id('email', 'blr1@example.com')), jsonb_build_array(t.aud(52001, 'Bangalore app users'))),
	t.u('2102', jsonb_build_array(t.id('customer', 'blr-2')), jsonb_build_array(t.aud(52001, 'Bangalore app users'))),
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1'), t.id('email', 'mum1@example.com')), jsonb_build_array(t.aud(52002, 'Cart Drop off'))))));
SELECT ct_create_campaign('TEST-1', 'Welcome back, Bangalore', 'in_app', 'live_behavior',
						  trigger_event => 'App Launched', segment_ids => ARRAY[t.seg(52001)]) AS in_app \gset
-- a member launches the app: queued; a non-member launches it: not
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'App Launched', '{"Platform": "Android"}') > 0 AS recorded;
SELECT ct_record_event('TEST-1', t.ctid('mum-1'), 'App Launched', '{"Platform": "iOS"}') > 0 AS recorded;
-- another event does not trigger it
SELECT ct_record_event('TEST-1', t.ctid('blr-2'), 'Product Viewed') > 0 AS recorded;
SELECT * FROM t.queued(:in_app);
-- one-time: a second launch queues nothing more
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'App Launched', '{"Platform": "Android"}') > 0 AS recorded;
SELECT count(*) AS queued FROM ct_campaign_queue WHERE campaign_id = :in_app;

-- Scenario 2: a recurring email campaign on Partner Sync, Action = Added,
-- for "Cart Drop off" (52002).
SELECT ct_create_campaign('TEST-1', 'Your cart misses you', 'email', 'live_behavior',
						  trigger_event => 'Partner Sync', trigger_filter => '{"Action": "Added"}',
						  segment_ids => ARRAY[t.seg(52002)], recurring => true) AS cart \gset
-- adds blr-1 and blr-2 to the cart segment, removes mum-1 from it, and
-- adds blr-2 to the Bangalore segment again (unchanged: no Partner Sync)
SELECT t.imp(t.msg(2102, 1716000100000, jsonb_build_array(
	t.u('2101', jsonb_build_array(t.id('customer', 'blr-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off'))),
	t.u('2102', jsonb_build_array(t.id('customer', 'blr-2')), jsonb_build_array(t.aud(52002, 'Cart Drop off'), t.aud(52001, 'Bangalore app users'))),
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off', 'delete'))))));
SELECT * FROM t.queued(:cart);
-- a redelivered message queues nothing
SELECT t.imp(t.msg(2102, 1716000100000, jsonb_build_array(
	t.u('2101', jsonb_build_array(t.id('customer', 'blr-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off'))),
	t.u('2102', jsonb_build_array(t.id('customer', 'blr-2')), jsonb_build_array(t.aud(52002, 'Cart Drop off'), t.aud(52001, 'Bangalore app users'))),
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off', 'delete'))))));
SELECT count(*) AS queued FROM ct_campaign_queue WHERE campaign_id = :cart;
-- removed, then added again: queued once per add (recurring)
SELECT t.imp(t.msg(2103, 1716000200000, jsonb_build_array(
	t.u('2101', jsonb_build_array(t.id('customer', 'blr-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off', 'delete'))))));
SELECT t.imp(t.msg(2104, 1716000300000, jsonb_build_array(
	t.u('2101', jsonb_build_array(t.id('customer', 'blr-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off'))))));
SELECT * FROM t.queued(:cart);
-- the same message as text goes through the same C path
SELECT t.counts(ct_import_audience(t.msg(2105, 1716000400000, jsonb_build_array(
	t.u('2104', jsonb_build_array(t.id('customer', 'cart-4')), jsonb_build_array(t.aud(52002, 'Cart Drop off')))))::text));
SELECT * FROM t.queued(:cart) WHERE who = 'cart-4';
-- a stopped campaign qualifies no one; its queued rows stay
SELECT ct_stop_campaign(:cart);
SELECT t.imp(t.msg(2106, 1716000500000, jsonb_build_array(
	t.u('2105', jsonb_build_array(t.id('customer', 'cart-5')), jsonb_build_array(t.aud(52002, 'Cart Drop off'))))));
SELECT count(*) AS queued FROM ct_campaign_queue WHERE campaign_id = :cart;

-- A one-time Partner Sync campaign on Removed, with no segment condition
-- beyond the filter: a removal qualifies (the profile is no longer in the
-- segment, so the campaign names none), and only once per profile.
SELECT ct_create_campaign('TEST-1', 'Sorry to see you go', 'sms', 'live_behavior',
						  trigger_event => 'Partner Sync', trigger_filter => '{"Action": "Removed", "Partner Segment ID": 52002}') AS gone \gset
SELECT t.imp(t.msg(2107, 1716000600000, jsonb_build_array(
	t.u('2104', jsonb_build_array(t.id('customer', 'cart-4')), jsonb_build_array(t.aud(52002, 'Cart Drop off', 'delete'))))));
SELECT t.imp(t.msg(2108, 1716000700000, jsonb_build_array(
	t.u('2104', jsonb_build_array(t.id('customer', 'cart-4')), jsonb_build_array(t.aud(52002, 'Cart Drop off'))))));
SELECT t.imp(t.msg(2109, 1716000800000, jsonb_build_array(
	t.u('2104', jsonb_build_array(t.id('customer', 'cart-4')), jsonb_build_array(t.aud(52002, 'Cart Drop off', 'delete'))))));
SELECT * FROM t.queued(:gone);

-- A campaign on Removed that targets the segment itself: after a removal
-- the profile is not a member now, so it never qualifies; one on Added
-- that targets another segment sees a membership the same statement
-- turned true.
SELECT ct_create_campaign('TEST-1', 'Removed, still in the segment', 'push', 'live_behavior',
						  trigger_event => 'Partner Sync', trigger_filter => '{"Action": "Removed"}',
						  segment_ids => ARRAY[t.seg(52002)], recurring => true) AS removed_in \gset
SELECT ct_create_campaign('TEST-1', 'Cart, and back in Bangalore', 'push', 'live_behavior',
						  trigger_event => 'Partner Sync', trigger_filter => '{"Action": "Added", "Partner Segment ID": 52002}',
						  segment_ids => ARRAY[t.seg(52001)], recurring => true) AS both \gset
-- mum-1: out of Bangalore (a member row turned false), then in both at once
SELECT t.imp(t.msg(2120, 1716000750000, jsonb_build_array(
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52001, 'Bangalore app users', 'delete'))))));
SELECT t.imp(t.msg(2121, 1716000760000, jsonb_build_array(
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52001, 'Bangalore app users'))))));
SELECT t.imp(t.msg(2122, 1716000770000, jsonb_build_array(
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52001, 'Bangalore app users', 'delete'))))));
SELECT t.imp(t.msg(2123, 1716000780000, jsonb_build_array(
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52001, 'Bangalore app users'), t.aud(52002, 'Cart Drop off'))))));
SELECT t.imp(t.msg(2124, 1716000790000, jsonb_build_array(
	t.u('2103', jsonb_build_array(t.id('customer', 'mum-1')), jsonb_build_array(t.aud(52002, 'Cart Drop off', 'delete'))))));
SELECT count(*) AS queued_on_removal FROM ct_campaign_queue WHERE campaign_id = :removed_in;
SELECT * FROM t.queued(:both);

-- Taking: a sender gets the oldest rows once
SELECT who, event_name FROM ct_campaign_take(:cart, 2) JOIN ct_profile p USING (project_id, ct_id) CROSS JOIN LATERAL (SELECT p.identity AS who) w ORDER BY who;
SELECT count(*) AS left_to_take FROM ct_campaign_take(:cart, 100);
SELECT count(*) AS nothing_left FROM ct_campaign_take(:cart, 100);

-- Past behavior: the members of the segments now, reachable on the channel
SELECT ct_create_campaign('TEST-1', 'Cart reminder', 'email', 'past_behavior',
						  segment_ids => ARRAY[t.seg(52002)]) AS past \gset
SELECT identity, email, reachable FROM ct_campaign_audience(:past) ORDER BY identity;
-- paging by ct_id covers the same profiles
SELECT count(*) AS paged FROM (
	SELECT * FROM ct_campaign_audience(:past, NULL, 1)
	UNION ALL SELECT * FROM ct_campaign_audience(:past, (SELECT ct_id FROM ct_campaign_audience(:past, NULL, 1)), 100)) x;
-- Find People agrees on who is in the segment
SELECT (SELECT array_agg(ct_id ORDER BY ct_id) FROM ct_campaign_audience(:past)) =
	   (SELECT array_agg(DISTINCT ct_id::text ORDER BY ct_id::text) FROM ct_find_people f
		 WHERE f.project_id = 'TEST-1' AND f.partner_segment_id = '52002'
		   AND EXISTS (SELECT 1 FROM ct_segment_member m WHERE m.project_id = f.project_id AND m.ct_id = f.ct_id
						  AND m.segment_id = t.seg(52002) AND m.is_member)) AS find_people_agrees;

-- Refused: Partner Sync on every in-app channel, through the function and
-- through a direct INSERT; an unknown channel or kind; a live campaign
-- without a trigger; a segment of another project.
SELECT t.imp(jsonb_set(t.msg(2110, 1716000900000, jsonb_build_array(
	t.u('2110', jsonb_build_array(t.id('customer', 'other-1')), jsonb_build_array(t.aud(52009, 'Elsewhere')))), 'TEST-2'),
	'{account,account_settings,region}', '"in1"'));
DO $$
DECLARE
	ch text;
	st text;
	m text;
	h text;
BEGIN
	FOREACH ch IN ARRAY ARRAY['in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'] LOOP
		BEGIN
			PERFORM ctaudience.ct_create_campaign('TEST-1', 'x', ch, 'live_behavior', 'Partner Sync');
			RAISE NOTICE '% accepted', ch;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
			RAISE NOTICE '%: % % / %', ch, st, m, h;
		END;
		BEGIN
			INSERT INTO ctaudience.ct_campaign (project_id, name, channel, kind, trigger_event)
			VALUES ('TEST-1', 'x', ch, 'live_behavior', 'Partner Sync');
			RAISE NOTICE '% accepted by INSERT', ch;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
			RAISE NOTICE '% by INSERT: %', ch, st;
		END;
	END LOOP;
END
$$;
-- the channels that can use Partner Sync
SELECT count(*) AS accepted FROM (
	SELECT ct_create_campaign('TEST-1', 'ok ' || ch, ch, 'live_behavior', 'Partner Sync')
	  FROM unnest(ARRAY['push', 'email', 'sms', 'whatsapp', 'webhook', 'web_push']) ch) x;
SELECT count(*) AS stopped FROM (SELECT ct_stop_campaign(campaign_id) FROM ct_campaign WHERE name LIKE 'ok %') x;
SELECT ct_create_campaign('TEST-1', 'x', 'fax', 'live_behavior', 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', 'x', 'email', 'sometimes', 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', 'x', 'email', 'live_behavior');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', 'x', 'email', 'live_behavior', 'Partner Sync', segment_ids => ARRAY[t.seg(52009, 'TEST-2')]);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a segment that does not exist: the functions refuse it; a direct INSERT
-- may name one (a restore loads campaigns before segments), not another
-- project's
SELECT ct_create_campaign('TEST-1', 'x', 'email', 'live_behavior', 'Partner Sync', segment_ids => ARRAY[999999]);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_update_campaign(:past, segment_ids => ARRAY[999999]);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_update_campaign(999999, name => 'x');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO ct_campaign (project_id, name, channel, kind, trigger_event, segment_ids, status)
VALUES ('TEST-1', 'restored', 'email', 'live_behavior', 'Partner Sync', ARRAY[999999], 'stopped');
INSERT INTO ct_campaign (project_id, name, channel, kind, trigger_event, segment_ids)
VALUES ('TEST-1', 'x', 'email', 'live_behavior', 'Partner Sync', ARRAY[t.seg(52009, 'TEST-2')]);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', 'x', 'email', 'past_behavior');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', 'x', 'email', 'live_behavior', 'Partner Sync', '[1]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE ct_campaign SET channel = 'in_app' WHERE campaign_id = :cart;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_update_campaign(:in_app, trigger_event => 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a bad status or name is a bad argument (22023), a NULL one 22004, each
-- with a message that says so, not a constraint's 23514 or 23502 showing
-- the whole row (rev5 finding 6); the same through the functions and a
-- direct write.  The ids the refused ones drew are given back, so that
-- the later campaigns keep theirs.
SELECT last_value AS campaign_seq FROM ct_campaign_campaign_id_seq \gset
SELECT ct_update_campaign(:past, status => 'paused');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_update_campaign(:past, name => '');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_update_campaign(:past, name => repeat('n', 600));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', '', 'email', 'live_behavior', 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', repeat('é', 257), 'email', 'live_behavior', 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', NULL, 'email', 'live_behavior', 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-1', 'x', NULL, 'live_behavior', 'Partner Sync');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE ct_campaign SET status = 'paused' WHERE campaign_id = :past;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE ct_campaign SET name = NULL WHERE campaign_id = :past;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a name of 512 bytes is the longest
BEGIN;
SELECT ct_update_campaign(:past, name => repeat('n', 512));
SELECT octet_length(name) AS name_bytes, status FROM ct_campaign WHERE campaign_id = :past;
ROLLBACK;
SELECT setval('ct_campaign_campaign_id_seq', :campaign_seq) = :campaign_seq AS ids_given_back;
-- a NULL limit or campaign to take from: 22004, not 0 rows
SELECT * FROM ct_campaign_take(:cart, NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM ct_campaign_take(NULL, 10);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Recorded events: system events refused, the profile must exist; they
-- count in usage (the event and each property) and toward monthly active
-- users, which Partner Sync does not.
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'Partner Sync', '{"Action": "Added"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'notification clicked');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-1', 'no-such-profile', 'App Launched');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'App Launched', '[]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'App Launched', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT month, events, data_points, monthly_active_users FROM ct_usage
 WHERE project_id = 'TEST-1' AND month = '2099-01-01';
SELECT ct_record_event('TEST-1', t.ctid('blr-1'), 'App Launched', '{"a": 1, "b": 2}', '2099-01-15 10:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-1', t.ctid('blr-2'), 'App Launched', '{}', '2099-01-16 10:00+00') > 0 AS recorded;
SELECT month, events, data_points, monthly_active_users FROM ct_usage
 WHERE project_id = 'TEST-1' AND month = '2099-01-01';

-- An erasure removes the subject's queued rows too.
SELECT t.ctid('blr-1') AS erased_ct_id \gset
SELECT count(*) AS queued_for_blr1 FROM ct_campaign_queue WHERE project_id = 'TEST-1' AND ct_id = :'erased_ct_id';
SELECT (ct_firehose((t.msg(2111, 1716001000000, NULL) - 'user_profiles') || jsonb_build_object(
	'type', 'dsr_processing_request', 'subject_request_type', 'erasure',
	'subject_identities', '{"customer_id": {"encoding": "raw", "value": "blr-1"}}'::jsonb)) -> 'ctaudience') AS erased;
SELECT count(*) AS queued_for_erased FROM ct_campaign_queue WHERE project_id = 'TEST-1' AND ct_id = :'erased_ct_id';
-- its past months keep their active users (rev8 #3), naming no one
SELECT month, events, data_points, monthly_active_users FROM ct_usage
 WHERE project_id = 'TEST-1' AND month = '2099-01-01';
SELECT count(*) AS active_naming_erased FROM ct_active_user_month WHERE project_id = 'TEST-1' AND ct_id = :'erased_ct_id';

-- Roles: readers see campaigns, senders take from the queue, neither
-- creates campaigns.
SELECT has_table_privilege('ctaudience_reader', 'ctaudience.ct_campaigns', 'SELECT') AS reader_reads,
	   has_function_privilege('ctaudience_sender', 'ctaudience.ct_campaign_take(bigint, integer)', 'EXECUTE') AS sender_takes,
	   has_function_privilege('ctaudience_reader', 'ctaudience.ct_campaign_take(bigint, integer)', 'EXECUTE') AS reader_takes,
	   has_function_privilege('ctaudience_importer', 'ctaudience.ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean)', 'EXECUTE') AS importer_creates,
	   has_function_privilege('ctaudience_importer', 'ctaudience.ct_record_event(text, text, text, jsonb, timestamptz)', 'EXECUTE') AS importer_records;

-- Only Partner Sync, of the events CleverTap raises itself, can trigger a
-- campaign here (the others are never recorded, so they would never fire).
SELECT ct_create_campaign('TEST-1', 'x', 'push', 'live_behavior', 'Notification Clicked');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_is_system_event('notification clicked') AS system, ct_is_system_event('App Launched') AS app;

-- A one-time campaign's row meets the queue's constraints as any row does
-- (it is written below SQL): a CHECK added to the table refuses it, 23514.
BEGIN;
ALTER TABLE ct_campaign_queue ADD CONSTRAINT t_no_web CHECK (event_props ->> 'Platform' IS DISTINCT FROM 'Web');
\set VERBOSITY terse
SELECT ct_record_event('TEST-1', t.ctid('blr-2'), 'App Launched', '{"Platform": "Web"}') > 0 AS recorded;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY default
ROLLBACK;
