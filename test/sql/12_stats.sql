-- Segment statistics, trend, profile activity, Find People, usage and the
-- live NOTIFY, after a scripted sequence of imports in two projects.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never
SET client_min_messages = warning;
SELECT ct_register_project('STATS-1', 'test-passcode-1', 'token-STATS-1', 'eu1', 'Stats one', NULL, 'US');
SELECT ct_register_project('STATS-2', 'test-passcode-1', 'token-STATS-2', 'eu1', 'Stats two', NULL, 'US');
-- milliseconds of "now minus an interval", for the rolling windows
CREATE FUNCTION t.ago(i interval) RETURNS bigint LANGUAGE sql AS $$
	SELECT (extract(epoch FROM now() - i) * 1000)::bigint
$$;

-- day 1 (fixed dates, for the trend): four users join "Cart Drop off" in STATS-1
SELECT t.imp(t.msg(1200, 1717200000000, jsonb_build_array(            -- 2024-06-01 00:00 UTC
	t.u('1', jsonb_build_array(t.id('customer', 's-1'), t.id('email', 's1@example.com')), jsonb_build_array(t.aud(60001, 'Cart Drop off'))),
	t.u('2', jsonb_build_array(t.id('customer', 's-2'), t.id('mobile_number', '+1 212 555 0101')), jsonb_build_array(t.aud(60001, 'Cart Drop off'))),
	t.u('3', jsonb_build_array(t.id('customer', 's-3'), t.id('email', 's3@example.com'), t.id('mobile_number', '+1 212 555 0103')), jsonb_build_array(t.aud(60001, 'Cart Drop off'))),
	t.u('4', jsonb_build_array(t.id('customer', 's-4')), jsonb_build_array(t.aud(60001, 'Cart Drop off'), t.aud(60002, 'Big spenders')))),
	'STATS-1'));
-- day 3: one leaves, one more joins; a repeated add changes nothing
SELECT t.imp(t.msg(1201, 1717400000000, jsonb_build_array(            -- 2024-06-03 07:33 UTC
	t.u('2', jsonb_build_array(t.id('customer', 's-2')), jsonb_build_array(t.aud(60001, 'Cart Drop off', 'delete'))),
	t.u('5', jsonb_build_array(t.id('customer', 's-5'), t.id('email', 's5@example.com')), jsonb_build_array(t.aud(60001, 'Cart Drop off'))),
	t.u('1', jsonb_build_array(t.id('customer', 's-1')), jsonb_build_array(t.aud(60001, 'Cart Drop off')))),
	'STATS-1'));
-- a late delivery: s-3's delete of day 2 still applies (newer than what is stored for s-3);
-- s-1's delete of day 2 is stale (s-1's add of day 3 is stored)
SELECT t.imp(t.msg(1202, 1717300000000, jsonb_build_array(           -- 2024-06-02 03:46 UTC
	t.u('3', jsonb_build_array(t.id('customer', 's-3')), jsonb_build_array(t.aud(60001, 'Cart Drop off', 'delete'))),
	t.u('1', jsonb_build_array(t.id('customer', 's-1')), jsonb_build_array(t.aud(60001, 'Cart Drop off', 'delete')))),
	'STATS-1'));
-- day 5: s-2 comes back (a re-add), and s-4 gets an email while a member (reachable rises)
SELECT t.imp(t.msg(1203, 1717570000000, jsonb_build_array(            -- 2024-06-05 06:46 UTC
	t.u('2', jsonb_build_array(t.id('customer', 's-2')), jsonb_build_array(t.aud(60001, 'Cart Drop off'))),
	t.u('4', jsonb_build_array(t.id('customer', 's-4'), t.id('email', 's4@example.com')), jsonb_build_array(t.aud(60002, 'Big spenders')))),
	'STATS-1'));
-- rename: statistics follow the segment, not its name
SELECT t.imp(t.msg(1204, 1717580000000, jsonb_build_array(
	t.u('5', jsonb_build_array(t.id('customer', 's-5')), jsonb_build_array(t.aud(60001, 'Cart Drop-off (renamed)')))),
	'STATS-1'));
-- the other project: same audience id, kept apart
SELECT t.imp(t.msg(1205, 1717200000000, jsonb_build_array(
	t.u('1', jsonb_build_array(t.id('customer', 's-1'), t.id('email', 'other@example.com')), jsonb_build_array(t.aud(60001, 'Cart Drop off')))),
	'STATS-2'));

