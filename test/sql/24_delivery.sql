-- Engagement: what senders report of the profiles they took from a
-- campaign (ct_record_delivery), CleverTap's own events by who may record
-- them, and each campaign's results (ct_campaign_results).
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT ct_register_project('TEST-DL', 'test-passcode-1', 'token-TEST-DL', 'eu1', 'Deliveries');
SELECT ct_register_project('TEST-DL2', 'test-passcode-1', 'token-TEST-DL2', 'eu1', 'Deliveries two');
SELECT t.imp(t.msg(2401, 1767261600000, jsonb_build_array(
	t.u('2401', jsonb_build_array(t.id('customer', 'dl-1'), t.id('email', 'dl1@example.com')), jsonb_build_array(t.aud(54001, 'Buyers'))),
	t.u('2402', jsonb_build_array(t.id('customer', 'dl-2')), jsonb_build_array(t.aud(54001, 'Buyers')), '__dl_2'),
	t.u('2403', jsonb_build_array(t.id('customer', 'dl-3')), jsonb_build_array(t.aud(54002, 'Browsers')), '__dl_3')), 'TEST-DL'));
SELECT t.imp(t.msg(2402, 1767261600000, jsonb_build_array(
	t.u('2404', jsonb_build_array(t.id('customer', 'other-1')), jsonb_build_array(t.aud(54001, 'Buyers')))), 'TEST-DL2'));
CREATE FUNCTION t.dl(who text) RETURNS text LANGUAGE sql AS $$
	SELECT ct_id FROM ctaudience.ct_profile WHERE project_id IN ('TEST-DL', 'TEST-DL2') AND identity = who
$$;
CREATE FUNCTION t.dlseg(audience bigint) RETURNS bigint LANGUAGE sql AS $$
	SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = 'TEST-DL' AND partner_segment_id = audience
$$;

-- a live push campaign on App Launched; dl-1 and dl-2 launch the app, a
-- sender takes dl-1 only
SELECT ct_create_campaign('TEST-DL', 'Come back', 'push', 'live_behavior', trigger_event => 'App Launched',
						  recurring => true) AS live \gset
SELECT ct_record_event('TEST-DL', t.dl('dl-1'), 'App Launched', '{}', '2026-01-15 09:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-DL', t.dl('dl-2'), 'App Launched', '{}', '2026-01-15 09:00+00') > 0 AS recorded;
UPDATE ct_campaign_queue SET qualified_at = '2026-01-15 09:00+00' WHERE campaign_id = :live;
UPDATE ct_campaign_queue SET taken_at = '2026-01-15 09:05+00' WHERE campaign_id = :live AND ct_id = t.dl('dl-1');

-- what a sender may report: the outcomes, each CleverTap's event
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'sent', '2026-01-15 09:06+00') > 0 AS sent;
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'delivered', '2026-01-15 09:07+00') > 0 AS delivered;
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'viewed', '2026-01-15 09:08+00') > 0 AS viewed;
-- the sender's own properties are kept; the campaign's attributes are the
-- campaign's, a sender's key differing from one of them only in case
-- (rev8 #5) replaced too; Notification Sent names the campaign "Campaign ID"
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'clicked', '2026-01-16 10:00+00',
						  '{"CT Session Id": "s-1", "Campaign id": 999, "campaign ID": 7, "wzrk_pivot": "mine", "ct source": "x"}') > 0 AS clicked;
