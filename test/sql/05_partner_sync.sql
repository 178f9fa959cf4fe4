-- Partner Sync events: exactly one per real change, with the five
-- properties of the seed and the message time as ts.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT t.imp(t.msg(300, 1714800000000, jsonb_build_array(
	t.u('7001', jsonb_build_array(t.id('customer', 'ps-1')), jsonb_build_array(t.aud(47500, 'Cart Drop off'))))));
SELECT t.imp(t.msg(301, 1714800060000, jsonb_build_array(
	t.u('7001', jsonb_build_array(t.id('customer', 'ps-1')), jsonb_build_array(t.aud(47500, 'Cart Drop off', 'delete'))))));
-- unchanged, stale and duplicate deliveries raise nothing
SELECT t.imp(t.msg(302, 1714800070000, jsonb_build_array(
	t.u('7001', jsonb_build_array(t.id('customer', 'ps-1')), jsonb_build_array(t.aud(47500, 'Cart Drop off', 'delete'))))));
SELECT t.imp(t.msg(303, 1714800030000, jsonb_build_array(
	t.u('7001', jsonb_build_array(t.id('customer', 'ps-1')), jsonb_build_array(t.aud(47500, 'Cart Drop off'))))));
SELECT t.imp(t.msg(301, 1714800060000, '[]'));

-- the events, with their exact properties and times (UTC)
SET TIME ZONE 'UTC';
SELECT e.event_name, e.ts, e.props, jsonb_typeof(e.props -> 'Partner Segment ID') AS id_type,
	   (SELECT count(*) FROM jsonb_object_keys(e.props)) AS property_count
  FROM ct_event e JOIN ct_profile p USING (project_id, ct_id)
 WHERE p.identity = 'ps-1' ORDER BY e.ts;
RESET TIME ZONE;

-- the trigger refuses to run any other way
SELECT ct_partner_sync_trigger();
CREATE TABLE t.other (is_member bool);
CREATE TRIGGER wrong AFTER INSERT ON t.other FOR EACH ROW EXECUTE FUNCTION ct_partner_sync_trigger();
INSERT INTO t.other VALUES (true);
DROP TABLE t.other;

-- The triggers derive rows only inside the extension's own writes (imports,
-- erasures): rows written any other way -- by hand, or by a restore of a
-- dump that holds the derived rows already -- raise no event, no statistics,
-- no usage and no NOTIFY.
CREATE TEMP TABLE derived_before AS
SELECT (SELECT count(*) FROM ct_event) AS events, (SELECT count(*) FROM ct_segment_delta) AS deltas,
	   (SELECT count(*) FROM ct_usage_delta) AS usage;
LISTEN ct_partner_sync;
UPDATE ct_segment_member m SET is_member = true, stated_at = '2024-05-05 00:00:00+00'
  FROM ct_profile p WHERE p.project_id = m.project_id AND p.ct_id = m.ct_id AND p.identity = 'ps-1';
UPDATE ct_profile SET email = 'direct@example.com' WHERE identity = 'ps-1';
INSERT INTO ct_segment_member (project_id, segment_id, ct_id, is_member, stated_at)
SELECT project_id, segment_id, 'direct-ct-id', true, now() FROM ct_segment WHERE partner_segment_id = 47500;
SELECT (SELECT count(*) FROM ct_event) - events AS new_events, (SELECT count(*) FROM ct_segment_delta) - deltas AS new_deltas,
	   (SELECT count(*) FROM ct_usage_delta) - usage AS new_usage
  FROM derived_before;
UNLISTEN ct_partner_sync;
SELECT who, action, segment, audience, ts FROM t.events WHERE who = 'ps-1' ORDER BY ts;
DELETE FROM ct_segment_member WHERE ct_id = 'direct-ct-id';

-- The import writes the memberships of profiles it creates straight into
-- the table and raises their events itself, unless ct_segment_member has a
-- trigger of someone else's or ours disabled: then it goes through SQL, so
-- both fire as they would for any INSERT.
CREATE TABLE t.seen (ct_id text);
CREATE FUNCTION t.seen_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO t.seen VALUES (NEW.ct_id); RETURN NULL; END $$;
CREATE TRIGGER user_trigger AFTER INSERT ON ct_segment_member FOR EACH ROW EXECUTE FUNCTION t.seen_row();
SELECT t.imp(t.msg(304, 1714800080000, jsonb_build_array(
	t.u('7004', jsonb_build_array(t.id('customer', 'ps-4')), jsonb_build_array(t.aud(47500, 'Cart Drop off'), t.aud(47501, 'Other'))))));
SELECT (SELECT count(*) FROM t.seen s JOIN ct_profile p USING (ct_id) WHERE p.identity = 'ps-4') AS user_trigger_rows,
	   (SELECT count(*) FROM t.events WHERE who = 'ps-4') AS events;
DROP TRIGGER user_trigger ON ct_segment_member;
ALTER TABLE ct_segment_member DISABLE TRIGGER ct_partner_sync_insert;
SELECT t.imp(t.msg(305, 1714800090000, jsonb_build_array(
	t.u('7005', jsonb_build_array(t.id('customer', 'ps-5')), jsonb_build_array(t.aud(47500, 'Cart Drop off'))))));
SELECT (SELECT count(*) FROM ct_segment_member m JOIN ct_profile p USING (project_id, ct_id) WHERE p.identity = 'ps-5') AS members,
	   (SELECT count(*) FROM t.events WHERE who = 'ps-5') AS events_with_trigger_disabled;
ALTER TABLE ct_segment_member ENABLE TRIGGER ct_partner_sync_insert;
-- and with nothing in the way, the direct path raises the same events
SELECT t.imp(t.msg(306, 1714800100000, jsonb_build_array(
	t.u('7006', jsonb_build_array(t.id('customer', 'ps-6')), jsonb_build_array(t.aud(47500, 'Cart Drop off'), t.aud(47501, 'Other', 'delete'))))));
SELECT action, segment, audience FROM t.events WHERE who = 'ps-6' ORDER BY audience;
SELECT s.partner_segment_id, m.is_member FROM ct_segment_member m JOIN ct_profile p USING (project_id, ct_id)
  JOIN ct_segment s USING (project_id, segment_id) WHERE p.identity = 'ps-6' ORDER BY 1;
DROP TABLE t.seen;
DROP FUNCTION t.seen_row();
