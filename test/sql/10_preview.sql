-- ct_preview_import: the dry run.  One row per (user, audience) with the
-- resolution and the change the import would make; it writes nothing, and
-- the real import then does exactly what it said.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- state before: an existing member, a removed one, a newer statement, a disconnected audience
SELECT t.imp(t.msg(1000, 1716000000000, jsonb_build_array(
	t.u('3001', jsonb_build_array(t.id('customer', 'pv-1'), t.id('email', 'pv1@example.com')), jsonb_build_array(t.aud(50001, 'Preview A'))),
	t.u('3002', jsonb_build_array(t.id('customer', 'pv-2')), jsonb_build_array(t.aud(50001, 'Preview A', 'delete'))),
	t.u('3003', jsonb_build_array(t.id('customer', 'pv-3')), jsonb_build_array(t.aud(50001, 'Preview A'))),
	t.u('3004', jsonb_build_array(t.id('customer', 'pv-4')), jsonb_build_array(t.aud(50003, 'Preview gone'))))));
SELECT t.imp(t.msg(1001, 1716000100000, jsonb_build_array(
	t.u('3003', jsonb_build_array(t.id('customer', 'pv-3')), jsonb_build_array(t.aud(50001, 'Preview A', 'delete'))))));
SELECT ct_firehose(t.sub(100, 1716000000500, 50003, 'Preview gone', 'remove')) -> 'ctaudience' ->> 'status' AS preview_gone;

-- the message to preview (timestamp between the two above)
SELECT t.msg(1002, 1716000050000, jsonb_build_array(
	t.u('3001', jsonb_build_array(t.id('customer', 'pv-1'), t.id('email', 'bad@@x')), jsonb_build_array(t.aud(50001, 'Preview A'), t.aud(50002, 'Preview new', 'delete'))),
	t.u('3002', jsonb_build_array(t.id('customer', 'pv-2')), jsonb_build_array(t.aud(50001, 'Preview A'))),
	t.u('3003', jsonb_build_array(t.id('customer', 'pv-3')), jsonb_build_array(t.aud(50001, 'Preview A'))),
	t.u('3005', jsonb_build_array(t.id('customer', 'pv-5'), t.id('mobile_number', '(212) 555-0144')), jsonb_build_array(t.aud(50001, 'Preview A'), t.aud(50001, 'Preview A', 'delete'), t.aud(50001, 'Preview A'))),
	t.u('3006', NULL, jsonb_build_array(t.aud(50001, 'Preview A'))),
	t.u('3007', jsonb_build_array(t.id('email', '0f343b0931126a20f133d67c2b018a3b', 'md5')), jsonb_build_array(t.aud(50001, 'Preview A'))),
	t.u('3004', jsonb_build_array(t.id('customer', 'pv-4')), jsonb_build_array(t.aud(50003, 'Preview gone', 'delete'))),
	t.u('3008', jsonb_build_array(t.id('customer', 'pv-8')), jsonb_build_array(
		t.aud(50001, 'Preview A', 'attribute_update') || jsonb_build_object('user_attributes', jsonb_build_array(
			jsonb_build_object('key', 'k', 'value', repeat('v', 600), 'action', 'upsert'))))),
	t.u('3009', NULL, jsonb_build_array(t.aud(50001, 'Preview A')), 'ct-preview-9'))) AS m \gset

CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM ct_profile) AS profiles, (SELECT count(*) FROM ct_segment) AS segments,
	   (SELECT count(*) FROM ct_segment_member) AS members, (SELECT count(*) FROM ct_event) AS events,
	   (SELECT count(*) FROM ct_message) AS messages, (SELECT count(*) FROM ct_import_sample) AS samples,
	   (SELECT max(updated_at) FROM ct_profile) AS last_update;

SELECT profile, mpid, audience_index AS aud, audience_id, action, rule, key, ct_id IS NOT NULL AS existing,
	   creates_profile, email, phone, change, problem
  FROM ct_preview_import(:'m') ORDER BY profile, audience_index;

-- it wrote nothing
SELECT (SELECT count(*) FROM ct_profile) = profiles AS same_profiles, (SELECT count(*) FROM ct_segment) = segments AS same_segments,
	   (SELECT count(*) FROM ct_segment_member) = members AS same_members, (SELECT count(*) FROM ct_event) = events AS same_events,
	   (SELECT count(*) FROM ct_message) = messages AS same_messages, (SELECT count(*) FROM ct_import_sample) = samples AS same_samples,
	   (SELECT max(updated_at) FROM ct_profile) = last_update AS no_profile_updated
  FROM before;
-- and it is read-only by declaration too
SELECT provolatile FROM pg_proc WHERE proname = 'ct_preview_import';

-- the import then does what the preview said
CREATE TEMP TABLE preview AS SELECT * FROM ct_preview_import(:'m');
SELECT ct_import_audience(:'m') -> 'ctaudience' AS c \gset
SELECT (SELECT count(*) FROM preview WHERE change = 'add') = (:'c'::jsonb ->> 'added')::int AS adds_match,
	   (SELECT count(*) FROM preview WHERE change = 'remove') = (:'c'::jsonb ->> 'removed')::int AS removes_match,
	   (SELECT count(*) FROM preview WHERE change = 'stale') = (:'c'::jsonb ->> 'stale')::int AS stale_match,
	   (SELECT count(*) FROM preview WHERE change = 'refused') = (:'c'::jsonb ->> 'refused')::int AS refused_match,
	   (SELECT count(DISTINCT profile) FROM preview WHERE change = 'anonymous') = (:'c'::jsonb ->> 'anonymous')::int AS anonymous_match,
	   (SELECT count(DISTINCT coalesce(ct_id, key)) FROM preview WHERE creates_profile) = (:'c'::jsonb ->> 'created_profiles')::int AS creates_match,
	   (SELECT count(*) FROM preview WHERE change = 'none' AND action IN ('add', 'delete')) = (:'c'::jsonb ->> 'unchanged')::int AS unchanged_match;
SELECT t.counts(jsonb_build_object('ctaudience', :'c'::jsonb)) AS import_counts;
-- previewing the same message again: a redelivery changes nothing
SELECT DISTINCT change, problem FROM ct_preview_import(:'m');
-- a malformed message fails the same way as the import
SELECT * FROM ct_preview_import(t.msg(1003, 1, '[{"audiences": [{"audience_id": 1, "audience_name": "A", "action": "move"}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