-- an outcome that does not exist for the campaign's channel (rev8 #6):
-- replies are WhatsApp's, Webhook Delivered a webhook's, Push Impressions a push's
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'replied', '2026-01-16 10:01+00') > 0 AS replied;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'webhook_delivered', '2026-01-16 10:02+00') > 0 AS webhook;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_create_campaign('TEST-DL', 'Buyers chat', 'whatsapp', 'past_behavior', segment_ids => ARRAY[t.dlseg(54001)]) AS chat \gset
SELECT ct_create_campaign('TEST-DL', 'Buyers hook', 'webhook', 'past_behavior', segment_ids => ARRAY[t.dlseg(54001)]) AS hook \gset
SELECT ct_record_delivery('TEST-DL', :chat, t.dl('dl-1'), 'replied', '2026-01-16 10:01+00') > 0 AS replied;
SELECT ct_record_delivery('TEST-DL', :hook, t.dl('dl-1'), 'webhook_delivered', '2026-01-16 10:02+00') > 0 AS webhook;
SELECT ct_record_delivery('TEST-DL', :hook, t.dl('dl-1'), 'delivered', '2026-01-16 10:02+00') > 0 AS hook_delivered;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'control_group', '2026-01-16 10:03+00') > 0 AS control;
SELECT e.event_name, e.props - 'Campaign id' - 'Campaign ID' AS props,
	   coalesce(e.props -> 'Campaign id', e.props -> 'Campaign ID') =
	   (SELECT to_jsonb(c.campaign_id) FROM ct_campaign c WHERE c.project_id = 'TEST-DL' AND c.name = e.props ->> 'Campaign name') AS campaign_id,
	   e.props ? 'Campaign ID' AS upper_id
  FROM ct_event e WHERE e.project_id = 'TEST-DL' AND e.ct_id = t.dl('dl-1') AND e.event_name <> 'Partner Sync'
 ORDER BY e.event_id;
SELECT d.outcome, d.ts, e.event_name FROM ct_delivery d JOIN ct_event e USING (project_id, ct_id, event_id)
 WHERE d.campaign_id = :live ORDER BY d.delivery_id;

-- refused: a profile not taken from the campaign's queue, another
-- project's campaign, a campaign that does not exist, an unknown outcome
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-2'), 'sent');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL2', :live, t.dl('other-1'), 'sent');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', 987654, t.dl('dl-1'), 'sent');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'opened');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'sent', props => '[1]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'sent', 'infinity');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- NULLs: each named
SELECT ct_record_delivery(NULL, :live, t.dl('dl-1'), 'sent');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', NULL, t.dl('dl-1'), 'sent');
SELECT ct_record_delivery('TEST-DL', :live, NULL, 'sent');
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), NULL);
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'sent', NULL);
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'sent', now(), NULL);
-- nothing of the refused ones was written
SELECT count(*) AS deliveries FROM ct_delivery;

-- a past-behavior campaign has no queue: its segments' members may be reported
SELECT ct_create_campaign('TEST-DL', 'Buyers newsletter', 'email', 'past_behavior',
						  segment_ids => ARRAY[t.dlseg(54001)]) AS past \gset
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-2'), 'sent', '2026-01-15 12:00+00') > 0 AS member_sent;
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-3'), 'sent', '2026-01-15 12:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an email campaign has no Push Impressions
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-2'), 'delivered', '2026-01-15 12:01+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT e.props ->> 'Campaign type' AS campaign_type, e.props ->> 'wzrk_id' = :past || '_20260115' AS wzrk_id
  FROM ct_event e WHERE e.project_id = 'TEST-DL' AND e.event_name = 'Notification Sent' AND e.ct_id = t.dl('dl-2');

-- results per campaign and day
SELECT name, channel, day, queued, taken, sent, delivered, viewed, clicked, replied, webhook_delivered, control_group
  FROM ct_campaign_results WHERE project_id = 'TEST-DL' ORDER BY name, day;

-- usage: each an event and data points; viewed, clicked and replied make
-- a user active (sent, delivered, a webhook or a control group do not)
SELECT events, data_points, monthly_active_users FROM ct_usage WHERE project_id = 'TEST-DL' AND month = '2026-01-01';
SELECT ct_id = t.dl('dl-1') AS dl1 FROM ct_active_user_month WHERE project_id = 'TEST-DL' AND month = '2026-01-01'
 ORDER BY 1;

-- CleverTap's own events: who raises each
SELECT n, ct_event_kind(n), ct_is_system_event(n)
  FROM unnest(ARRAY['Partner Sync', 'Notification Clicked', 'push impressions', 'App Installed', 'UTM Visited',
					'App Launched', 'Charged']) AS n;
