-- What held under a hostile test, kept as tests: a message for one project
-- cannot touch another's rows, whatever the ids they share; a caller's
-- search_path cannot put its own functions or operators under the
-- extension's (every SECURITY DEFINER function pins it).
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- two projects with the same Customer IDs, audience ids and mpids
SELECT ct_register_project('WALL-A', 'wall-passcode-a', 'token-A');
SELECT ct_register_project('WALL-B', 'wall-passcode-b', 'token-B');
CREATE FUNCTION t.wmsg(project text, n int, action text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('type', 'audience_membership_change_request',
		'id', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'), 'timestamp_ms', 1716700000000 + n,
		'account', jsonb_build_object('account_settings', jsonb_build_object('accountId', project,
			'passcode', CASE project WHEN 'WALL-A' THEN 'wall-passcode-a' ELSE 'wall-passcode-b' END,
			'accountToken', CASE project WHEN 'WALL-A' THEN 'token-A' ELSE 'token-B' END, 'region', 'eu1')),
		'user_profiles', jsonb_build_array(t.u('4242', jsonb_build_array(t.id('customer', 'shared-1'), t.id('email', 'same@example.com')),
			jsonb_build_array(t.aud(20001, 'Same audience', action)))))
$$;
SELECT t.imp(t.wmsg('WALL-B', 2001, 'add'));
CREATE TEMP TABLE wall_b AS
SELECT (SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ct_profile x WHERE project_id = 'WALL-B') AS profiles,
	   (SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ct_segment_member x WHERE project_id = 'WALL-B') AS members,
	   (SELECT count(*) FROM ct_event WHERE project_id = 'WALL-B') AS events,
	   (SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ct_segment_delta x WHERE project_id = 'WALL-B') AS deltas;
-- project A: the same ids, added, removed, erased; the same message id too
SELECT t.imp(t.wmsg('WALL-A', 2002, 'add'));
SELECT t.imp(t.wmsg('WALL-A', 2003, 'delete'));
SELECT t.imp(t.wmsg('WALL-A', 2001, 'add'));
SELECT ct_firehose(jsonb_build_object('type', 'dsr_processing_request', 'id', '00000000-0000-4000-8000-000000002004',
	'timestamp_ms', 1716700009000, 'account', t.wmsg('WALL-A', 0, 'add') -> 'account', 'subject_request_type', 'erasure',
	'subject_identities', '{"email": {"encoding": "raw", "value": "same@example.com"}, "customer_id": {"encoding": "raw", "value": "shared-1"}, "mpid": {"encoding": "raw", "value": "4242"}}'::jsonb)) -> 'ctaudience' AS erased_in_a;
-- a message naming project B with project A's passcode touches nothing
SELECT ct_import_audience(jsonb_set(t.wmsg('WALL-B', 2005, 'delete'), '{account,account_settings,passcode}', '"wall-passcode-a"'));
SELECT (SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ct_profile x WHERE project_id = 'WALL-B') = profiles AS b_profiles_same,
	   (SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ct_segment_member x WHERE project_id = 'WALL-B') = members AS b_members_same,
	   (SELECT count(*) FROM ct_event WHERE project_id = 'WALL-B') = events AS b_events_same,
	   (SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ct_segment_delta x WHERE project_id = 'WALL-B') = deltas AS b_deltas_same
  FROM wall_b;

-- A caller's search_path puts its own text equality (always false, and
-- loud) and its own 3-argument jsonb_set (the extension's statements use
-- both) before pg_catalog's; the extension's functions, in a fresh session
-- whose plans are made under that search_path, use neither.  (The messages
-- are built first: the test's own helpers would use them.)
SELECT t.wmsg('WALL-A', 2006, 'add') AS m1, t.wmsg('WALL-A', 2007, 'delete')::text AS m2 \gset
CREATE SCHEMA evil;
CREATE FUNCTION evil.texteq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'evil = called'; RETURN false; END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq);
CREATE FUNCTION evil.jsonb_set(a jsonb, p text[], v jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN RAISE NOTICE 'evil jsonb_set called'; RETURN '{}'; END $$;
CREATE TABLE evil.ct_profile (project_id text, ct_id text);
GRANT USAGE ON SCHEMA evil TO PUBLIC;
\c
SET search_path = evil, pg_catalog, ctaudience;
SELECT ctaudience.ct_import_audience(:'m1'::jsonb) -> 'ctaudience' -> 'added' AS added;
SELECT ctaudience.ct_import_audience(:'m2') -> 'ctaudience' -> 'removed' AS removed;
SELECT ctaudience.ct_import_audience(:'m2') -> 'ctaudience' -> 'duplicate_message' AS redelivered;
RESET search_path;
SELECT count(*) AS evil_rows FROM evil.ct_profile;
DROP SCHEMA evil CASCADE;
SET search_path = ctaudience, t, public;
SELECT is_member FROM ct_segment_member m JOIN ct_profile p USING (project_id, ct_id)
 WHERE p.project_id = 'WALL-A' AND p.identity = 'shared-1';
