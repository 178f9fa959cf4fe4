-- Membership per segment: add, delete, repeats, stale and out-of-order
-- deliveries, last entry wins, redelivery, rename, several audiences.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- two audiences for one profile: both segments are created, both memberships added
SELECT t.imp(t.msg(200, 1714700000000, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off'), t.aud(47445, 'Big spenders'))),
	t.u('8002', jsonb_build_array(t.id('customer', 'm-2')), jsonb_build_array(t.aud(47444, 'Cart Drop off'))))));
SELECT partner_segment_id, name, type, partner_name, status FROM ct_segment
 WHERE project_id = 'TEST-1' AND partner_segment_id >= 47444 ORDER BY 1;
SELECT audience, who, is_member, stated_at FROM t.members WHERE audience >= 47444 ORDER BY 1, 2;

-- repeated add: unchanged, no event, but the statement time moves on
SELECT t.imp(t.msg(201, 1714700001000, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off'))))));
SELECT audience, who, is_member, stated_at FROM t.members WHERE audience = 47444 AND who = 'm-1';

-- delete of a member: removed
SELECT t.imp(t.msg(202, 1714700002000, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off', 'delete'))))));
-- delete of a non-member: unchanged, no event; a user never seen leaves a non-member row
SELECT t.imp(t.msg(203, 1714700003000, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off', 'delete'))),
	t.u('8003', jsonb_build_array(t.id('customer', 'm-3')), jsonb_build_array(t.aud(47444, 'Cart Drop off', 'delete'))))));
SELECT audience, who, is_member, stated_at FROM t.members WHERE audience = 47444 ORDER BY who;

-- a stale statement (older than the stored one) is ignored and counted
SELECT t.imp(t.msg(204, 1714700001500, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off'))),
	t.u('8003', jsonb_build_array(t.id('customer', 'm-3')), jsonb_build_array(t.aud(47444, 'Cart Drop off'))))));
SELECT audience, who, is_member, stated_at FROM t.members WHERE audience = 47444 AND who IN ('m-1', 'm-3') ORDER BY who;
-- an out-of-order delivery newer than the stored statement applies
SELECT t.imp(t.msg(205, 1714700005000, jsonb_build_array(
	t.u('8003', jsonb_build_array(t.id('customer', 'm-3')), jsonb_build_array(t.aud(47444, 'Cart Drop off'))))));

-- within one message the last entry for a (segment, profile) wins
SELECT t.imp(t.msg(206, 1714700006000, jsonb_build_array(
	t.u('8002', jsonb_build_array(t.id('customer', 'm-2')), jsonb_build_array(
		t.aud(47445, 'Big spenders'), t.aud(47445, 'Big spenders', 'delete'), t.aud(47445, 'Big spenders'))),
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47445, 'Big spenders', 'delete'))),
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47445, 'Big spenders'))))));
SELECT audience, who, is_member FROM t.members WHERE audience = 47445 ORDER BY who;

-- redelivery of a processed message id: no effect, the same response, marked duplicate
SELECT t.imp(t.msg(202, 1714700002000, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off', 'delete'))))));
SELECT (SELECT response FROM ct_message WHERE message_id = '00000000-0000-4000-8000-000000000202') ->> 'timestamp_ms'
	 = (ct_import_audience(t.msg(202, 1, '[]')) ->> 'timestamp_ms') AS same_timestamp;
SELECT count(*) AS partner_sync_events_of_m1 FROM t.events WHERE who = 'm-1';

-- rename: a new name for the same audience id renames the segment
SELECT t.imp(t.msg(207, 1714700007000, jsonb_build_array(
	t.u('8002', jsonb_build_array(t.id('customer', 'm-2')), jsonb_build_array(t.aud(47444, 'Cart Drop-off (7 days)'))))));
SELECT partner_segment_id, name, segment_id = (SELECT min(segment_id) FROM ct_segment WHERE partner_segment_id = 47444) AS same_segment
  FROM ct_segment WHERE partner_segment_id = 47444;
-- an older message with the old name does not rename it back
SELECT t.imp(t.msg(208, 1714700000500, jsonb_build_array(
	t.u('8009', jsonb_build_array(t.id('customer', 'm-9')), jsonb_build_array(t.aud(47444, 'Cart Drop off'))))));
SELECT name FROM ct_segment WHERE partner_segment_id = 47444;

-- projects are kept apart: the same audience id and customer id elsewhere is another segment and profile
SELECT t.imp(jsonb_set(t.msg(209, 1714700009000, jsonb_build_array(
	t.u('8001', jsonb_build_array(t.id('customer', 'm-1')), jsonb_build_array(t.aud(47444, 'Cart Drop off')))),
	'TEST-2'), '{account,account_settings,region}', '"in1"'));
SELECT project_id, partner_segment_id, name FROM ct_segment WHERE partner_segment_id = 47444 ORDER BY 1;
SELECT project_id, who, is_member FROM t.members WHERE audience = 47444 AND who = 'm-1' ORDER BY 1;

-- the segments list
SELECT project_id, name, type, partner_segment_id, status, members FROM ct_segments
 WHERE partner_segment_id >= 47444 ORDER BY 1, 4;

-- the processed-message log
SELECT message_id, message_type, message_ts, counts ->> 'added' AS added, duration >= '0' AS timed
  FROM ct_message WHERE message_id BETWEEN '00000000-0000-4000-8000-000000000200' AND '00000000-0000-4000-8000-000000000209'
 ORDER BY message_id;