-- ct_record_event refuses a campaign's outcomes (senders report those)
SELECT ct_record_event('TEST-DL', t.dl('dl-1'), 'Push Impressions');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- the SDK's own events: the owner records them, no other role
SELECT ct_record_event('TEST-DL', t.dl('dl-1'), 'App Installed', '{"source": "play"}', '2026-01-10 08:00+00') > 0 AS owner_records;
-- of those, the ones raised while the user uses the app make the user
-- active in the month (rev8 #8): not App Uninstalled, Session Concluded yes
SELECT ct_record_event('TEST-DL', t.dl('dl-3'), 'App Uninstalled', '{}', '2026-03-05 08:00+00') > 0 AS uninstalled;
SELECT ct_record_event('TEST-DL', t.dl('dl-3'), 'GeoCluster Entered', '{}', '2026-03-06 08:00+00') > 0 AS geo;
SELECT ct_record_event('TEST-DL', t.dl('dl-3'), 'Session Concluded', '{}', '2026-04-05 08:00+00') > 0 AS session;
SELECT month, events, monthly_active_users FROM ct_usage WHERE project_id = 'TEST-DL' AND month IN ('2026-03-01', '2026-04-01')
 ORDER BY month;
SELECT t.dl('dl-1') AS dl1 \gset
CREATE ROLE ct_test_pipeline;
GRANT USAGE ON SCHEMA ctaudience TO ct_test_pipeline;
GRANT EXECUTE ON FUNCTION ct_record_event(text, text, text, jsonb, timestamptz) TO ct_test_pipeline;
SET ROLE ct_test_pipeline;
SELECT ct_record_event('TEST-DL', :'dl1', 'App Uninstalled');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-DL', :'dl1', 'App Launched') > 0 AS app_launched;
-- and senders report deliveries reading no table column that the views
-- they read do not show
RESET ROLE;
GRANT ctaudience_sender TO ct_test_pipeline;
SET ROLE ct_test_pipeline;
SELECT ct_record_delivery('TEST-DL', :live, :'dl1', 'sent') > 0 AS sender_reports;
SELECT count(*) > 0 AS sender_reads_results FROM ct_campaign_results;
SELECT ct_id, event_id FROM ct_delivery;
RESET ROLE;
REVOKE ALL ON FUNCTION ct_record_event(text, text, text, jsonb, timestamptz) FROM ct_test_pipeline;
REVOKE ctaudience_sender FROM ct_test_pipeline;
REVOKE USAGE ON SCHEMA ctaudience FROM ct_test_pipeline;
DROP ROLE ct_test_pipeline;

-- a profile merged after a sender took it: the CleverTap ID the sender
-- took (now an alias) is still accepted, and the delivery and its event
-- are recorded under the profile it was merged into
SELECT t.dl('dl-1') AS taken \gset
SELECT t.imp(t.msg(2403, 1767261700000, jsonb_build_array(
	t.u('2401', jsonb_build_array(t.id('customer', 'dl-1')), jsonb_build_array(t.aud(54001, 'Buyers')), '__dl_1')), 'TEST-DL'));
SELECT ct_id = :'taken' AS same_id, ct_id FROM ct_profile_alias WHERE project_id = 'TEST-DL' AND alias = :'taken';
SELECT ct_record_delivery('TEST-DL', :live, :'taken', 'clicked', '2026-01-17 10:00+00') > 0 AS merged_clicked;
SELECT d.ct_id, d.outcome, e.event_name FROM ct_delivery d JOIN ct_event e USING (project_id, ct_id, event_id)
 WHERE d.project_id = 'TEST-DL' AND d.ts = '2026-01-17 10:00+00';
-- an unknown outcome is quoted in the error cut to 64 characters
SELECT ct_record_delivery('TEST-DL', :live, :'taken', repeat('x', 100000));
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- a past-behavior campaign: a profile that left its segments after it was
-- sent (rev5 finding 3) may still be reported (the click comes later);
-- one never sent and not a member is still refused, for any outcome
SELECT t.imp(t.msg(2404, 1767261800000, jsonb_build_array(
	t.u('2402', jsonb_build_array(t.id('customer', 'dl-2')), jsonb_build_array(t.aud(54001, 'Buyers', 'delete')))), 'TEST-DL'));
SELECT count(*) AS dl2_members FROM ct_campaign_audience(:past) WHERE ct_id = t.dl('dl-2');
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-2'), 'clicked', '2026-01-18 10:00+00') > 0 AS left_clicked;
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-3'), 'clicked', '2026-01-18 10:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-2'), 'clicked', '2026-01-18 10:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT d.outcome, d.ts FROM ct_delivery d WHERE d.campaign_id = :past AND d.ct_id = t.dl('dl-2') ORDER BY d.delivery_id;

-- a retry (rev8 #2): the same report again (campaign, profile, outcome and
-- time; by the merged-away ID or the profile's own) returns the first
-- one's event and records nothing again; another time is another report
SELECT ct_record_delivery('TEST-DL', :live, :'taken', 'viewed', '2026-01-17 11:00+00') AS first \gset
SELECT (SELECT count(*) FROM ct_delivery WHERE project_id = 'TEST-DL') AS deliveries,
	   (SELECT events FROM ct_usage WHERE project_id = 'TEST-DL' AND month = '2026-01-01') AS events \gset
SELECT ct_record_delivery('TEST-DL', :live, :'taken', 'viewed', '2026-01-17 11:00+00') = :first AS same_event;
SELECT ct_record_delivery('TEST-DL', :live, t.dl('dl-1'), 'viewed', '2026-01-17 11:00+00', '{"x": 1}') = :first AS same_event_by_own_id;
SELECT count(*) - :deliveries AS new_deliveries FROM ct_delivery WHERE project_id = 'TEST-DL';
SELECT events - :events AS new_events FROM ct_usage WHERE project_id = 'TEST-DL' AND month = '2026-01-01';
SELECT day, viewed FROM ct_campaign_results WHERE campaign_id = :live AND day = '2026-01-17';
SELECT ct_record_delivery('TEST-DL', :live, :'taken', 'viewed', '2026-01-17 11:00:01+00') <> :first AS another;

-- a one-time campaign and a merge (rev8 #1): of the two profiles' rows of
-- the campaign, a taken one is kept (the earlier taken of two) under the
-- profile merged into: the sender's reports are still accepted and the
-- campaign is not handed out again
SELECT t.imp(t.msg(2405, 1767261900000, jsonb_build_array(
	t.u('2405', jsonb_build_array(t.id('customer', 'dl-g')), jsonb_build_array(t.aud(54001, 'Buyers'))),
	t.u('2406', jsonb_build_array(t.id('email', 'dlp@example.com')), jsonb_build_array(t.aud(54001, 'Buyers')), '__dl_p')), 'TEST-DL'));
SELECT t.dl('dl-g') AS g \gset
SELECT ct_create_campaign('TEST-DL', 'Once A', 'push', 'live_behavior', trigger_event => 'Opened Offer') AS oa \gset
SELECT ct_create_campaign('TEST-DL', 'Once B', 'push', 'live_behavior', trigger_event => 'Opened Offer') AS ob \gset
SELECT ct_create_campaign('TEST-DL', 'Once C', 'push', 'live_behavior', trigger_event => 'Opened Offer') AS oc \gset
SELECT ct_record_event('TEST-DL', :'g', 'Opened Offer', '{}', '2026-01-20 09:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-DL', '__dl_p', 'Opened Offer', '{}', '2026-01-20 09:01+00') > 0 AS recorded;
UPDATE ct_campaign_queue SET qualified_at = '2026-01-20 09:02+00' WHERE campaign_id IN (:oa, :ob, :oc);
-- A: only the generated profile's row taken; B: both, its row first; C: neither
UPDATE ct_campaign_queue SET taken_at = '2026-01-20 09:05+00' WHERE campaign_id IN (:oa, :ob) AND ct_id = :'g';
UPDATE ct_campaign_queue SET taken_at = '2026-01-20 09:06+00' WHERE campaign_id = :ob AND ct_id = '__dl_p';
SELECT ct_record_delivery('TEST-DL', :oa, :'g', 'sent', '2026-01-20 09:07+00') > 0 AS sent;
-- B: the same report (outcome, time) of both profiles, which the merge
-- makes one: the merged-away profile's delivery row is deleted (the key
-- (campaign, profile, outcome, ts) is unique), both events stay
SELECT ct_record_delivery('TEST-DL', :ob, :'g', 'sent', '2026-01-20 09:08+00') > 0 AS g_sent;
SELECT ct_record_delivery('TEST-DL', :ob, '__dl_p', 'sent', '2026-01-20 09:08+00') > 0 AS p_sent;
SELECT t.imp(t.msg(2406, 1767262000000, jsonb_build_array(
	t.u('2406', jsonb_build_array(t.id('customer', 'dl-g')), jsonb_build_array(t.aud(54001, 'Buyers')), '__dl_p')), 'TEST-DL'));
SELECT c.name, q.ct_id, q.taken_at, q.event_ts FROM ct_campaign_queue q JOIN ct_campaign c USING (project_id, campaign_id)
 WHERE q.campaign_id IN (:oa, :ob, :oc) ORDER BY c.name, q.ct_id;
SELECT d.ct_id, d.outcome, d.ts, e.ct_id = d.ct_id AS event_moved
  FROM ct_delivery d JOIN ct_event e ON e.project_id = d.project_id AND e.event_id = d.event_id
 WHERE d.campaign_id = :ob ORDER BY d.delivery_id;
SELECT ct_id, count(*) AS sent_events FROM ct_event
 WHERE project_id = 'TEST-DL' AND event_name = 'Notification Sent' AND props ->> 'wzrk_id' = :ob || '_20260120'
 GROUP BY ct_id;
SELECT ct_record_delivery('TEST-DL', :ob, :'g', 'sent', '2026-01-20 09:08+00') =
	   (SELECT event_id FROM ct_delivery WHERE campaign_id = :ob) AS retry_after_merge;
SELECT ct_record_delivery('TEST-DL', :oa, :'g', 'clicked', '2026-01-20 09:10+00') > 0 AS clicked_after_merge;
SELECT day, queued, taken, sent, clicked FROM ct_campaign_results WHERE campaign_id = :oa ORDER BY day;
SELECT count(*) AS handed_out_again FROM ct_campaign_take(:oa, 10);

-- The queue's one-time index in 0.2.0's column order (project_id first),
-- as a Citus shard made by 0.2.0 has it until ct_distribute() runs: the
-- import takes it as its arbiter in either order (ct_direct_paths: the
-- one-time rows stay on their direct path), and a one-time campaign still
-- queues a profile once.  Then in this version's order.
SELECT ct_register_project('TEST-OO', 'test-passcode-1', 'token-TEST-OO', 'eu1', 'Queue key order', NULL, 'US');
SELECT ct_create_campaign('TEST-OO', 'Gone, old order', 'sms', 'live_behavior',
						  trigger_event => 'Partner Sync', trigger_filter => '{"Action": "Removed"}') AS oo \gset
CREATE FUNCTION t.oo(n int, mpid text, action text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.imp(t.msg(n, 1716100000000 + n * 1000, jsonb_build_array(
		t.u(mpid, jsonb_build_array(t.id('customer', 'oo-' || mpid)), jsonb_build_array(t.aud(52090, 'Old order', action)))),
		'TEST-OO'))
$$;
SELECT pg_get_indexdef('ct_campaign_queue_once_idx'::regclass) ~ '\(ct_id, campaign_id, project_id\)' AS this_order;
DROP INDEX ct_campaign_queue_once_idx;
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ct_campaign_queue (project_id, campaign_id, ct_id) WHERE once;
SELECT direct FROM ct_direct_paths() WHERE path = 'insert_queue_once';
-- oo-2190 removed twice: queued once
DO $$ BEGIN
	PERFORM t.oo(2190, '2190', 'add'); PERFORM t.oo(2191, '2190', 'delete');
	PERFORM t.oo(2192, '2190', 'add'); PERFORM t.oo(2193, '2190', 'delete');
END $$;
DROP INDEX ct_campaign_queue_once_idx;
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ct_campaign_queue (ct_id, campaign_id, project_id) WHERE once;
SELECT direct FROM ct_direct_paths() WHERE path = 'insert_queue_once';
-- oo-2190 removed a third time, oo-2191 twice: each queued once
DO $$ BEGIN
	PERFORM t.oo(2194, '2190', 'add'); PERFORM t.oo(2195, '2190', 'delete');
	PERFORM t.oo(2196, '2191', 'add'); PERFORM t.oo(2197, '2191', 'delete');
	PERFORM t.oo(2198, '2191', 'add'); PERFORM t.oo(2199, '2191', 'delete');
END $$;
SELECT p.identity, count(*) AS queued FROM ct_campaign_queue q JOIN ct_profile p USING (project_id, ct_id)
 WHERE q.campaign_id = :oo GROUP BY p.identity ORDER BY p.identity;

-- a set-based report (rev11 #1): 12,000 profiles in one statement, more
-- than the shared lock table holds (max_locks_per_transaction x
-- max_connections, with some slack) if each took a lock, as each did
-- (an advisory lock: "out of shared memory"); a retry is found by the
-- report's unique key, not by a lock, so none is held; each recorded once
SELECT current_setting('max_locks_per_transaction')::int * current_setting('max_connections')::int < 12000
	   AS more_than_the_lock_table;
SELECT ct_register_project('TEST-DLB', 'test-passcode-1', 'token-TEST-DLB', 'eu1', 'Bulk reports');
SELECT ct_create_campaign('TEST-DLB', 'Bulk', 'push', 'live_behavior', trigger_event => 'Bulk Offer', recurring => true) AS bulk \gset
INSERT INTO ct_profile (project_id, ct_id) SELECT 'TEST-DLB', '__dlb_' || g FROM generate_series(1, 12000) g;
INSERT INTO ct_campaign_queue (project_id, campaign_id, ct_id, event_name, event_ts, once, qualified_at, taken_at)
SELECT 'TEST-DLB', :bulk, '__dlb_' || g, 'Bulk Offer', '2026-02-01 09:00+00', false, '2026-02-01 09:00+00', '2026-02-01 09:01+00'
  FROM generate_series(1, 12000) g;
BEGIN;
SELECT count(ct_record_delivery('TEST-DLB', :bulk, q.ct_id, 'sent', '2026-02-01 09:02+00')) AS reported
  FROM ct_campaign_queue q WHERE q.project_id = 'TEST-DLB' AND q.campaign_id = :bulk;
SELECT count(*) AS advisory_locks FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory';
-- the retry of all of them: each answered with its first event
SELECT count(*) FILTER (WHERE ct_record_delivery('TEST-DLB', :bulk, d.ct_id, 'sent', d.ts) = d.event_id) AS same_event,
	   count(*) AS deliveries
  FROM ct_delivery d WHERE d.project_id = 'TEST-DLB';
COMMIT;
SELECT count(*) AS deliveries, count(DISTINCT ct_id) AS profiles, count(DISTINCT event_id) AS events,
	   (SELECT count(*) FROM ct_event e WHERE e.project_id = 'TEST-DLB' AND e.event_name = 'Notification Sent') AS event_rows,
	   (SELECT events FROM ct_usage WHERE project_id = 'TEST-DLB' AND month = '2026-02-01') AS usage_events
  FROM ct_delivery WHERE project_id = 'TEST-DLB';

-- a report that 0.2.0 stored before outcomes were checked against the
-- campaign's channel (rev11 #5): delivered, of the email campaign, as an
-- upgraded install has it (the row and its event).  Its retry is answered
-- with its event, as any retry is; a new report (another time) is refused
INSERT INTO ct_event (project_id, ct_id, event_name, ts, props)
VALUES ('TEST-DL', t.dl('dl-2'), 'Push Impressions', '2026-01-20 08:00+00', jsonb_build_object('Campaign id', :past))
RETURNING event_id AS stored_event \gset
INSERT INTO ct_delivery (project_id, campaign_id, ct_id, outcome, ts, event_id)
VALUES ('TEST-DL', :past, t.dl('dl-2'), 'delivered', '2026-01-20 08:00+00', :stored_event);
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-2'), 'delivered', '2026-01-20 08:00+00') = :stored_event AS stored_event;
SELECT ct_record_delivery('TEST-DL', :past, t.dl('dl-2'), 'delivered', '2026-01-20 08:01+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS delivered_rows FROM ct_delivery WHERE project_id = 'TEST-DL' AND campaign_id = :past AND outcome = 'delivered';
