-- Journeys, continued: entry on an app event (with a filter and a segment
-- condition), leaving any segment as an exit criterion, the project's time
-- zone for waits until a time of day, and the statistics per day.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never
SET timezone = 'UTC';
DO $$
DECLARE
	r text;
BEGIN
	FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'ct\_jt\_%' LOOP
		EXECUTE format('DROP OWNED BY %I', r);
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;

SELECT ct_register_project('TEST-JT', 'test-passcode-1', 'token-TEST-JT', 'eu1', 'Journey triggers');
SELECT ct_register_project('TEST-JU', 'test-passcode-1', 'token-TEST-JU', 'eu1', 'Journey triggers elsewhere');
CREATE FUNCTION t.jt_at(ts timestamptz) RETURNS bigint LANGUAGE sql AS $$
	SELECT (extract(epoch FROM ts) * 1000)::bigint
$$;
CREATE FUNCTION t.jt(who text) RETURNS text LANGUAGE sql AS $$
	SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = 'TEST-JT' AND identity = who
$$;
-- where each profile is, by journey name and identity
CREATE VIEW t.jt_where AS
SELECT j.name AS journey, p.identity, x.node, x.waiting, x.entered_at, x.due_at, x.exited_at, x.exit_reason
  FROM ctaudience.ct_journey_profiles x JOIN ctaudience.ct_profile p USING (project_id, ct_id)
  JOIN ctaudience.ct_journey j USING (project_id, journey_id)
 WHERE x.project_id = 'TEST-JT'
 ORDER BY j.name, p.identity;
-- t.jt_try(statement, other): run it; its error, with a hint (the id of
-- TEST-JU's segment, other, shows as <TEST-JU's>)
CREATE FUNCTION t.jt_try(q text, other bigint DEFAULT NULL) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text;
	h text;
BEGIN
	EXECUTE q;
	RETURN 'done';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	m := regexp_replace(m, 'journey \d+', 'journey <J>', 'g');
	m := replace(m, 'segment ' || coalesce(other, -1) || ' ', 'segment <TEST-JU''s> ');
	RETURN SQLSTATE || ': ' || m || CASE WHEN h <> '' THEN ' [hint: ' || h || ']' ELSE '' END;
END
$$;

-- 1 April, 08:00: Ann, Bob and Dan are VIPs, Ann, Bob, Cid and Dan read the
-- newsletter; TEST-JU has a segment of its own.
SELECT t.imp(t.msg(2901, t.jt_at('2025-04-01 08:00+00'), jsonb_build_array(
	t.u('2901', jsonb_build_array(t.id('customer', 'ann')), jsonb_build_array(t.aud(58002, 'VIP'), t.aud(58003, 'Newsletter'))),
	t.u('2902', jsonb_build_array(t.id('customer', 'bob')), jsonb_build_array(t.aud(58002, 'VIP'), t.aud(58003, 'Newsletter'))),
	t.u('2903', jsonb_build_array(t.id('customer', 'cid')), jsonb_build_array(t.aud(58003, 'Newsletter'))),
	t.u('2904', jsonb_build_array(t.id('customer', 'dan')), jsonb_build_array(t.aud(58002, 'VIP'), t.aud(58003, 'Newsletter')))),
	'TEST-JT'));
SELECT t.imp(t.msg(2902, t.jt_at('2025-04-01 08:00+00'), jsonb_build_array(
	t.u('2911', jsonb_build_array(t.id('customer', 'uma')), jsonb_build_array(t.aud(58101, 'U things')))), 'TEST-JU'));
SELECT segment_id AS vip FROM ct_segment WHERE project_id = 'TEST-JT' AND partner_segment_id = 58002 \gset
SELECT segment_id AS news FROM ct_segment WHERE project_id = 'TEST-JT' AND partner_segment_id = 58003 \gset
SELECT segment_id AS uthings FROM ct_segment WHERE project_id = 'TEST-JU' AND partner_segment_id = 58101 \gset

---------------------------------------------------------------------------
-- (a) Entry on an app event: an iOS App Launched by a VIP enters
-- "Launch welcome": an hour later a push, then out; leaving the newsletter
-- exits (an exit segment, (b)).
---------------------------------------------------------------------------
SELECT ct_create_journey('TEST-JT', 'Launch welcome', jsonb_build_array(
	jsonb_build_object('id', 'launched', 'type', 'entry', 'event', 'App Launched', 'filter', '{"Platform": "iOS"}'::jsonb,
					   'segment_id', :vip, 'next', 'wait 1h'),
	'{"id": "wait 1h", "type": "wait", "duration": "1 hour", "next": "push"}'::jsonb,
	'{"id": "push", "type": "send", "channel": "push", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb),
	exit_segments => ARRAY[:news]::bigint[]) AS welcome \gset
-- the entry event is the journey's; it has no entry segment (the VIP
-- segment is a condition)
SELECT name, entry_event, segment_id, exit_segments = ARRAY[:news]::bigint[] AS exit_segments
  FROM ct_journey WHERE journey_id = :welcome;
SELECT ct_start_journey(:welcome, as_of => '2025-04-01 10:00+00') IS NOT NULL AS started;