-- the Segments list and the statistics (windows are relative to now: nothing recent yet)
SELECT project_id, name, type, partner_segment_id, status, members FROM ct_segments
 WHERE project_id LIKE 'STATS-%' ORDER BY 1, 4;
SELECT project_id, name, members, reachable_email, reachable_phone, added_24h, removed_24h,
	   added_7d, removed_7d, added_30d, removed_30d, last_sync_at AT TIME ZONE 'UTC' AS last_sync_utc
  FROM ct_segment_stats WHERE project_id LIKE 'STATS-%' ORDER BY 1, partner_segment_id;
-- they agree with a full count of the members
SELECT s.name, s.members = count(*) FILTER (WHERE m.is_member) AS members_ok,
	   s.reachable_email = count(*) FILTER (WHERE m.is_member AND p.email IS NOT NULL) AS email_ok,
	   s.reachable_phone = count(*) FILTER (WHERE m.is_member AND p.phone IS NOT NULL) AS phone_ok
  FROM ct_segment_stats s
  JOIN ct_segment_member m USING (project_id, segment_id)
  JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.project_id LIKE 'STATS-%'
 GROUP BY s.project_id, s.partner_segment_id, s.name, s.members, s.reachable_email, s.reachable_phone
 ORDER BY s.project_id, s.partner_segment_id;

-- the Trend graph: members at the end of each day (UTC)
SELECT * FROM ct_segment_trend((SELECT segment_id FROM ct_segment WHERE project_id = 'STATS-1' AND partner_segment_id = 60001),
							   6, '2024-06-05');

-- recent activity: adds 2 hours ago, a remove 3 days ago, an add 10 days ago
SELECT t.imp(t.msg(1206, t.ago('10 days'), jsonb_build_array(
	t.u('6', jsonb_build_array(t.id('customer', 's-6')), jsonb_build_array(t.aud(60002, 'Big spenders')))), 'STATS-1'));
SELECT t.imp(t.msg(1207, t.ago('3 days'), jsonb_build_array(
	t.u('4', jsonb_build_array(t.id('customer', 's-4')), jsonb_build_array(t.aud(60002, 'Big spenders', 'delete')))), 'STATS-1'));
SELECT t.imp(t.msg(1208, t.ago('2 hours'), jsonb_build_array(
	t.u('7', jsonb_build_array(t.id('customer', 's-7')), jsonb_build_array(t.aud(60002, 'Big spenders'))),
	t.u('8', jsonb_build_array(t.id('customer', 's-8')), jsonb_build_array(t.aud(60002, 'Big spenders')))), 'STATS-1'));
SELECT name, members, added_24h, removed_24h, added_7d, removed_7d, added_30d, removed_30d,
	   last_sync_at > now() - interval '3 hours' AS synced_recently
  FROM ct_segment_stats WHERE project_id = 'STATS-1' AND partner_segment_id = 60002;

