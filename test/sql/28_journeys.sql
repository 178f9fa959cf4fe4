-- Journeys: the cart-abandonment journey end to end on a controlled clock
-- (ct_start_journey and ct_advance_journeys as of given times), the
-- definitions refused, the roles, the statistics and erasure.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

DO $$
DECLARE
	r text;
BEGIN
	FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'ct\_jr\_%' LOOP
		EXECUTE format('DROP OWNED BY %I', r);
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;

SELECT ct_register_project('TEST-J', 'test-passcode-1', 'token-TEST-J', 'eu1', 'Journeys');
SELECT ct_register_project('TEST-K', 'test-passcode-1', 'token-TEST-K', 'eu1', 'Journeys elsewhere');
-- t.at(time): a message's timestamp_ms
CREATE FUNCTION t.at(ts timestamptz) RETURNS bigint LANGUAGE sql AS $$
	SELECT (extract(epoch FROM ts) * 1000)::bigint
$$;
CREATE FUNCTION t.jc(who text) RETURNS text LANGUAGE sql AS $$
	SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = 'TEST-J' AND identity = who
$$;
-- where each profile is, by identity
CREATE VIEW t.journey_where AS
SELECT p.identity, x.node, x.waiting, x.entered_at, x.due_at, x.exited_at, x.exit_reason
  FROM ctaudience.ct_journey_profiles x JOIN ctaudience.ct_profile p USING (project_id, ct_id)
 WHERE x.project_id = 'TEST-J'
 ORDER BY x.journey_id, p.identity;
SET timezone = 'UTC';