-- 09:00, before the start: Dan's launch enters no one
SELECT ct_record_event('TEST-JT', t.jt('dan'), 'App Launched', '{"Platform": "iOS"}', '2025-04-01 09:00+00') > 0 AS recorded;
-- 10:10: Ann (a VIP, iOS) enters in the recording's own statement; Bob
-- (Android) and Cid (not a VIP) do not
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'App Launched', '{"Platform": "iOS", "Version": "7.1"}', '2025-04-01 10:10+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'App Launched', '{"Platform": "Android"}', '2025-04-01 10:10+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('cid'), 'App Launched', '{"Platform": "iOS"}', '2025-04-01 10:10+00') > 0 AS recorded;
-- another event enters no one
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'Product Viewed', '{"Platform": "iOS"}', '2025-04-01 10:11+00') > 0 AS recorded;
SELECT * FROM t.jt_where;
-- 10:20: Ann launches again: she is in it, she does not enter twice
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'App Launched', '{"Platform": "iOS"}', '2025-04-01 10:20+00') > 0 AS recorded;
-- 10:30: Dan launches (in time now): he enters; the owner's lifecycle
-- recording is the same path
SELECT ct_record_event('TEST-JT', t.jt('dan'), 'App Launched', '{"Platform": "iOS"}', '2025-04-01 10:30+00') > 0 AS recorded;
SELECT p.identity, s.node, s.outcome, s.ts
  FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :welcome ORDER BY p.identity, s.step_id;
-- the clock: both wait their hour (an entry on an event has no entry
-- segment to leave)
SELECT ct_advance_journeys(100, as_of => '2025-04-01 10:35+00') AS moved;
SELECT * FROM t.jt_where;
-- 10:45: the VIP audience drops Ann: the segment was a condition of the
-- entry only, she stays; 10:50: the newsletter drops Dan: an exit segment,
-- due at once, he exits (left_segment) before his hour is over
SELECT t.imp(t.msg(2903, t.jt_at('2025-04-01 10:45+00'), jsonb_build_array(
	t.u('2901', jsonb_build_array(t.id('customer', 'ann')), jsonb_build_array(t.aud(58002, 'VIP', 'delete')))), 'TEST-JT'));
SELECT t.imp(t.msg(2904, t.jt_at('2025-04-01 10:50+00'), jsonb_build_array(
	t.u('2904', jsonb_build_array(t.id('customer', 'dan')), jsonb_build_array(t.aud(58003, 'Newsletter', 'delete')))), 'TEST-JT'));
SELECT identity, due_at FROM t.jt_where;
SELECT ct_advance_journeys(100, as_of => '2025-04-01 10:55+00') AS moved;
SELECT * FROM t.jt_where;
-- 11:15: Ann's hour is over: pushed, out
SELECT ct_advance_journeys(100, as_of => '2025-04-01 11:15+00') AS moved;
SELECT * FROM t.jt_where;
SELECT c.journey_node, p.identity FROM ct_campaign_queue q JOIN ct_campaign c USING (project_id, campaign_id)
  JOIN ct_profile p USING (project_id, ct_id) WHERE c.journey_id = :welcome ORDER BY q.queue_id;