-- reading one segment's statistics does not scan its members: only its delta rows
-- (sequential scans off, so that the plan of these tiny test tables is the one of big ones)
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM ct_segment_stats WHERE project_id = 'STATS-1' AND segment_id = 1;
RESET enable_seqscan;
CREATE FUNCTION t.plan_mentions(q text, what text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	line text;
	found boolean := false;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN ' || q LOOP
		found := found OR position(what IN line) > 0;
	END LOOP;
	RETURN found;
END
$$;
SELECT t.plan_mentions('SELECT * FROM ctaudience.ct_segment_stats WHERE project_id = ''STATS-1'' AND segment_id = 1',
					   'ct_segment_member') AS stats_plan_reads_members,
	   t.plan_mentions('SELECT count(*) FROM ctaudience.ct_segment_member WHERE project_id = ''STATS-1'' AND segment_id = 1 AND is_member',
					   'ct_segment_member') AS counting_would;

-- compaction folds the delta rows and changes no number
CREATE TEMP TABLE stats_before AS SELECT * FROM ct_segment_stats WHERE project_id LIKE 'STATS-%';
SELECT count(*) > 0 AS had_rows FROM ct_segment_delta WHERE project_id LIKE 'STATS-%';
SELECT ct_compact_stats('STATS-1') > 0 AS folded;
SELECT count(*) AS rows_per_bucket_after FROM ct_segment_delta WHERE project_id = 'STATS-1'
 GROUP BY segment_id, bucket HAVING count(*) > 1;
SELECT count(*) AS changed_stats FROM (
	SELECT * FROM ct_segment_stats WHERE project_id LIKE 'STATS-%' EXCEPT SELECT * FROM stats_before) x;

-- profile activity: events newest first, Partner Sync among them
SET TIME ZONE 'UTC';
SELECT identity, event_name, ts, props ->> 'Action' AS action, props ->> 'Partner Segment Name' AS segment
  FROM ct_profile_activity WHERE project_id = 'STATS-1' AND identity = 's-2' ORDER BY ts DESC;
RESET TIME ZONE;

-- Find People: who did Partner Sync in a segment with Action = Added, and their segments now
SELECT identity, email, partner_segment_id, action, times, segments FROM ct_find_people
 WHERE project_id = 'STATS-1' AND partner_segment_id = 60001 AND action = 'Added' ORDER BY identity;
SELECT identity, action, segments FROM ct_find_people
 WHERE project_id = 'STATS-1' AND action = 'Removed' ORDER BY identity, partner_segment_id;

-- usage: data points are an event and each of its properties
SELECT project_id, month, events, data_points, profile_updates, monthly_active_users
  FROM ct_usage WHERE project_id LIKE 'STATS-%' AND month < '2025-01-01' ORDER BY 1, 2;
SELECT u.events = e.n AS events_ok, u.data_points = e.dp AS data_points_ok, e.dp = 6 * e.n AS six_each
  FROM (SELECT sum(events) AS events, sum(data_points) AS data_points FROM ct_usage WHERE project_id = 'STATS-1') u,
	   (SELECT count(*) AS n, sum(1 + (SELECT count(*) FROM jsonb_object_keys(props))) AS dp
		  FROM ct_event WHERE project_id = 'STATS-1' AND event_name = 'Partner Sync') e;
-- Partner Sync is not activity: an app event makes a monthly active user
-- (and is an event of the month's usage)
SELECT ct_record_event(project_id, ct_id, 'App Launched', '{}', '2024-06-10 10:00+00') > 0 AS recorded
  FROM ct_profile WHERE project_id = 'STATS-1' AND identity = 's-1';
SELECT month, events, monthly_active_users FROM ct_usage WHERE project_id = 'STATS-1' AND month = '2024-06-01';

-- erasure lowers the statistics
SELECT ct_firehose(jsonb_build_object('type', 'dsr_processing_request', 'id', '00000000-0000-4000-a000-000000001209',
	'timestamp_ms', t.ago('1 hour'), 'account', jsonb_build_object('account_id', 1, 'account_settings', jsonb_build_object(
		'accountId', 'STATS-1', 'passcode', 'test-passcode-1', 'accountToken', 'token-STATS-1', 'region', 'eu1')),
	'subject_request_type', 'erasure',
	'subject_identities', jsonb_build_object('controller_customer_id', jsonb_build_object('encoding', 'raw', 'value', 's-5')))) -> 'ctaudience' AS erased;
SELECT name, members, reachable_email, reachable_phone FROM ct_segment_stats WHERE project_id = 'STATS-1' ORDER BY partner_segment_id;

-- live: a listener receives the changes of one import after its commit, batched
CREATE EXTENSION IF NOT EXISTS dblink;
-- notifications reach the listener's connection shortly after the commit: poll for them
CREATE FUNCTION t.notifications(expected int, patience interval DEFAULT '5 seconds')
RETURNS TABLE (notify_name text, extra text) LANGUAGE plpgsql AS $$
DECLARE
	deadline timestamptz := clock_timestamp() + patience;
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS got (notify_name text, extra text);
	TRUNCATE got;
	LOOP
		INSERT INTO got SELECT n.notify_name, n.extra FROM dblink_get_notify('listener') n;
		EXIT WHEN (SELECT count(*) FROM got) >= expected OR clock_timestamp() > deadline;
		PERFORM pg_sleep(0.05);
	END LOOP;
	RETURN QUERY SELECT g.notify_name, g.extra FROM got g;
END
$$;
SELECT dblink_connect('listener', format('dbname=%s host=%s port=%s', current_database(),
	split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT dblink_exec('listener', 'LISTEN ct_partner_sync');
SELECT t.imp(t.msg(1210, t.ago('1 hour'), (SELECT jsonb_agg(t.u((100 + i)::text, jsonb_build_array(t.id('customer', 'live-' || i)),
												 jsonb_build_array(t.aud(60003, 'Live')))) FROM generate_series(1, 45) i), 'STATS-1'));
-- any role may LISTEN: the payload names no profile and no project, only
-- each segment with its counts
SELECT notify_name, extra::jsonb - 'segments' AS other_keys,
	   (SELECT jsonb_agg(x - 'segment_id') FROM jsonb_array_elements((extra::jsonb) -> 'segments') x) AS segments,
	   ((extra::jsonb) -> 'segments' -> 0 ->> 'segment_id')::bigint =
		(SELECT segment_id FROM ct_segment WHERE project_id = 'STATS-1' AND partner_segment_id = 60003) AS segment_id_right,
	   extra !~ 'live-|STATS' AND NOT EXISTS (SELECT 1 FROM ct_profile p WHERE p.project_id = 'STATS-1'
											  AND position(p.ct_id IN extra) > 0) AS no_identifier
  FROM t.notifications(1);
-- a change of many segments at once: 50 segments to a payload
SELECT t.imp(t.msg(1213, t.ago('1 hour'), jsonb_build_array(t.u('102', jsonb_build_array(t.id('customer', 'live-many')),
	(SELECT jsonb_agg(t.aud(61000 + i, 'Many ' || i)) FROM generate_series(1, 60) i))), 'STATS-1'));
SELECT jsonb_array_length((extra::jsonb) -> 'segments') AS segments, octet_length(extra) < 8000 AS fits
  FROM t.notifications(2) ORDER BY 1 DESC;
-- a rolled-back import notifies nothing
BEGIN;
SELECT t.imp(t.msg(1211, t.ago('1 hour'), jsonb_build_array(
	t.u('200', jsonb_build_array(t.id('customer', 'live-x')), jsonb_build_array(t.aud(60003, 'Live')))), 'STATS-1'));
ROLLBACK;
SELECT count(*) AS notifications_after_rollback FROM t.notifications(1, '0.5 seconds');
-- switched off, nothing is announced
SET ctaudience.notify_partner_sync = off;
SELECT t.imp(t.msg(1212, t.ago('1 hour'), jsonb_build_array(
	t.u('201', jsonb_build_array(t.id('customer', 'live-y')), jsonb_build_array(t.aud(60003, 'Live')))), 'STATS-1'));
SELECT count(*) AS notifications_when_off FROM t.notifications(1, '0.5 seconds');
RESET ctaudience.notify_partner_sync;
SELECT dblink_disconnect('listener');

-- the reader role reads every view
SELECT has_table_privilege('ctaudience_reader', v, 'SELECT') AS readable, v
  FROM unnest(ARRAY['ctaudience.ct_segments', 'ctaudience.ct_segment_stats', 'ctaudience.ct_profile_activity',
					'ctaudience.ct_find_people', 'ctaudience.ct_usage', 'ctaudience.ct_import_log']) v;

-- a merge: the survivor's memberships count the email it took from the
-- profile merged into it (X200's), for an add and then a delete of the
-- same message as the merge or later
SELECT ct_register_project('MSTATS', 'test-passcode-1', 'token-MSTATS', 'eu1', 'Merge stats', NULL, 'US');
SELECT t.imp(t.msg(1220, 1717200000000, jsonb_build_array(
	t.u('200', jsonb_build_array(t.id('customer', 'X200'), t.id('email', 'x200@example.com')), jsonb_build_array(t.aud(62001, 'S21')))),
	'MSTATS'));
SELECT t.imp(t.msg(1221, 1717200001000, jsonb_build_array(
	t.u('200', jsonb_build_array(t.id('customer', 'X200')), jsonb_build_array(t.aud(62002, 'S22')), 'P200')),
	'MSTATS'));
SELECT partner_segment_id, members, reachable_email FROM ct_segment_stats WHERE project_id = 'MSTATS' ORDER BY 1;
SELECT t.imp(t.msg(1222, 1717200002000, jsonb_build_array(
	t.u('200', '[]', jsonb_build_array(t.aud(62002, 'S22', 'delete')), 'P200')),
	'MSTATS'));
SELECT partner_segment_id, members, reachable_email FROM ct_segment_stats WHERE project_id = 'MSTATS' ORDER BY 1;
