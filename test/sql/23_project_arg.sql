-- ct_import_audience(project_id, request) and ct_firehose(project_id,
-- request): a message of that project is answered as without the argument;
-- one of another account is refused as a wrong passcode is, and writes
-- nothing.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT t.counts(ct_import_audience('TEST-1', t.msg(2301, 1718000000000, jsonb_build_array(
	t.u('2301', jsonb_build_array(t.id('customer', 'pa-1')), jsonb_build_array(t.aud(52301, 'Project argument')))))::text));
-- redelivered: the same answer
SELECT t.counts(ct_import_audience('TEST-1', t.msg(2301, 1718000000000, jsonb_build_array(
	t.u('2301', jsonb_build_array(t.id('customer', 'pa-1')), jsonb_build_array(t.aud(52301, 'Project argument')))))::text));
-- another project's message: the answer of a wrong passcode, nothing written
SELECT ct_import_audience('TEST-2', t.msg(2302, 1718000001000, jsonb_build_array(
	t.u('2302', jsonb_build_array(t.id('customer', 'pa-2')), jsonb_build_array(t.aud(52301, 'Project argument')))))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience('TEST-1', replace(t.msg(2303, 1718000002000, NULL)::text, 'test-passcode-1', 'wrong-passcode'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS written FROM ct_profile WHERE identity = 'pa-2';
SELECT count(*) AS logged FROM ct_message WHERE message_id = '00000000-0000-4000-8000-000000002302';
-- a message that fails to parse fails as before (the jsonb reader's error)
SELECT ct_import_audience('TEST-1', '{"type": "audience_membership_change_request"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- ct_firehose: membership, subscription and erasure are checked; a
-- registration names no project and is answered
SELECT t.counts(ct_firehose('TEST-1', t.msg(2304, 1718000003000, jsonb_build_array(
	t.u('2304', jsonb_build_array(t.id('customer', 'pa-4')), jsonb_build_array(t.aud(52301, 'Project argument')))))::text));
SELECT ct_firehose('TEST-2', ((t.msg(2305, 1718000004000, NULL) - 'user_profiles') || jsonb_build_object(
	'type', 'dsr_processing_request', 'subject_request_type', 'erasure',
	'subject_identities', '{"customer_id": {"encoding": "raw", "value": "pa-4"}}'::jsonb))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS still_there FROM ct_profile WHERE project_id = 'TEST-1' AND identity = 'pa-4';
SELECT ct_firehose('TEST-2', ((t.msg(2306, 1718000005000, NULL) - 'user_profiles') || jsonb_build_object(
	'type', 'audience_subscription_request', 'audience_id', 52301, 'audience_name', 'Renamed', 'action', 'update'))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose('TEST-1', '{"type": "module_registration_request", "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "timestamp_ms": 1718000006000}') ->> 'type' AS answered;
-- NULLs
SELECT ct_import_audience(NULL::text, '{}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose('TEST-1', NULL::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- where a receiver sends a project's messages: on one node, nowhere but here
SELECT node_host IS NULL AND node_port IS NULL AS here FROM ct_project_node('TEST-1');
SELECT * FROM ct_project_node(NULL);