-- Entry definitions refused, 22023 with a hint.
SELECT t.jt_try(format($$SELECT ctaudience.ct_create_journey('TEST-JT', 'refused', %L)$$, n), :uthings)
  FROM (VALUES
	(jsonb_build_array('{"id": "a", "type": "entry", "event": "App Launched", "members_at_start": true, "next": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "event": "Partner Sync", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "event": "", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "event": "App Launched", "filter": [1], "next": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "event": "App Launched", "segment_id": "VIP", "next": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'event', 'App Launched', 'segment_id', :uthings, 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :vip, 'filter', '{}'::jsonb, 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb))) v(n);
-- the entering event as the goal or the exit event: every profile would
-- have done it "since it entered"
SELECT t.jt_try(format($$SELECT ctaudience.ct_create_journey('TEST-JT', 'refused', %L, %s => 'App Launched')$$,
					   jsonb_build_array('{"id": "a", "type": "entry", "event": "App Launched", "next": "z"}'::jsonb,
										 '{"id": "z", "type": "exit"}'::jsonb), arg))
  FROM unnest(ARRAY['goal_event', 'exit_event']) arg;

---------------------------------------------------------------------------
-- (b) Leaving any segment: "Cart" journey entered on the Cart segment,
-- exiting when the newsletter (an exit segment) drops the profile.
---------------------------------------------------------------------------
SELECT t.imp(t.msg(2905, t.jt_at('2025-04-02 07:00+00'), jsonb_build_array(
	t.u('2901', jsonb_build_array(t.id('customer', 'ann')), jsonb_build_array(t.aud(58001, 'Cart')))), 'TEST-JT'));
SELECT segment_id AS cart FROM ct_segment WHERE project_id = 'TEST-JT' AND partner_segment_id = 58001 \gset
SELECT jsonb_build_array(
	jsonb_build_object('id', 'added', 'type', 'entry', 'segment_id', :cart, 'next', 'wait 1d'),
	'{"id": "wait 1d", "type": "wait", "duration": "1 day", "next": "email"}'::jsonb,
	'{"id": "email", "type": "send", "channel": "email", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb) AS cart_nodes \gset
-- exit segments refused: NULLs, too many, another project's, unknown
SELECT t.jt_try(format($$SELECT ctaudience.ct_create_journey('TEST-JT', 'refused', %L, exit_segments => %L)$$, :'cart_nodes', e), :uthings)
  FROM (VALUES ('{NULL}'::bigint[]), (ARRAY(SELECT generate_series(1, 21))::bigint[]), (ARRAY[:uthings]::bigint[]),
			   ('{999999}'::bigint[])) v(e);
SELECT ct_create_journey('TEST-JT', 'Cart', :'cart_nodes') AS cartj \gset
-- directly too
SELECT t.jt_try(format('UPDATE ctaudience.ct_journey SET exit_segments = NULL WHERE journey_id = %s', :cartj));
SELECT t.jt_try(format('UPDATE ctaudience.ct_journey SET exit_segments = ARRAY[%s] WHERE journey_id = %s', :uthings, :cartj), :uthings);
-- a draft's exit segments change; '{}' removes them
SELECT ct_update_journey(:cartj, exit_segments => ARRAY[:vip]::bigint[]);
SELECT exit_segments = ARRAY[:vip]::bigint[] AS vip_exit FROM ct_journey WHERE journey_id = :cartj;
SELECT ct_update_journey(:cartj, exit_segments => ARRAY[:news]::bigint[]);
SELECT t.jt_try(format('SELECT ctaudience.ct_update_journey(%s, exit_segments => ARRAY[%s]::bigint[])', :cartj, :uthings), :uthings);
SELECT ct_start_journey(:cartj, as_of => '2025-04-02 09:00+00') IS NOT NULL AS started;
-- a live journey's exit segments do not change, directly either
SELECT t.jt_try(format('SELECT ctaudience.ct_update_journey(%s, exit_segments => ''{}'')', :cartj));
SELECT t.jt_try(format('UPDATE ctaudience.ct_journey SET exit_segments = ''{}'' WHERE journey_id = %s', :cartj));
-- 09:30: the newsletter drops Cid before he enters; 10:00 Bob, Cid and Ann
-- (in Cart since 07:00: she does not enter) are added to Cart
SELECT t.imp(t.msg(2906, t.jt_at('2025-04-02 09:30+00'), jsonb_build_array(
	t.u('2903', jsonb_build_array(t.id('customer', 'cid')), jsonb_build_array(t.aud(58003, 'Newsletter', 'delete')))), 'TEST-JT'));
SELECT t.imp(t.msg(2907, t.jt_at('2025-04-02 10:00+00'), jsonb_build_array(
	t.u('2902', jsonb_build_array(t.id('customer', 'bob')), jsonb_build_array(t.aud(58001, 'Cart'))),
	t.u('2903', jsonb_build_array(t.id('customer', 'cid')), jsonb_build_array(t.aud(58001, 'Cart'))),
	t.u('2901', jsonb_build_array(t.id('customer', 'ann')), jsonb_build_array(t.aud(58001, 'Cart')))), 'TEST-JT'));
SELECT ct_advance_journeys(100, as_of => '2025-04-02 10:05+00') AS moved;
-- 12:00: the newsletter drops Bob: due at once (the import), out
-- (left_segment); Cid, dropped before he entered, waits on
SELECT t.imp(t.msg(2908, t.jt_at('2025-04-02 12:00+00'), jsonb_build_array(
	t.u('2902', jsonb_build_array(t.id('customer', 'bob')), jsonb_build_array(t.aud(58003, 'Newsletter', 'delete')))), 'TEST-JT'));
SELECT identity, waiting, due_at FROM t.jt_where WHERE journey = 'Cart';
SELECT ct_advance_journeys(100, as_of => '2025-04-02 12:05+00') AS moved;
SELECT * FROM t.jt_where WHERE journey = 'Cart';
-- 3 April 10:05: Cid's day is over: emailed, out
SELECT ct_advance_journeys(100, as_of => '2025-04-03 10:05+00') AS moved;
SELECT * FROM t.jt_where WHERE journey = 'Cart';
SELECT node, entered, waited, passed, sent, completed, left_segment
  FROM ct_journey_stats WHERE journey_id = :cartj ORDER BY node_position;

---------------------------------------------------------------------------
-- (c) The project's time zone: a wait until a time of day without a
-- time_zone of its own ends at that time in the project's zone.
---------------------------------------------------------------------------
SELECT time_zone FROM ct_project WHERE project_id = 'TEST-JT';
-- refused: an unknown zone (22023), NULL (22004), an unknown project; directly too
SELECT t.jt_try($$SELECT ctaudience.ct_set_project_time_zone('TEST-JT', 'Mars/Olympus')$$);
SELECT t.jt_try($$SELECT ctaudience.ct_set_project_time_zone('TEST-JT', NULL)$$);
SELECT t.jt_try($$SELECT ctaudience.ct_set_project_time_zone('NO-SUCH', 'Asia/Kolkata')$$);
SELECT t.jt_try($$UPDATE ctaudience.ct_project SET time_zone = 'Atlantis/Capital' WHERE project_id = 'TEST-JT'$$);
-- spelt as pg_timezone_names spells it
SELECT t.jt_try($$SELECT ctaudience.ct_set_project_time_zone('TEST-JT', 'asia/kolkata')$$);
SELECT ct_set_project_time_zone('TEST-JT', 'Asia/Kolkata');
SELECT project_id, time_zone FROM ct_project WHERE project_id IN ('TEST-JT', 'TEST-JU') ORDER BY 1;
-- 4 April, 20:00 UTC is 01:30 on the 5th in Kolkata: 09:00 there is 03:30
-- UTC on the 5th; a node's own zone wins; without a project, UTC
SELECT ct_journey_wait_end('{"until": "09:00"}', '2025-04-04 20:00+00', 'TEST-JT') AS project_zone,
	   ct_journey_wait_end('{"until": "09:00", "time_zone": "Europe/Berlin"}', '2025-04-04 20:00+00', 'TEST-JT') AS node_zone,
	   ct_journey_wait_end('{"until": "09:00"}', '2025-04-04 20:00+00', 'TEST-JU') AS utc_project,
	   ct_journey_wait_end('{"until": "09:00"}', '2025-04-04 20:00+00') AS no_project;
-- end to end: "Morning" enters on Signed Up and waits until 09:00, the
-- project's
SELECT ct_create_journey('TEST-JT', 'Morning', jsonb_build_array(
	'{"id": "signed up", "type": "entry", "event": "Signed Up", "next": "nine"}'::jsonb,
	'{"id": "nine", "type": "wait", "until": "09:00", "next": "hello"}'::jsonb,
	'{"id": "hello", "type": "send", "channel": "email", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb)) AS morning \gset
SELECT ct_start_journey(:morning, as_of => '2025-04-04 00:00+00') IS NOT NULL AS started;
SELECT ct_record_event('TEST-JT', t.jt('cid'), 'Signed Up', '{}', '2025-04-04 20:00+00') > 0 AS recorded;
SELECT ct_advance_journeys(100, as_of => '2025-04-04 20:05+00') AS moved;
SELECT identity, node, waiting, due_at FROM t.jt_where WHERE journey = 'Morning';
SELECT ct_advance_journeys(100, as_of => '2025-04-05 03:29+00') AS moved;
SELECT ct_advance_journeys(100, as_of => '2025-04-05 03:31+00') AS moved;
SELECT identity, node, exited_at, exit_reason FROM t.jt_where WHERE journey = 'Morning';

---------------------------------------------------------------------------
-- (d) Per day: each journey's nodes per day (UTC), from the record of
-- steps; readers read it, a role given another project sees none of it.
---------------------------------------------------------------------------
SELECT name, node, day, entered, waited, passed, sent, converted, completed, exit_event, left_segment, stopped
  FROM ct_journey_daily WHERE project_id = 'TEST-JT' ORDER BY name, day, node;
-- a goal the same day: Dan launches again on 6 April (re-entry once: no);
-- "Goal day" enters on Product Viewed with Purchased as its goal
SELECT ct_create_journey('TEST-JT', 'Goal day', jsonb_build_array(
	'{"id": "viewed", "type": "entry", "event": "Product Viewed", "next": "wait"}'::jsonb,
	'{"id": "wait", "type": "wait", "duration": "2 hours", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb), goal_event => 'Purchased', reentry => 'always') AS goalday \gset
SELECT ct_start_journey(:goalday, as_of => '2025-04-06 00:00+00') IS NOT NULL AS started;
SELECT count(ct_record_event('TEST-JT', t.jt(who), 'Product Viewed', '{}', '2025-04-06 10:00+00')) AS viewed
  FROM unnest(ARRAY['ann', 'bob', 'cid']) who;
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'Purchased', '{}', '2025-04-06 10:30+00') > 0 AS recorded;
SELECT ct_advance_journeys(100, as_of => '2025-04-06 10:35+00') AS moved;
SELECT ct_advance_journeys(100, as_of => '2025-04-06 12:05+00') AS moved;
-- 7 April: Ann views again (always: she enters again), then buys
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'Product Viewed', '{}', '2025-04-07 09:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'Purchased', '{}', '2025-04-07 09:10+00') > 0 AS recorded;
SELECT ct_advance_journeys(100, as_of => '2025-04-07 09:15+00') AS moved;
SELECT node, day, entered, waited, passed, converted, completed
  FROM ct_journey_daily WHERE journey_id = :goalday ORDER BY day, node;
-- the days add up to ct_journey_stats
SELECT d.node, sum(d.entered) = s.entered AND sum(d.passed) = s.passed AND sum(d.converted) = s.goal
	   AND sum(d.completed) = s.completed AS adds_up
  FROM ct_journey_daily d JOIN ct_journey_stats s USING (journey_id, node)
 WHERE d.journey_id = :goalday GROUP BY d.node, s.entered, s.passed, s.goal, s.completed ORDER BY d.node;
CREATE ROLE ct_jt_reader IN ROLE ctaudience_reader;
CREATE ROLE ct_jt_team_u;
SELECT ct_grant_project('ct_jt_team_u', 'TEST-JU', 'read');
SET ROLE ct_jt_reader;
SELECT count(*) > 0 AS reader_sees FROM ct_journey_daily WHERE project_id = 'TEST-JT';
RESET ROLE;
SET ROLE ct_jt_team_u;
SELECT count(*) AS team_u_sees FROM ct_journey_daily WHERE project_id = 'TEST-JT';
RESET ROLE;
SELECT ct_revoke_project('ct_jt_team_u', 'TEST-JU', 'read');
DROP ROLE ct_jt_reader;
DROP ROLE ct_jt_team_u;

---------------------------------------------------------------------------
-- (e) A merge (identity rule 1) keeps, of the two places in a journey, the
-- one still in it, else the one entered last; the other, if still in the
-- journey, exits there (a merged step): the statistics add up.
---------------------------------------------------------------------------
SELECT ct_register_project('TEST-JM', 'test-passcode-1', 'token-TEST-JM', 'eu1', 'Journey merges');
CREATE FUNCTION t.jm(n int, ts timestamptz, who text, partner text, action text DEFAULT 'add') RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.imp(t.msg(n, t.jt_at(ts), jsonb_build_array(t.u('29' || n,
		CASE WHEN who IS NULL THEN '[]' ELSE jsonb_build_array(t.id('customer', who)) END,
		jsonb_build_array(t.aud(58009, 'Merges', action)), partner)), 'TEST-JM'))
$$;
CREATE VIEW t.jm_steps AS
SELECT coalesce(p.identity, p.ct_id) AS who, s.node, s.outcome, s.ts
  FROM ctaudience.ct_journey_step s JOIN ctaudience.ct_profile p USING (project_id, ct_id)
 WHERE s.project_id = 'TEST-JM' ORDER BY 1, s.step_id;
SELECT t.jm(2950, '2025-05-01 09:00+00', 'seed', NULL);
SELECT ct_create_journey('TEST-JM', 'Merges', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'w1',
					   'segment_id', (SELECT segment_id FROM ct_segment WHERE project_id = 'TEST-JM')),
	'{"id": "w1", "type": "wait", "duration": "1 hour", "next": "mail"}'::jsonb,
	'{"id": "mail", "type": "send", "channel": "email", "next": "w2"}'::jsonb,
	'{"id": "w2", "type": "wait", "duration": "1 day", "next": "out"}'::jsonb,
	'{"id": "out", "type": "exit"}'::jsonb)) AS jmerge \gset
SELECT ct_start_journey(:jmerge, as_of => '2025-05-01 09:30+00') IS NOT NULL AS started;
-- __p-1 enters at 10:00, is removed at 10:10 and exits; __p-2 enters at 10:00
SELECT t.jm(2951, '2025-05-01 10:00+00', NULL, '__p-1');
SELECT t.jm(2952, '2025-05-01 10:00+00', NULL, '__p-2');
SELECT t.jm(2953, '2025-05-01 10:10+00', NULL, '__p-1', 'delete');
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-05-01 10:20+00') AS moved;
-- generated gia enters at 10:30 and is emailed at 11:30, hal enters at
-- 11:45 and waits at w1
SELECT t.jm(2954, '2025-05-01 10:30+00', 'gia', NULL);
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-05-01 10:35+00') AS moved;
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-05-01 11:31+00') AS moved;
SELECT t.jm(2955, '2025-05-01 11:45+00', 'hal', NULL);
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-05-01 11:50+00') AS moved;
-- 12:00: gia merges into __p-1 (which exited): gia's place is kept;
-- hal merges into __p-2 (both still in): hal's, entered last, is kept and
-- __p-2's exits at w2 (merged)
SELECT t.jm(2956, '2025-05-01 12:00+00', 'gia', '__p-1') ->> 'merged_profiles' AS merged;
SELECT t.jm(2957, '2025-05-01 12:00+00', 'hal', '__p-2') ->> 'merged_profiles' AS merged;
SELECT p.ct_id, p.identity, x.node, x.waiting, x.entered_at, x.due_at, x.exit_reason
  FROM ct_journey_state x JOIN ct_profile p USING (project_id, ct_id) WHERE x.project_id = 'TEST-JM' ORDER BY 1;
SELECT * FROM t.jm_steps;
-- both go on to the end: the statistics add up (4 entered, 4 exits)
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-05-03 12:00+00') AS moved
  FROM generate_series(1, 3);
SELECT node, entered, waiting_now, waited, passed, sent, completed, left_segment, merged
  FROM ct_journey_stats WHERE journey_id = :jmerge ORDER BY node_position;
SELECT node, day, entered, completed, left_segment, merged FROM ct_journey_daily WHERE journey_id = :jmerge ORDER BY day, node;

---------------------------------------------------------------------------
-- (f) Time arithmetic in UTC, whatever the session's TimeZone; a wait
-- until a time of day when the clocks go back.
---------------------------------------------------------------------------
-- 2 November 2025, New York: 01:00 to 02:00 comes twice (05:00-06:00 UTC
-- in EDT, then 06:00-07:00 in EST).  until 01:45 from 01:30 EDT: 01:45 EDT;
-- from 01:50 EDT: 01:45 EST the same night (not the next day); from 01:50
-- EST: the next day; 9 March, 02:30 does not exist (02:00 EST is 03:00 EDT)
SELECT ct_journey_wait_end('{"until": "01:45", "time_zone": "America/New_York"}', '2025-11-02 05:30+00') AS first_0145,
	   ct_journey_wait_end('{"until": "01:45", "time_zone": "America/New_York"}', '2025-11-02 05:50+00') AS second_0145,
	   ct_journey_wait_end('{"until": "01:45", "time_zone": "America/New_York"}', '2025-11-02 06:50+00') AS next_day,
	   ct_journey_wait_end('{"until": "02:30", "time_zone": "America/New_York"}', '2025-03-09 05:00+00') AS skipped;
-- a session in New York: a day is still 24 hours across its change of 9 March
SET timezone = 'America/New_York';
SELECT ct_journey_wait_end('{"duration": "1 day"}', '2025-03-08 12:00+00') AT TIME ZONE 'UTC' AS day_later;
-- re-entry after a day: Ivy entered at 12:00 UTC on 8 March and exited;
-- added again at 11:30 UTC on the 9th (a day later in New York's local
-- arithmetic, 23 h 30 in UTC) she does not enter again; at 12:00 she does
SELECT ct_create_journey('TEST-JM', 'Again DST', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'out',
					   'segment_id', (SELECT segment_id FROM ct_segment WHERE project_id = 'TEST-JM')),
	'{"id": "out", "type": "exit"}'::jsonb), reentry => 'after', reentry_after => '1 day') AS jdst \gset
SELECT ct_start_journey(:jdst, as_of => '2025-03-08 00:00+00') IS NOT NULL AS started;
SELECT t.jm(2960, '2025-03-08 12:00+00', 'ivy', NULL);
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-03-08 12:05+00') AS moved;
SELECT t.jm(2961, '2025-03-08 12:10+00', 'ivy', NULL, 'delete');
SELECT t.jm(2962, '2025-03-09 11:30+00', 'ivy', NULL);
SELECT t.jm(2963, '2025-03-09 11:40+00', 'ivy', NULL, 'delete');
SELECT count(*) FILTER (WHERE outcome = 'entered') AS entered FROM ct_journey_step WHERE journey_id = :jdst;
SELECT t.jm(2964, '2025-03-09 12:00+00', 'ivy', NULL);
SELECT count(*) FILTER (WHERE outcome = 'entered') AS entered FROM ct_journey_step WHERE journey_id = :jdst;
-- the clock in that session: Jay waits a day from 12:00 UTC on 8 March
-- until 12:00 UTC on the 9th (not 11:00, New York's day), and a wait for
-- an event of a day times out then too
SELECT ct_create_journey('TEST-JM', 'Day DST', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'next', 'day',
					   'segment_id', (SELECT segment_id FROM ct_segment WHERE project_id = 'TEST-JM')),
	'{"id": "day", "type": "wait", "duration": "1 day", "next": "ev"}'::jsonb,
	'{"id": "ev", "type": "wait_for_event", "event": "Never Done", "within": "1 day", "next": "out", "timeout": "out"}'::jsonb,
	'{"id": "out", "type": "exit"}'::jsonb)) AS jday \gset
SELECT ct_start_journey(:jday, as_of => '2025-03-08 00:00+00') IS NOT NULL AS started;
SELECT t.jm(2970, '2025-03-08 12:00+00', 'jay', NULL);
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-03-08 12:05+00') >= 1 AS moved;
SELECT node, due_at AT TIME ZONE 'UTC' AS due_utc FROM ct_journey_state WHERE journey_id = :jday;
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-03-09 11:30+00') AS moved_early;
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-03-09 12:00+00') >= 1 AS moved;
SELECT node, due_at AT TIME ZONE 'UTC' AS due_utc FROM ct_journey_state WHERE journey_id = :jday;
SELECT ct_advance_project_journeys('TEST-JM', 100, as_of => '2025-03-10 12:00+00') >= 1 AS moved;
SELECT node, outcome, ts AT TIME ZONE 'UTC' AS ts_utc FROM ct_journey_step WHERE journey_id = :jday ORDER BY step_id;
SET timezone = 'UTC';

-- (g) A condition "did the event since it entered" on the event that
-- entered the profile: the entering event itself does not count (it is
-- not after the entry).  Bob adds to his cart again, Ann does not.
SELECT ct_create_journey('TEST-JT', 'Cart again', jsonb_build_array(
	'{"id": "added", "type": "entry", "event": "Cart Added", "next": "hour"}'::jsonb,
	'{"id": "hour", "type": "wait", "duration": "1 hour", "next": "again?"}'::jsonb,
	'{"id": "again?", "type": "condition", "did_event": "Cart Added", "yes": "done", "no": "nudge"}'::jsonb,
	'{"id": "nudge", "type": "send", "channel": "push", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb)) AS again \gset
SELECT ct_start_journey(:again, as_of => '2030-04-02 09:00+00') IS NOT NULL AS started;
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'Cart Added', '{}', '2030-04-02 10:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'Cart Added', '{}', '2030-04-02 10:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'Cart Added', '{}', '2030-04-02 10:20+00') > 0 AS recorded;
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-02 10:05+00') >= 2 AS moved;
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-02 11:05+00') >= 2 AS moved;
SELECT p.identity, s.node, s.outcome FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :again ORDER BY p.identity, s.step_id;

-- (h) A wait for an event reached in the entry's own hop, on the event that
-- entered the profile: that event is not one after it got there (as for
-- the condition).  Ann adds to her cart once and waits on; Bob adds again.
SELECT ct_create_journey('TEST-JT', 'Cart twice', jsonb_build_array(
	'{"id": "added", "type": "entry", "event": "Cart Checked", "next": "again"}'::jsonb,
	'{"id": "again", "type": "wait_for_event", "event": "Cart Checked", "within": "1 day", "next": "nudge", "timeout": "done"}'::jsonb,
	'{"id": "nudge", "type": "send", "channel": "push", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb)) AS twice \gset
SELECT ct_start_journey(:twice, as_of => '2030-04-03 09:00+00') IS NOT NULL AS started;
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'Cart Checked', '{}', '2030-04-03 10:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'Cart Checked', '{}', '2030-04-03 10:00+00') > 0 AS recorded;
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-03 10:05+00') >= 2 AS moved;
SELECT ct_record_event('TEST-JT', t.jt('bob'), 'Cart Checked', '{}', '2030-04-03 10:20+00') > 0 AS recorded;
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-03 10:25+00') >= 1 AS moved;
SELECT p.identity, s.node, s.outcome, s.ts FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :twice ORDER BY p.identity, s.step_id;

-- (h2) An event at the very time it got there counts (SDK times are often
-- whole seconds); only the event that entered it does not (rev11 #2).
-- Entered on Shop Opened at 10:00:00: Ann paid in that same second, Bob a
-- second later; both take "event", and the condition did_event sees both.
SELECT ct_create_journey('TEST-JT', 'Same second', jsonb_build_array(
	'{"id": "opened", "type": "entry", "event": "Shop Opened", "next": "pay"}'::jsonb,
	'{"id": "pay", "type": "wait_for_event", "event": "Shop Paid", "within": "1 day", "next": "paid", "timeout": "late"}'::jsonb,
	'{"id": "paid", "type": "exit"}'::jsonb, '{"id": "late", "type": "exit"}'::jsonb)) AS same \gset
SELECT ct_create_journey('TEST-JT', 'Same second, condition', jsonb_build_array(
	'{"id": "opened", "type": "entry", "event": "Shop Opened", "next": "paid?"}'::jsonb,
	'{"id": "paid?", "type": "condition", "did_event": "Shop Paid", "yes": "paid", "no": "unpaid"}'::jsonb,
	'{"id": "paid", "type": "exit"}'::jsonb, '{"id": "unpaid", "type": "exit"}'::jsonb)) AS samec \gset
SELECT ct_start_journey(j, as_of => '2030-04-05 09:00+00') IS NOT NULL AS started FROM unnest(ARRAY[:same, :samec]) j;
SELECT ct_record_event('TEST-JT', t.jt(p), e, '{}', ts::timestamptz) > 0 AS recorded
  FROM (VALUES ('ann', 'Shop Opened', '2030-04-05 10:00:00+00'), ('ann', 'Shop Paid', '2030-04-05 10:00:00+00'),
			   ('bob', 'Shop Opened', '2030-04-05 10:00:00+00'), ('bob', 'Shop Paid', '2030-04-05 10:00:01+00')) v(p, e, ts);
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-05 10:05+00') >= 4 AS moved;
SELECT s.journey_id = :same AS wait, p.identity, s.node, s.outcome, s.ts
  FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id IN (:same, :samec) ORDER BY s.journey_id = :same DESC, p.identity, s.step_id;
-- a wait for the entry's own event: in the entry's second, one that the
-- entry's filter does not take (it could not have entered her) counts;
-- Bob's entering event alone does not
SELECT ct_create_journey('TEST-JT', 'Same second, own event', jsonb_build_array(
	'{"id": "browsed", "type": "entry", "event": "Shop Browsed", "filter": {"from": "ad"}, "next": "again"}'::jsonb,
	'{"id": "again", "type": "wait_for_event", "event": "Shop Browsed", "within": "1 day", "next": "twice", "timeout": "once"}'::jsonb,
	'{"id": "twice", "type": "exit"}'::jsonb, '{"id": "once", "type": "exit"}'::jsonb)) AS sameo \gset
SELECT ct_start_journey(:sameo, as_of => '2030-04-05 09:00+00') IS NOT NULL AS started;
SELECT ct_record_event('TEST-JT', t.jt(p), 'Shop Browsed', props::jsonb, '2030-04-05 11:00+00') > 0 AS recorded
  FROM (VALUES ('ann', '{"from": "ad"}'), ('ann', '{"from": "push"}'), ('bob', '{"from": "ad"}')) v(p, props);
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-05 11:05+00') >= 2 AS moved;
SELECT p.identity, s.node, s.outcome, s.ts FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :sameo ORDER BY p.identity, s.step_id;
-- after an ordinary wait: Ann paid at exactly the wait's end, when she got
-- to the wait for the event; it counts
SELECT ct_create_journey('TEST-JT', 'Same second after a wait', jsonb_build_array(
	'{"id": "visited", "type": "entry", "event": "Shop Visited", "next": "hour"}'::jsonb,
	'{"id": "hour", "type": "wait", "duration": "1 hour", "next": "pay"}'::jsonb,
	'{"id": "pay", "type": "wait_for_event", "event": "Shop Paid", "within": "1 day", "next": "paid", "timeout": "late"}'::jsonb,
	'{"id": "paid", "type": "exit"}'::jsonb, '{"id": "late", "type": "exit"}'::jsonb)) AS samew \gset
SELECT ct_start_journey(:samew, as_of => '2030-04-06 09:00+00') IS NOT NULL AS started;
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'Shop Visited', '{}', '2030-04-06 12:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-JT', t.jt('ann'), 'Shop Paid', '{}', '2030-04-06 13:00:00+00') > 0 AS recorded;
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-06 12:05+00') >= 1 AS moved;
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-06 13:05+00') >= 1 AS moved;
SELECT s.node, s.outcome, s.ts FROM ct_journey_step s WHERE s.journey_id = :samew ORDER BY s.step_id;

-- two waits for the same event in a row: the event that ended the first
-- (its step says so) does not end the second as well; another one in that
-- second would.  Ann paid once, Bob twice (a second apart).
SELECT ct_create_journey('TEST-JT', 'Same second, two waits', jsonb_build_array(
	'{"id": "joined", "type": "entry", "event": "Shop Joined", "next": "first"}'::jsonb,
	'{"id": "first", "type": "wait_for_event", "event": "Shop Paid", "within": "1 day", "next": "second", "timeout": "none"}'::jsonb,
	'{"id": "second", "type": "wait_for_event", "event": "Shop Paid", "within": "1 day", "next": "twice", "timeout": "once"}'::jsonb,
	'{"id": "twice", "type": "exit"}'::jsonb, '{"id": "once", "type": "exit"}'::jsonb,
	'{"id": "none", "type": "exit"}'::jsonb)) AS samet \gset
SELECT ct_start_journey(:samet, as_of => '2030-04-07 09:00+00') IS NOT NULL AS started;
SELECT ct_record_event('TEST-JT', t.jt(p), e, '{}', ts::timestamptz) > 0 AS recorded
  FROM (VALUES ('ann', 'Shop Joined', '2030-04-07 10:00:00+00'), ('ann', 'Shop Paid', '2030-04-07 11:00:00+00'),
			   ('bob', 'Shop Joined', '2030-04-07 10:00:00+00'), ('bob', 'Shop Paid', '2030-04-07 11:00:00+00'),
			   ('bob', 'Shop Paid', '2030-04-07 11:00:01+00')) v(p, e, ts);
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-07 11:05+00') >= 2 AS moved;
SELECT p.identity, s.node, s.outcome, s.ts FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :samet ORDER BY p.identity, s.step_id;
-- nor at her wait's end, a claim of its own (the timeout)
SELECT ct_advance_project_journeys('TEST-JT', 100, as_of => '2030-04-08 11:05+00') >= 1 AS moved;
SELECT p.identity, s.node, s.outcome, s.ts FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :samet AND p.identity = 'ann' AND s.ts > '2030-04-07 11:00+00' ORDER BY s.step_id;

-- (i) A journey's campaign runs and stops with its journey: stopping it,
-- or changing its status, is refused (55000, hint ct_stop_journey); the
-- journey's clock would go on queueing for it.
SELECT campaign_id AS nudge FROM ct_campaign WHERE journey_id = :twice \gset
SELECT regexp_replace(regexp_replace(t.jt_try(q), 'campaign \d+', 'campaign <C>'), '\(\d+\)', '(<J>)') AS refused
  FROM (VALUES (format('SELECT ctaudience.ct_stop_campaign(%s)', :nudge)),
			   (format('SELECT ctaudience.ct_update_campaign(%s, status => %L)', :nudge, 'stopped'))) v(q);
SELECT t.jt_try(format('SELECT ctaudience.ct_update_campaign(%s, status => %L)', :nudge, 'running')) AS same_status;
SELECT status FROM ct_campaign WHERE campaign_id = :nudge;

-- (j) Partner Sync as a wait for an event, a goal or an exit event: an
-- import records it without making anyone due, so it would be seen at the
-- wait's end only (22023, as for the entry).
SELECT t.jt_try(format($$SELECT ctaudience.ct_create_journey('TEST-JT', 'refused', %L)$$, jsonb_build_array(
	jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :vip, 'next', 'w'),
	'{"id": "w", "type": "wait_for_event", "event": "Partner Sync", "within": "1 day", "next": "z", "timeout": "z"}'::jsonb,
	'{"id": "z", "type": "exit"}'::jsonb))) AS wait_for_sync;
SELECT t.jt_try(format($$SELECT ctaudience.ct_create_journey('TEST-JT', 'refused', %L, %s => 'Partner Sync')$$,
					   jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :vip, 'next', 'z'),
										 '{"id": "z", "type": "exit"}'::jsonb), arg))
  FROM (VALUES ('goal_event'), ('exit_event')) v(arg);

-- (k) A journey made live directly (not by ct_start_journey) has no
-- campaigns for its send nodes, which the clock queues for: refused
-- (55000), written as a new row or as an update of a draft.  One without a
-- send node needs none.
SELECT ct_create_journey('TEST-JT', 'Direct', jsonb_build_array(
	'{"id": "in", "type": "entry", "event": "Direct Done", "next": "mail"}'::jsonb,
	'{"id": "mail", "type": "send", "channel": "email", "next": "out"}'::jsonb,
	'{"id": "out", "type": "exit"}'::jsonb)) AS direct \gset
SELECT t.jt_try(format($$UPDATE ctaudience.ct_journey SET status = 'live', started_at = now() WHERE journey_id = %s$$, :direct)) AS updated;
SELECT t.jt_try($$INSERT INTO ctaudience.ct_journey (project_id, name, status, started_at, nodes)
	VALUES ('TEST-JT', 'Direct insert', 'live', now(), '[{"id": "in", "type": "entry", "event": "Direct Done", "next": "mail"},
	{"id": "mail", "type": "send", "channel": "email", "next": "out"}, {"id": "out", "type": "exit"}]')$$) AS inserted;
-- a restore's INSERT (pg_dump's script and pg_restore set row_security
-- off; pg_restore --jobs may load the journeys before the campaigns)
SET row_security = off;
SELECT t.jt_try($$INSERT INTO ctaudience.ct_journey (project_id, name, status, started_at, nodes)
	VALUES ('TEST-JT', 'Direct, restored', 'live', now(), '[{"id": "in", "type": "entry", "event": "Direct Done", "next": "mail"},
	{"id": "mail", "type": "send", "channel": "email", "next": "out"}, {"id": "out", "type": "exit"}]')$$) AS restored;
RESET row_security;
SELECT t.jt_try($$INSERT INTO ctaudience.ct_journey (project_id, name, status, started_at, nodes)
	VALUES ('TEST-JT', 'Direct, no send', 'live', now(), '[{"id": "in", "type": "entry", "event": "Direct Done", "next": "out"},
	{"id": "out", "type": "exit"}]')$$) AS no_send;
SELECT ct_start_journey(:direct) IS NOT NULL AS started;
SELECT status FROM ct_journey WHERE journey_id = :direct;
SELECT ct_stop_journey(id) FROM (SELECT journey_id FROM ct_journey WHERE name IN ('Direct', 'Direct, no send', 'Direct, restored')) j(id);

-- (l) has_properties: the values are strings (or arrays of strings), as
-- imported attributes are; true or 30 would match no one (22023)
SELECT t.jt_try(format($$SELECT ctaudience.ct_create_journey('TEST-JT', 'refused', %L)$$, jsonb_build_array(
	jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :vip, 'next', 'c'),
	jsonb_build_object('id', 'c', 'type', 'condition', 'has_properties', p, 'yes', 'z', 'no', 'z'),
	'{"id": "z", "type": "exit"}'::jsonb)))
  FROM (VALUES ('{"VIP": true}'::jsonb), ('{"Age": 30}'), ('{"Tier": ["gold", 1]}'), ('{"Tier": null}'),
			   ('{"Tier": "gold", "Tags": ["a", "b"]}')) v(p);