-- Ann and Bob are in "Cart Drop off" before the journey starts.
SELECT t.imp(t.msg(2801, t.at('2025-03-01 09:00+00'), jsonb_build_array(
	t.u('2801', jsonb_build_array(t.id('customer', 'ann')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2802', jsonb_build_array(t.id('customer', 'bob')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2803', jsonb_build_array(t.id('customer', 'vip')), jsonb_build_array(t.aud(57002, 'VIP')))), 'TEST-J'));
SELECT t.imp(t.msg(2802, t.at('2025-03-01 09:00+00'), jsonb_build_array(
	t.u('2811', jsonb_build_array(t.id('customer', 'kim')), jsonb_build_array(t.aud(57101, 'K carts')))), 'TEST-K'));
SELECT segment_id AS cart FROM ct_segment WHERE project_id = 'TEST-J' AND partner_segment_id = 57001 \gset
SELECT segment_id AS vip FROM ct_segment WHERE project_id = 'TEST-J' AND partner_segment_id = 57002 \gset
SELECT segment_id AS kcart FROM ct_segment WHERE project_id = 'TEST-K' AND partner_segment_id = 57101 \gset

-- The journey: added to Cart Drop off -> wait an hour -> bought since?
-- no: email -> wait a day -> bought since? no: SMS -> exit.
SELECT jsonb_build_array(
	jsonb_build_object('id', 'added', 'type', 'entry', 'segment_id', :cart, 'next', 'wait 1h'),
	'{"id": "wait 1h", "type": "wait", "duration": "1 hour", "next": "bought?"}'::jsonb,
	'{"id": "bought?", "type": "condition", "did_event": "Charged", "yes": "done", "no": "email"}'::jsonb,
	'{"id": "email", "type": "send", "channel": "email", "next": "wait 1d"}'::jsonb,
	'{"id": "wait 1d", "type": "wait", "duration": "1 day", "next": "bought now?"}'::jsonb,
	'{"id": "bought now?", "type": "condition", "did_event": "Charged", "yes": "done", "no": "sms"}'::jsonb,
	'{"id": "sms", "type": "send", "channel": "sms", "next": "done"}'::jsonb,
	'{"id": "done", "type": "exit"}'::jsonb) AS cart_nodes \gset
SELECT ct_create_journey('TEST-J', 'Cart abandonment (draft)', :'cart_nodes') AS journey \gset
SELECT project_id, name, status, segment_id = :cart AS entry_segment, started_at FROM ct_journey WHERE journey_id = :journey;
-- a draft changes
SELECT ct_update_journey(:journey, name => 'Cart abandonment');
SELECT name, status FROM ct_journey WHERE journey_id = :journey;
-- no campaign until it starts
SELECT count(*) AS campaigns FROM ct_campaign WHERE journey_id = :journey;

-- Definitions refused, with 22023 and a hint.
-- (the id of TEST-K's segment shows as <TEST-K's>)
CREATE FUNCTION t.try_nodes(nodes jsonb, kcart bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text;
	h text;
BEGIN
	PERFORM ctaudience.ct_create_journey('TEST-J', 'refused', nodes);
	RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	RETURN SQLSTATE || ': ' || replace(m, 'segment ' || kcart || ' ', 'segment <TEST-K''s> ') || CASE WHEN h <> '' THEN ' [hint: ' || h || ']' ELSE '' END;
END
$$;
SELECT t.try_nodes(n, :kcart) FROM (VALUES
	('{}'::jsonb),
	('[]'),
	(jsonb_build_array('{"id": "x", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'z'),
					   jsonb_build_object('id', 'b', 'type', 'entry', 'segment_id', :cart, 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'next', 'z'), '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'nowhere'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb, '{"id": "lost", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'c'),
					   '{"id": "c", "type": "condition", "in_segment": 1, "yes": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'c'),
					   jsonb_build_object('id', 'c', 'type', 'condition', 'in_segment', :vip, 'yes', 'z', 'no', 's'),
					   '{"id": "s", "type": "send", "channel": "push", "next": "c"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 's'),
					   '{"id": "s", "type": "send", "channel": "in_app", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 's'),
					   '{"id": "s", "type": "send", "channel": "pigeon", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "-1 hour", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "1 hour", "next": "a"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :kcart, 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', 999999, 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'z'),
					   '{"id": "z", "type": "teleport"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'a2'),
					   '{"id": "a2", "type": "exit"}'::jsonb, '{"id": "a2", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "1 hour", "until": "09:00", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "until": "24:00", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "until": "09:00", "time_zone": "Mars/Olympus", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "1 day", "time_zone": "Asia/Kolkata", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'c'),
					   '{"id": "c", "type": "condition", "did_event": "Charged", "has_properties": {"Tier": "gold"}, "yes": "z", "no": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'c'),
					   '{"id": "c", "type": "condition", "has_properties": {}, "yes": "z", "no": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'members_at_start', 'yes', 'next', 'z'),
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait_for_event", "event": "Charged", "next": "z", "timeout": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	-- an interval too long for the clock's arithmetic, one with a negative
	-- part, one not a string; a POSIX offset (UTC-05:30 to PostgreSQL) or a
	-- number as a time zone; a segment id that is not a whole bigint
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "300000 years", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "10 years 1 day", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "1 mon -29 days", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": "1 day -1 second", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "duration": 3600, "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait_for_event", "event": "Charged", "within": "300000 years", "next": "z", "timeout": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait_for_event", "event": "Charged", "within": "-1 mon 40 days", "next": "z", "timeout": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "until": "09:00", "time_zone": "+05:30", "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait", "until": "09:00", "time_zone": 5, "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "segment_id": 1.5, "next": "z"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array('{"id": "a", "type": "entry", "event": "Launched", "segment_id": 1e30, "next": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'c'),
					   '{"id": "c", "type": "condition", "in_segment": 9223372036854775808, "yes": "z", "no": "z"}'::jsonb,
					   '{"id": "z", "type": "exit"}'::jsonb)),
	(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
					   '{"id": "w", "type": "wait_for_event", "event": "Charged", "within": "1 day", "next": "s", "timeout": "z"}'::jsonb,
					   '{"id": "s", "type": "send", "channel": "push", "next": "w"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb))) AS v(n);
-- a loop through a wait for an event's timeout waits
SELECT t.try_nodes(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'w'),
	'{"id": "w", "type": "wait_for_event", "event": "Charged", "within": "1 day", "next": "z", "timeout": "s"}'::jsonb,
	'{"id": "s", "type": "send", "channel": "push", "next": "w"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb), :kcart) AS loop_on_timeout;
-- a loop with a wait in it is fine
SELECT t.try_nodes(jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'c'),
	jsonb_build_object('id', 'c', 'type', 'condition', 'in_segment', :vip, 'yes', 'z', 'no', 's'),
	'{"id": "s", "type": "send", "channel": "push", "next": "w"}'::jsonb,
	'{"id": "w", "type": "wait", "duration": "1 week", "next": "c"}'::jsonb, '{"id": "z", "type": "exit"}'::jsonb), :kcart) AS loop_with_wait;
-- t.try(statement): run it, show its error with the ids that vary masked
-- (%J: the journey, %C: a campaign, %N: the nodes)
CREATE FUNCTION t.try(q text, journey bigint, campaign bigint, nodes jsonb, kcart bigint DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text;
	h text;
BEGIN
	EXECUTE replace(replace(replace(q, '%J', journey::text), '%C', coalesce(campaign::text, '')), '%N', coalesce(quote_literal(nodes), 'NULL'));
	RETURN 'done';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, h = PG_EXCEPTION_HINT;
	m := replace(m, 'segment ' || coalesce(kcart, -1) || ' ', 'segment <TEST-K''s> ');
	m := regexp_replace(regexp_replace(m, 'journey \d+', 'journey <J>', 'g'), 'campaign \d+', 'campaign <C>', 'g');
	RETURN SQLSTATE || ': ' || m || CASE WHEN h <> '' THEN ' [hint: ' || h || ']' ELSE '' END;
END
$$;
-- the trigger checks direct writes too
INSERT INTO ct_journey (project_id, name, nodes, segment_id)
VALUES ('TEST-J', 'direct', jsonb_build_array(jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', :cart, 'next', 'b'),
											  '{"id": "b", "type": "wait", "duration": "1 hour", "next": "b"}'::jsonb,
											  '{"id": "z", "type": "exit"}'::jsonb), 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT t.try(format($$UPDATE ctaudience.ct_journey SET nodes = jsonb_build_array(
	jsonb_build_object('id', 'a', 'type', 'entry', 'segment_id', %s, 'next', 'z'), '{"id": "z", "type": "exit"}'::jsonb)
	WHERE journey_id = %%J$$, :kcart), :journey, NULL, NULL, :kcart) AS refused;
SELECT t.try($$UPDATE ct_journey SET status = 'live' WHERE journey_id = %J$$, :journey, NULL, NULL) AS refused;

-- It starts at 10:00 (the owner may start it as of a time).
SELECT ct_start_journey(:journey, as_of => '2025-03-01 10:00+00');
SELECT status, started_at FROM ct_journey WHERE journey_id = :journey;
SELECT journey_node, name, channel, kind, status FROM ct_campaign WHERE journey_id = :journey ORDER BY journey_node;
SELECT campaign_id AS email FROM ct_campaign WHERE journey_id = :journey AND journey_node = 'email' \gset
SELECT campaign_id AS sms FROM ct_campaign WHERE journey_id = :journey AND journey_node = 'sms' \gset
-- a live journey is not edited, by the functions or directly
SELECT t.try($$SELECT ct_update_journey(%J, name => 'Cart abandonment v2')$$, :journey, :email, :'cart_nodes') AS refused;
SELECT t.try($$UPDATE ct_journey SET nodes = %N::jsonb - 3 WHERE journey_id = %J$$, :journey, :email, :'cart_nodes') AS refused;
SELECT t.try($$SELECT ct_start_journey(%J)$$, :journey, :email, :'cart_nodes') AS refused;
SELECT t.try($$UPDATE ct_campaign SET channel = 'push' WHERE campaign_id = %C$$, :journey, :email, :'cart_nodes') AS refused;

-- 10:30: the next sync adds Carl and Dora; Ann, already in, is stated again.
SELECT t.imp(t.msg(2803, t.at('2025-03-01 10:30+00'), jsonb_build_array(
	t.u('2801', jsonb_build_array(t.id('customer', 'ann')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2804', jsonb_build_array(t.id('customer', 'carl')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2805', jsonb_build_array(t.id('customer', 'dora')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
-- Carl and Dora entered in the import's own statement (Ann and Bob were
-- in before the start); the clock moves them from 10:30, not at 10:20
SELECT * FROM t.journey_where;
SELECT ct_advance_journeys(100, as_of => '2025-03-01 10:20+00') AS moved;
-- 10:40: they wait an hour
SELECT ct_advance_journeys(100, as_of => '2025-03-01 10:40+00') AS moved;
SELECT * FROM t.journey_where;
-- the same message redelivered, and a sync stating Carl again: no one enters twice
SELECT t.imp(t.msg(2803, t.at('2025-03-01 10:30+00'), jsonb_build_array(
	t.u('2804', jsonb_build_array(t.id('customer', 'carl')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
SELECT t.imp(t.msg(2808, t.at('2025-03-01 10:35+00'), jsonb_build_array(
	t.u('2804', jsonb_build_array(t.id('customer', 'carl')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-01 10:41+00') AS moved;
SELECT count(*) AS entered FROM ct_journey_step WHERE journey_id = :journey AND outcome = 'entered';

-- 11:00 Dora buys; at 11:35 the hour is over: Dora converted and exits,
-- Carl did not and is emailed, then waits a day.
SELECT ct_record_event('TEST-J', t.jc('dora'), 'Charged', '{"Amount": 59}', '2025-03-01 11:00+00') > 0 AS recorded;
SELECT ct_advance_journeys(100, as_of => '2025-03-01 11:35+00') AS moved;
SELECT * FROM t.journey_where;
SELECT ct_advance_journeys(100, as_of => '2025-03-01 11:36+00') AS moved_again;
SELECT p.identity, q.event_name, (q.event_props ->> 'Journey id')::bigint = :journey AS this_journey,
	   q.event_props ->> 'Journey node' AS journey_node, q.qualified_at
  FROM ct_campaign_take(:email, 10) q JOIN ct_profile p USING (project_id, ct_id);
SELECT count(*) AS sms_queued FROM ct_campaign_queue WHERE campaign_id = :sms;
-- the sender reports the email like any campaign's
SELECT ct_record_delivery('TEST-J', :email, t.jc('carl'), 'sent', '2025-03-01 11:40+00') > 0 AS reported;

-- 12:00 Eve is added; 20:00 mParticle removes Carl from the audience: he
-- exits before his wait is over.
SELECT t.imp(t.msg(2804, t.at('2025-03-01 12:00+00'), jsonb_build_array(
	t.u('2806', jsonb_build_array(t.id('customer', 'eve')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
SELECT t.imp(t.msg(2805, t.at('2025-03-01 20:00+00'), jsonb_build_array(
	t.u('2804', jsonb_build_array(t.id('customer', 'carl')), jsonb_build_array(t.aud(57001, 'Cart Drop off', 'delete')))), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-01 20:05+00') AS moved;
SELECT * FROM t.journey_where;
-- 21:00 he is added again: a profile enters a journey once
SELECT t.imp(t.msg(2809, t.at('2025-03-01 21:00+00'), jsonb_build_array(
	t.u('2804', jsonb_build_array(t.id('customer', 'carl')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
SELECT identity, exit_reason FROM t.journey_where WHERE identity = 'carl';
SELECT count(*) AS carl_entered FROM ct_journey_step WHERE journey_id = :journey AND ct_id = t.jc('carl') AND outcome = 'entered';

-- The next day: Eve is emailed (her hour ended at 13:00), then, once her
-- day is over too, texted, and leaves at the exit node.
SELECT ct_advance_journeys(100, as_of => '2025-03-02 13:05+00') AS moved;
SELECT ct_advance_journeys(100, as_of => '2025-03-02 13:05+00') AS moved;
SELECT * FROM t.journey_where;
SELECT c.journey_node, p.identity, q.event_props ->> 'Journey node' AS journey_node_prop, q.taken_at IS NOT NULL AS taken
  FROM ct_campaign_queue q JOIN ct_campaign c USING (project_id, campaign_id) JOIN ct_profile p USING (project_id, ct_id)
 WHERE c.journey_id = :journey ORDER BY q.queue_id;
SELECT p.identity, s.node, s.outcome, s.ts
  FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :journey ORDER BY p.identity, s.step_id;

-- The statistics per node, from the record.
SELECT node, node_type, entered, waiting_now, waited, passed, yes, no, sent, completed, left_segment, stopped
  FROM ct_journey_stats WHERE journey_id = :journey ORDER BY node_position;

-- Fred is added on the third day and waits his hour.
SELECT t.imp(t.msg(2806, t.at('2025-03-03 09:00+00'), jsonb_build_array(
	t.u('2807', jsonb_build_array(t.id('customer', 'fred')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-03 09:05+00') AS moved;

-- Roles.  Readers read the views; a role given TEST-K reads TEST-K's only;
-- the journey functions are the owner's unless granted; an operator given
-- TEST-K runs the clock there, but not as of a time.
SELECT ct_create_journey('TEST-K', 'K journey', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :kcart, 'next', 'out'), '{"id": "out", "type": "exit"}'::jsonb)) AS kjourney \gset
CREATE ROLE ct_jr_reader IN ROLE ctaudience_reader;
CREATE ROLE ct_jr_team_k;
CREATE ROLE ct_jr_nobody;
SELECT ct_grant_project('ct_jr_team_k', 'TEST-K', 'read');
SELECT ct_grant_project('ct_jr_team_k', 'TEST-K', 'operate');
GRANT EXECUTE ON FUNCTION ct_create_journey(text, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[]), ct_start_journey(bigint, timestamptz),
	ct_stop_journey(bigint) TO ct_jr_team_k;
SET ROLE ct_jr_reader;
SELECT project_id, count(*) AS nodes, sum(entered) AS entered FROM ct_journey_stats
 WHERE project_id IN ('TEST-J', 'TEST-K') GROUP BY 1 ORDER BY 1;
SELECT count(*) AS profiles FROM ct_journey_profiles WHERE project_id = 'TEST-J';
SELECT ct_advance_journeys(10);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE ct_jr_team_k;
SELECT project_id, count(*) AS nodes FROM ct_journey_stats GROUP BY 1 ORDER BY 1;
SELECT count(*) AS profiles_seen FROM ct_journey_profiles;
SELECT ct_create_journey('TEST-J', 'not mine', :'cart_nodes');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- (the message names the journey, whose id varies)
\set VERBOSITY sqlstate
SELECT ct_stop_journey(:journey);
\set VERBOSITY default
SELECT ct_start_journey(:kjourney, as_of => '2025-03-01 00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_start_journey(:kjourney);
-- Fred's hour is over by now, but he is not TEST-K's
SELECT ct_advance_journeys(10) AS moved_k;
SELECT ct_advance_project_journeys('TEST-K', 10) AS moved_k_alone;
SELECT ct_advance_project_journeys('TEST-J', 10);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_advance_journeys(10, as_of => '2030-01-01 00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE ct_jr_nobody;
SELECT * FROM ctaudience.ct_journey_stats;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT status FROM ct_journey WHERE journey_id = :journey;
SELECT identity, node, waiting FROM t.journey_where WHERE identity = 'fred';

-- Stopping: Fred, still waiting, exits (reason stopped); the campaigns stop.
SELECT ct_stop_journey(:journey) AS exited;
SELECT ct_stop_journey(:journey) AS exited_again;
SELECT identity, node, exit_reason FROM t.journey_where WHERE identity = 'fred';
SELECT journey_node, status FROM ct_campaign WHERE journey_id = :journey ORDER BY journey_node;
-- an import that read the journey live before the stop committed enters
-- a profile after it: the next run exits it (reason stopped)
INSERT INTO ct_journey_state (project_id, journey_id, ct_id, node, entered_at, node_at, due_at)
VALUES ('TEST-J', :journey, t.jc('ann'), 'added', '2025-03-03 09:30+00', '2025-03-03 09:30+00', '2025-03-03 09:30+00');
SELECT ct_advance_journeys(100, as_of => '2025-03-09 00:00+00') AS moved_after_stop;
SELECT identity, node, exit_reason FROM t.journey_where WHERE identity = 'ann';
SELECT ct_advance_journeys(100, as_of => '2025-03-09 00:00+00') AS moved_again;

-- An erasure removes the subject's journey state and steps.
SELECT t.jc('eve') AS eve \gset
SELECT (SELECT count(*) FROM ct_journey_state WHERE ct_id = :'eve') AS states,
	   (SELECT count(*) FROM ct_journey_step WHERE ct_id = :'eve') AS steps;
SELECT (ct_firehose((t.msg(2807, t.at('2025-03-04 00:00+00'), NULL, 'TEST-J') - 'user_profiles') || jsonb_build_object(
	'type', 'dsr_processing_request', 'subject_request_type', 'erasure',
	'subject_identities', '{"customer_id": {"encoding": "raw", "value": "eve"}}'::jsonb)) -> 'ctaudience') AS erased;
SELECT (SELECT count(*) FROM ct_journey_state WHERE ct_id = :'eve') AS states,
	   (SELECT count(*) FROM ct_journey_step WHERE ct_id = :'eve') AS steps,
	   (SELECT count(*) FROM ct_journey_step WHERE journey_id = :journey) AS others_steps;

-- Identity rule 1: a generated profile in a journey merged into the
-- Partner ID's profile takes its place and steps there; when both are in
-- the journey (entered at once), the Partner ID's place stays, the other
-- exits (a merged step) and the steps of both count.
SELECT ct_create_journey('TEST-J', 'Merges', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :cart, 'next', 'day'),
	'{"id": "day", "type": "wait", "duration": "1 day", "next": "out"}'::jsonb, '{"id": "out", "type": "exit"}'::jsonb)) AS merges \gset
SELECT ct_start_journey(:merges, as_of => '2025-03-05 00:00+00');
-- Gus and Jo (generated: no Partner ID) and __p-jo (a Partner ID, no Customer ID), all added
SELECT t.imp(t.msg(2810, t.at('2025-03-05 10:00+00'), jsonb_build_array(
	t.u('2820', jsonb_build_array(t.id('customer', 'gus')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2821', jsonb_build_array(t.id('customer', 'jo')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2822', '[]'::jsonb, jsonb_build_array(t.aud(57001, 'Cart Drop off')), '__p-jo')), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-05 10:05+00') AS moved;
SELECT t.jc('gus') AS gus_generated \gset
-- Gus's Customer ID comes with the Partner ID __p-gus (a new profile), Jo's with __p-jo
SELECT t.imp(t.msg(2811, t.at('2025-03-05 11:00+00'), jsonb_build_array(
	t.u('2820', jsonb_build_array(t.id('customer', 'gus')), '[]'::jsonb, '__p-gus'),
	t.u('2822', jsonb_build_array(t.id('customer', 'jo')), '[]'::jsonb, '__p-jo')), 'TEST-J'));
SELECT CASE WHEN x.ct_id ~ '^[0-9a-f]{32}$' THEN '(generated)' ELSE x.ct_id END AS ct_id, x.node, x.waiting,
	   (SELECT count(*) FROM ct_journey_step s WHERE s.project_id = x.project_id AND s.journey_id = x.journey_id
		   AND s.ct_id = x.ct_id) AS steps
  FROM ct_journey_state x WHERE x.journey_id = :merges ORDER BY 1;
SELECT count(*) AS left_behind FROM ct_journey_step WHERE ct_id = :'gus_generated';
SELECT entered, waiting_now, waited FROM ct_journey_stats WHERE journey_id = :merges AND node IN ('in', 'day') ORDER BY node_position;
-- 12:00 both are removed from Cart Drop off, and at 12:01 __p-jo is added
-- again: the removals make both due at once (in the import), the clock
-- exits __p-gus and leaves __p-jo waiting until its day is over
SELECT t.imp(t.msg(2812, t.at('2025-03-05 12:00+00'), jsonb_build_array(
	t.u('2820', '[]'::jsonb, jsonb_build_array(t.aud(57001, 'Cart Drop off', 'delete')), '__p-gus'),
	t.u('2822', '[]'::jsonb, jsonb_build_array(t.aud(57001, 'Cart Drop off', 'delete')), '__p-jo')), 'TEST-J'));
SELECT ct_id, due_at FROM ct_journey_state WHERE journey_id = :merges ORDER BY 1;
SELECT t.imp(t.msg(2813, t.at('2025-03-05 12:01+00'), jsonb_build_array(
	t.u('2822', '[]'::jsonb, jsonb_build_array(t.aud(57001, 'Cart Drop off')), '__p-jo')), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-05 12:05+00') AS moved;
SELECT ct_id, node, waiting, due_at, exit_reason FROM ct_journey_state WHERE journey_id = :merges ORDER BY 1;
SELECT ct_advance_journeys(100, as_of => '2025-03-06 10:05+00') AS moved;
SELECT ct_id, node, exit_reason FROM ct_journey_state WHERE journey_id = :merges ORDER BY 1;

-- A goal: a profile that does the goal event (with properties that contain
-- the filter) after it entered exits (reason goal, at the event's time)
-- before its next step, even when the audience drops it as it buys; the
-- exit event likewise (reason exit_event).
SELECT ct_create_journey('TEST-J', 'Goal', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :cart, 'next', 'hour'),
	'{"id": "hour", "type": "wait", "duration": "1 hour", "next": "push"}'::jsonb,
	'{"id": "push", "type": "send", "channel": "push", "next": "out"}'::jsonb, '{"id": "out", "type": "exit"}'::jsonb),
	goal_event => 'Charged', goal_filter => '{"Currency": "EUR"}', exit_event => 'Unsubscribed') AS goal \gset
SELECT t.try($$SELECT ct_update_journey(%J, goal_filter => '["EUR"]')$$, :goal, NULL, NULL) AS refused;
SELECT t.try($$SELECT ct_update_journey(%J, goal_event => '')$$, :goal, NULL, NULL) AS goal_removed;
SELECT goal_event, goal_filter FROM ct_journey WHERE journey_id = :goal;
SELECT t.try($$SELECT ct_update_journey(%J, goal_event => 'Charged', goal_filter => '{"Currency": "EUR"}')$$, :goal, NULL, NULL) AS goal_set;
SELECT t.try($$UPDATE ct_journey SET goal_event = NULL WHERE journey_id = %J$$, :goal, NULL, NULL) AS refused;
SELECT ct_start_journey(:goal, as_of => '2025-03-07 00:00+00');
SELECT t.try($$SELECT ct_update_journey(%J, goal_event => 'App Launched')$$, :goal, NULL, NULL) AS refused;
-- Kai, Lea, Max and Ned are added at 10:00; Kai buys in euros at 10:20 and
-- the audience drops him at 10:25; Lea buys in dollars; Max buys nothing;
-- Ned unsubscribes at 10:40
SELECT t.imp(t.msg(2814, t.at('2025-03-07 10:00+00'), jsonb_build_array(
	t.u('2830', jsonb_build_array(t.id('customer', 'kai')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2831', jsonb_build_array(t.id('customer', 'lea')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2832', jsonb_build_array(t.id('customer', 'max')), jsonb_build_array(t.aud(57001, 'Cart Drop off'))),
	t.u('2833', jsonb_build_array(t.id('customer', 'ned')), jsonb_build_array(t.aud(57001, 'Cart Drop off')))), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-07 10:05+00') AS moved;
SELECT count(ct_record_event('TEST-J', t.jc(who), 'Charged', jsonb_build_object('Currency', cur), '2025-03-07 10:20+00')) AS bought
  FROM (VALUES ('kai', 'EUR'), ('lea', 'USD')) AS v(who, cur);
SELECT t.imp(t.msg(2815, t.at('2025-03-07 10:25+00'), jsonb_build_array(
	t.u('2830', jsonb_build_array(t.id('customer', 'kai')), jsonb_build_array(t.aud(57001, 'Cart Drop off', 'delete')))), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-07 10:30+00') AS moved;
SELECT ct_record_event('TEST-J', t.jc('ned'), 'Unsubscribed', '{}', '2025-03-07 10:40+00') > 0 AS unsubscribed;
SELECT ct_advance_journeys(100, as_of => '2025-03-07 11:05+00') AS moved;
SELECT p.identity, x.node, x.exited_at, x.exit_reason
  FROM ct_journey_state x JOIN ct_profile p USING (project_id, ct_id) WHERE x.journey_id = :goal ORDER BY 1;
SELECT p.identity FROM ct_campaign_queue q JOIN ct_campaign c USING (project_id, campaign_id)
  JOIN ct_profile p USING (project_id, ct_id) WHERE c.journey_id = :goal ORDER BY 1;
SELECT node, entered, waited, passed, sent, goal, exit_event, completed, left_segment
  FROM ct_journey_stats WHERE journey_id = :goal ORDER BY node_position;

-- A wait until a time of day in a time zone, and a condition on the
-- profile's properties: the gold tier is pushed at 09:00 in Kolkata
-- (03:30 UTC) the morning after it is added; the others leave.
SELECT ct_create_journey('TEST-J', 'Morning', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :vip, 'next', 'nine'),
	'{"id": "nine", "type": "wait", "until": "09:00", "time_zone": "Asia/Kolkata", "next": "gold?"}'::jsonb,
	'{"id": "gold?", "type": "condition", "has_properties": {"Tier": "gold"}, "yes": "push", "no": "out"}'::jsonb,
	'{"id": "push", "type": "send", "channel": "push", "next": "out"}'::jsonb, '{"id": "out", "type": "exit"}'::jsonb)) AS morning \gset
SELECT ct_start_journey(:morning, as_of => '2025-03-12 00:00+00');
-- 2025-03-12 20:00 UTC is 01:30 on the 13th in Kolkata: 09:00 there is 03:30 UTC on the 13th
SELECT t.imp(t.msg(2816, t.at('2025-03-12 20:00+00'), jsonb_build_array(
	t.u('2850', jsonb_build_array(t.id('customer', 'ola')), jsonb_build_array(t.aud(57002, 'VIP'),
		t.aud(57002, 'VIP') || jsonb_build_object('action', 'attribute_update', 'user_attributes', jsonb_build_array(
			jsonb_build_object('key', 'Tier', 'value', 'gold', 'action', 'upsert'))))),
	t.u('2851', jsonb_build_array(t.id('customer', 'pat')), jsonb_build_array(t.aud(57002, 'VIP')))), 'TEST-J'));
SELECT p.identity, p.properties FROM ct_profile p WHERE p.project_id = 'TEST-J' AND p.identity IN ('ola', 'pat') ORDER BY 1;
SELECT ct_advance_journeys(100, as_of => '2025-03-12 20:05+00') AS moved;
SELECT p.identity, x.node, x.due_at FROM ct_journey_state x JOIN ct_profile p USING (project_id, ct_id)
 WHERE x.journey_id = :morning ORDER BY 1;
SELECT ct_advance_journeys(100, as_of => '2025-03-13 03:29+00') AS moved_before_nine;
SELECT ct_advance_journeys(100, as_of => '2025-03-13 03:31+00') AS moved_at_nine;
SELECT p.identity, s.node, s.outcome, s.ts FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :morning ORDER BY 1, s.step_id;
SELECT ctaudience.ct_journey_wait_end('{"until": "09:00", "time_zone": "Asia/Kolkata"}', t) AS ends
  FROM unnest(ARRAY['2025-03-13 03:29+00', '2025-03-13 03:30+00']::timestamptz[]) t;

-- Waiting for an event: the profile moves on when it does it (recording
-- it makes the profile due then), or takes the timeout branch.
SELECT t.imp(t.msg(2819, t.at('2025-03-15 09:00+00'), jsonb_build_array(
	t.u('2870', jsonb_build_array(t.id('customer', 'br-0')), jsonb_build_array(t.aud(57004, 'Browsers')))), 'TEST-J'));
SELECT segment_id AS br FROM ct_segment WHERE project_id = 'TEST-J' AND partner_segment_id = 57004 \gset
SELECT ct_create_journey('TEST-J', 'Thanks', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :br, 'next', 'bought'),
	'{"id": "bought", "type": "wait_for_event", "event": "Charged", "filter": {"Currency": "EUR"}, "within": "1 day",
	  "next": "thanks", "timeout": "nudge"}'::jsonb,
	'{"id": "thanks", "type": "send", "channel": "push", "next": "out"}'::jsonb,
	'{"id": "nudge", "type": "send", "channel": "sms", "next": "out"}'::jsonb, '{"id": "out", "type": "exit"}'::jsonb)) AS thanks \gset
SELECT ct_start_journey(:thanks, as_of => '2025-03-15 09:30+00');
SELECT t.imp(t.msg(2820, t.at('2025-03-15 10:00+00'), jsonb_build_array(
	t.u('2871', jsonb_build_array(t.id('customer', 'br-1')), jsonb_build_array(t.aud(57004, 'Browsers'))),
	t.u('2872', jsonb_build_array(t.id('customer', 'br-2')), jsonb_build_array(t.aud(57004, 'Browsers')))), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-15 10:05+00') AS moved;
CREATE VIEW t.thanks_where AS
SELECT p.identity, x.node, x.waiting, x.due_at, x.exit_reason FROM ct_journey_state x JOIN ct_profile p USING (project_id, ct_id)
 WHERE x.journey_id = :thanks ORDER BY 1;
SELECT * FROM t.thanks_where;
-- br-1 buys in euros at 12:00: due at once; br-2 in dollars at 13:00:
-- due too (the clock reads the filter), and back to waiting
SELECT ct_record_event('TEST-J', t.jc('br-1'), 'Charged', '{"Currency": "EUR"}', '2025-03-15 12:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-J', t.jc('br-2'), 'Charged', '{"Currency": "USD"}', '2025-03-15 13:00+00') > 0 AS recorded;
SELECT * FROM t.thanks_where;
SELECT ct_advance_journeys(100, as_of => '2025-03-15 13:05+00') AS moved;
SELECT * FROM t.thanks_where;
SELECT ct_advance_journeys(100, as_of => '2025-03-16 10:05+00') AS moved;
SELECT p.identity, s.node, s.outcome, s.ts FROM ct_journey_step s JOIN ct_profile p USING (project_id, ct_id)
 WHERE s.journey_id = :thanks ORDER BY 1, s.step_id;
SELECT node, waited, got_event, timed_out, sent FROM ct_journey_stats WHERE journey_id = :thanks ORDER BY node_position;

-- Past behavior: with members_at_start, the entry segment's members when
-- the journey starts enter too, at its start; those added later as ever.
SELECT ct_create_journey('TEST-J', 'Everyone', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :vip, 'members_at_start', true, 'next', 'out'),
	'{"id": "out", "type": "exit"}'::jsonb)) AS everyone \gset
SELECT ct_start_journey(:everyone, as_of => '2025-03-13 12:00+00');
SELECT p.identity, x.node, x.entered_at FROM ct_journey_state x JOIN ct_profile p USING (project_id, ct_id)
 WHERE x.journey_id = :everyone ORDER BY 1;
SELECT (SELECT count(*) FROM ct_segment_member WHERE project_id = 'TEST-J' AND segment_id = :vip AND is_member) AS members,
	   (SELECT entered FROM ct_journey_stats WHERE journey_id = :everyone AND node = 'in') AS entered;
SELECT ct_advance_journeys(100, as_of => '2025-03-13 12:05+00') > 0 AS moved;
SELECT completed FROM ct_journey_stats WHERE journey_id = :everyone AND node = 'out';

-- NULLs and limits: 22004 naming the argument, 22023; an unknown journey P0002
CREATE FUNCTION t.jerr(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;
SELECT f, t.jerr(q) AS error FROM (VALUES
	('ct_create_journey', $$SELECT ctaudience.ct_create_journey('TEST-J', 'x', NULL)$$),
	('ct_create_journey project', $$SELECT ctaudience.ct_create_journey('TEST-NONE', 'x', '[]')$$),
	('ct_update_journey', 'SELECT ctaudience.ct_update_journey(NULL)'),
	('ct_update_journey unknown', 'SELECT ctaudience.ct_update_journey(-1)'),
	('ct_start_journey', 'SELECT ctaudience.ct_start_journey(NULL)'),
	('ct_stop_journey', 'SELECT ctaudience.ct_stop_journey(NULL)'),
	('ct_advance_journeys', 'SELECT ctaudience.ct_advance_journeys(NULL)'),
	('ct_advance_journeys 0', 'SELECT ctaudience.ct_advance_journeys(0)'),
	('ct_advance_project_journeys', 'SELECT ctaudience.ct_advance_project_journeys(NULL)'),
	('ct_advance_project_journeys 0', $$SELECT ctaudience.ct_advance_project_journeys('TEST-J', 0)$$),
	('ct_schedule_journeys', 'SELECT ctaudience.ct_schedule_journeys(NULL)')) AS c(f, q)
ORDER BY f;

-- scheduling with pg_cron (loaded for this database by the test cluster)
CREATE EXTENSION pg_cron;
SELECT ct_schedule_journeys('* * * * *', 500) > 0 AS scheduled;
SELECT jobname, schedule, command, database = current_database() AS this_database FROM cron.job;
SELECT cron.unschedule('ctaudience_journeys');
DROP EXTENSION pg_cron;

-- A control group: the same profiles (a hash of the journey and the
-- profile) are held back at every send node, getting the System Control
-- Group event (and a control_group delivery) instead of a queued message.
SELECT t.imp(t.msg(2817, t.at('2025-03-14 09:00+00'), jsonb_build_array(
	t.u('2860', jsonb_build_array(t.id('customer', 'ctl-0')), jsonb_build_array(t.aud(57003, 'Control test')))), 'TEST-J'));
SELECT segment_id AS ctl FROM ct_segment WHERE project_id = 'TEST-J' AND partner_segment_id = 57003 \gset
SELECT t.jerr(format('SELECT ctaudience.ct_create_journey(%L, %L, %L::jsonb, control_group => 95)', 'TEST-J', 'refused',
	jsonb_build_array(jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :ctl, 'next', 'out'),
					  '{"id": "out", "type": "exit"}'::jsonb))) AS refused;
SELECT ct_create_journey('TEST-J', 'Control', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :ctl, 'next', 'first'),
	'{"id": "first", "type": "send", "channel": "push", "next": "hour"}'::jsonb,
	'{"id": "hour", "type": "wait", "duration": "1 hour", "next": "second"}'::jsonb,
	'{"id": "second", "type": "send", "channel": "sms", "next": "out"}'::jsonb, '{"id": "out", "type": "exit"}'::jsonb),
	control_group => 50) AS control \gset
SELECT ct_start_journey(:control, as_of => '2025-03-14 09:30+00');
SELECT t.imp(t.msg(2818, t.at('2025-03-14 10:00+00'), (SELECT jsonb_agg(
	t.u((2860 + i)::text, jsonb_build_array(t.id('customer', 'ctl-' || i)), jsonb_build_array(t.aud(57003, 'Control test'))))
	FROM generate_series(1, 20) i), 'TEST-J'));
SELECT ct_advance_journeys(100, as_of => '2025-03-14 10:05+00') AS moved;
SELECT ct_advance_journeys(100, as_of => '2025-03-14 11:05+00') AS moved;
CREATE VIEW t.held AS
SELECT node, ct_id FROM ct_journey_step WHERE journey_id = :control AND outcome = 'control_group';
-- (which profiles, and so how many, varies with their generated CleverTap IDs)
SELECT node, sent + control_group AS profiles, control_group BETWEEN 1 AND 19 AS some_held_back
  FROM ct_journey_stats WHERE journey_id = :control AND node_type = 'send' ORDER BY node_position;
-- the same profiles at both sends; none of them queued; each with its events and deliveries
SELECT (SELECT array_agg(ct_id ORDER BY ct_id) FROM t.held WHERE node = 'first')
	 = (SELECT array_agg(ct_id ORDER BY ct_id) FROM t.held WHERE node = 'second') AS same_profiles,
	   (SELECT count(*) FROM ct_campaign_queue q JOIN ct_campaign c USING (project_id, campaign_id)
		 WHERE c.journey_id = :control AND q.ct_id IN (SELECT ct_id FROM t.held)) AS held_queued,
	   (SELECT count(*) FROM ct_campaign_queue q JOIN ct_campaign c USING (project_id, campaign_id)
		 WHERE c.journey_id = :control) + (SELECT count(*) FROM t.held) AS queued_and_held,
	   (SELECT count(*) FROM ct_event e WHERE e.project_id = 'TEST-J' AND e.event_name = 'System Control Group'
		   AND (e.props ->> 'Campaign id')::bigint IN (SELECT campaign_id FROM ct_campaign WHERE journey_id = :control)
		   AND e.ct_id IN (SELECT ct_id FROM t.held)) = (SELECT count(*) FROM t.held) AS events_recorded,
	   (SELECT sum(control_group) FROM ct_campaign_results r JOIN ct_campaign c USING (project_id, campaign_id)
		 WHERE c.journey_id = :control) = (SELECT count(*) FROM t.held) AS in_campaign_results;
SELECT DISTINCT e.props ->> 'Campaign type' AS campaign_type, e.props ->> 'CT Source' AS source
  FROM ct_event e JOIN t.held h USING (ct_id) WHERE e.project_id = 'TEST-J' AND e.event_name = 'System Control Group' ORDER BY 1;

-- Re-entry: once (the default, Carl above), after an interval since the
-- last entry, always; never while in the journey.
SELECT ct_create_journey('TEST-J', 'Again ' || r, jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :cart, 'next', 'out'), '{"id": "out", "type": "exit"}'::jsonb),
	reentry => r, reentry_after => CASE WHEN r = 'after' THEN interval '1 day' END) > 0 AS created
  FROM unnest(ARRAY['after', 'always']) r;
SELECT ct_start_journey(journey_id, as_of => '2025-03-10 00:00+00') FROM ct_journey WHERE name LIKE 'Again %';
SELECT r AS reentry, ra AS reentry_after, t.jerr(format('SELECT ctaudience.ct_create_journey(%L, %L, %L::jsonb, reentry => %L, reentry_after => %L)',
	'TEST-J', 'refused', jsonb_build_array(jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', :cart, 'next', 'out'),
											'{"id": "out", "type": "exit"}'::jsonb), r, ra)) AS error
  FROM (VALUES ('after', NULL), ('after', '-1 day'), ('always', '1 day'), ('sometimes', NULL),
			   ('after', '300000 years'), ('after', '1 mon -29 days')) AS v(r, ra);
CREATE FUNCTION t.again(ts timestamptz, action text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.imp(t.msg((2900 + (extract(epoch FROM ts)::bigint / 60) % 1000)::int, t.at(ts), jsonb_build_array(
		t.u('2840', jsonb_build_array(t.id('customer', 'nia')), jsonb_build_array(t.aud(57001, 'Cart Drop off', action)))), 'TEST-J'))
$$;
CREATE VIEW t.again_steps AS
SELECT j.name, count(*) FILTER (WHERE s.outcome = 'entered') AS entered, count(*) FILTER (WHERE s.outcome = 'completed') AS completed
  FROM ct_journey j LEFT JOIN ct_journey_step s USING (project_id, journey_id)
 WHERE j.name LIKE 'Again %' AND (s.ct_id IS NULL OR s.ct_id = t.jc('nia')) GROUP BY j.name ORDER BY j.name;
-- Nia is added at 10:00 and goes through both; removed and added again at
-- 12:00 she enters "always" again, not "after" (a day has not passed)
SELECT t.again('2025-03-10 10:00+00', 'add');
SELECT ct_advance_journeys(100, as_of => '2025-03-10 10:05+00') > 0 AS moved;
SELECT t.again('2025-03-10 11:00+00', 'delete');
SELECT t.again('2025-03-10 12:00+00', 'add');
SELECT * FROM t.again_steps;
SELECT ct_advance_journeys(100, as_of => '2025-03-10 12:05+00') > 0 AS moved;
-- the next day, 10:00 and after: both let her in again; while she is in
-- them (before the clock ran), a second addition enters her in neither.
-- With a second unique index on the state's key (as REINDEX CONCURRENTLY's
-- copy while it is built) the import still does it, raising no 23505.
CREATE UNIQUE INDEX ct_journey_state_key_copy ON ct_journey_state (project_id, ct_id, journey_id);
SELECT t.again('2025-03-11 09:00+00', 'delete');
SELECT t.again('2025-03-11 10:30+00', 'add');
SELECT t.again('2025-03-11 10:40+00', 'delete');
SELECT t.again('2025-03-11 10:50+00', 'add');
SELECT * FROM t.again_steps;
SELECT ct_advance_journeys(100, as_of => '2025-03-11 11:00+00') > 0 AS moved;
SELECT * FROM t.again_steps;
DROP INDEX ct_journey_state_key_copy;
-- A profile the import creates is in no journey, so its entries are
-- written without the speculative insertion; a state row there all the
-- same (left behind by a profile deleted by hand, here under the Partner
-- ID the import gives the new profile) sends them the checked way: no
-- 23505, the re-entry policy applies ("always" lets it in again, the
-- others, which it never entered, let it in).
INSERT INTO ct_journey_state (project_id, journey_id, ct_id, node, entered_at, node_at, exited_at, exit_reason)
SELECT 'TEST-J', journey_id, 'ct-left-behind', 'out', '2025-03-01 00:00+00', '2025-03-01 00:00+00', '2025-03-01 00:00+00', 'completed'
  FROM ct_journey WHERE name = 'Again always';
SELECT t.imp(t.msg(3990, t.at('2025-03-12 10:00+00'), jsonb_build_array(
	t.u('2990', jsonb_build_array(t.id('customer', 'olaf')), jsonb_build_array(t.aud(57001, 'Cart Drop off')), 'ct-left-behind')), 'TEST-J'));
SELECT j.name, x.entered_at, x.exited_at, count(*) FILTER (WHERE s.outcome = 'entered') AS entered_steps
  FROM ct_journey_state x JOIN ct_journey j USING (project_id, journey_id)
  LEFT JOIN ct_journey_step s ON s.project_id = x.project_id AND s.journey_id = x.journey_id AND s.ct_id = x.ct_id
 WHERE x.ct_id = 'ct-left-behind' GROUP BY 1, 2, 3 ORDER BY 1;
-- (out of the journeys again: the next test's clock would move it)
DELETE FROM ct_journey_state WHERE project_id = 'TEST-J' AND ct_id = 'ct-left-behind';


-- One project's failure stops no other's clock.  TEST-JX's journey was
-- made live by a restore's INSERT (row_security off: the check trigger
-- lets it through) before its campaigns came, so its send has no campaign
-- (23502 null campaign_id); TEST-JY's is sound.  The clock skips TEST-JX
-- with a WARNING (its batch rolled back: its profile stays due) and moves
-- TEST-JY's; TEST-JX's own clock still raises the error.
SELECT ct_register_project('TEST-JX', 'test-passcode-1', 'token-TEST-JX', 'eu1', 'Journeys, restored');
SELECT ct_register_project('TEST-JY', 'test-passcode-1', 'token-TEST-JY', 'eu1', 'Journeys, sound');
SET row_security = off;
INSERT INTO ct_journey (project_id, name, status, started_at, nodes)
VALUES ('TEST-JX', 'Restored, no campaign', 'live', '2025-01-01 00:00+00', '[{"id": "in", "type": "entry", "event": "Direct Done", "next": "mail"},
	{"id": "mail", "type": "send", "channel": "email", "next": "out"}, {"id": "out", "type": "exit"}]')
RETURNING journey_id AS broken \gset
RESET row_security;
SELECT ct_create_journey('TEST-JY', 'Sound', '[{"id": "in", "type": "entry", "event": "Direct Done", "next": "out"},
	{"id": "out", "type": "exit"}]') AS sound \gset
SELECT ct_start_journey(:sound, as_of => '2025-01-01 00:00+00') AS entered;
INSERT INTO ct_journey_state (project_id, journey_id, ct_id, node, entered_at, node_at, due_at)
VALUES ('TEST-JX', :broken, 'ct-jx', 'mail', '2025-01-01 10:00+00', '2025-01-01 10:00+00', '2025-01-01 10:00+00'),
	   ('TEST-JY', :sound, 'ct-jy', 'out', '2025-01-01 11:00+00', '2025-01-01 11:00+00', '2025-01-01 11:00+00');
SELECT ct_advance_journeys(100, as_of => '2025-01-02 00:00+00') AS moved;
SELECT project_id, node, due_at, exited_at, exit_reason FROM ct_journey_state
 WHERE project_id IN ('TEST-JX', 'TEST-JY') ORDER BY project_id;
SELECT project_id, node, outcome FROM ct_journey_step WHERE project_id IN ('TEST-JX', 'TEST-JY') ORDER BY step_id;
-- (its DETAIL names ids that vary)
\set VERBOSITY terse
SELECT ct_advance_project_journeys('TEST-JX', 100, as_of => '2025-01-02 00:00+00');
\set VERBOSITY default
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM ct_journey_state WHERE project_id IN ('TEST-JX', 'TEST-JY');
SELECT ct_stop_journey(id) FROM unnest(ARRAY[:broken, :sound]) id;

DROP OWNED BY ct_jr_reader, ct_jr_team_k, ct_jr_nobody;
DROP ROLE ct_jr_reader, ct_jr_team_k, ct_jr_nobody;
