-- The whole mParticle conversation through ct_firehose(): module
-- registration, audience subscription (add, update, remove), membership
-- changes, data subject erasure, legacy messages, unknown types.  Every
-- response is checked against mParticle's own schema twice: by the SQL
-- checker t.conforms() and by mParticle's validate.py.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- load mParticle's schemas (by file name, and every embedded urn id)
\set schemas `test/firehose-schemas.sh`
INSERT INTO t.schemas SELECT 'file:' || (f ->> 'name'), f -> 'body' FROM jsonb_array_elements(:'schemas'::jsonb) f;
INSERT INTO t.schemas
SELECT DISTINCT ON (o ->> 'id') o ->> 'id', o
  FROM t.schemas s, jsonb_path_query(s.body, 'strict $.** ? (@.id starts with "urn:")') o
 WHERE s.urn LIKE 'file:%'
ON CONFLICT DO NOTHING;
SELECT count(*) > 0 AS schemas_loaded FROM t.schemas;
-- the checker can fail
SELECT t.conforms('{"type": "audience_membership_change_response", "timestamp_ms": 1.5}', 'AudienceMembershipChangeResponse') AS broken;

CREATE FUNCTION t.account(project text DEFAULT 'TEST-1') RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('account_id', 1, 'account_settings', jsonb_build_object(
		'accountId', project, 'passcode', 'test-passcode-1', 'accountToken', 'token-' || project, 'region', 'eu1'))
$$;
CREATE FUNCTION t.sub(n int, ts_ms bigint, audience bigint, name text, action text, settings jsonb DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'type', 'audience_subscription_request',
		'id', '00000000-0000-4000-9000-' || lpad(n::text, 12, '0'),
		'timestamp_ms', ts_ms, 'firehose_version', '3.2.0', 'account', t.account(),
		'audience_id', audience, 'audience_name', name, 'action', action,
		'audience_subscription_settings', settings))
$$;

-- module registration
SELECT ct_firehose('{"type": "module_registration_request", "id": "438b0f74-8656-4f87-93c7-c9f9ac8a5544", "timestamp_ms": 1714592744067, "firehose_version": "3.2.0"}') AS reg \gset
SELECT t.conforms(:'reg', 'ModuleRegistrationResponse') AS registration_conforms;
SELECT :'reg'::jsonb ->> 'type' AS type, :'reg'::jsonb ->> 'id' AS id, :'reg'::jsonb ->> 'name' AS name;
SELECT jsonb_pretty(:'reg'::jsonb -> 'permissions') AS permissions;
SELECT s ->> 'id' AS id, s ->> 'name' AS name, s ->> 'confidential' AS confidential, s ->> 'required' AS required
  FROM jsonb_array_elements(:'reg'::jsonb -> 'audience_processing_registration' -> 'account_settings') s;
SELECT s ->> 'id' AS id, s ->> 'default_value' AS default_value
  FROM jsonb_array_elements(:'reg'::jsonb -> 'audience_processing_registration' -> 'audience_subscription_settings') s;
\pset tuples_only on
\pset format unaligned
SELECT :'reg' \g results/firehose_registration.json
\! test/firehose-validate.sh ModuleRegistrationResponse results/firehose_registration.json
\pset tuples_only off
\pset format aligned

-- subscription add: creates the segment
SELECT ct_firehose(t.sub(1, 1715000000000, 49001, 'Loyal users', 'add')) AS r \gset
SELECT t.conforms(:'r', 'AudienceSubscriptionResponse') AS conforms, (:'r'::jsonb -> 'ctaudience') - 'segment_id' AS ctaudience;
\pset tuples_only on
\pset format unaligned
SELECT :'r' \g results/firehose_subscription.json
\! test/firehose-validate.sh AudienceSubscriptionResponse results/firehose_subscription.json
\pset tuples_only off
\pset format aligned
SELECT partner_segment_id, name, status, user_id_field FROM ct_segment WHERE partner_segment_id = 49001;

-- update: renames and stores settings, including the User ID of rule 2
SELECT (ct_firehose(t.sub(2, 1715000001000, 49001, 'Loyal users (90 days)', 'update', '{"userIdField": "other3", "note": "x"}')) -> 'ctaudience') - 'segment_id' AS updated;
SELECT partner_segment_id, name, status, user_id_field, settings FROM ct_segment WHERE partner_segment_id = 49001;
-- membership messages of that audience now match users by other3
SELECT t.imp(t.msg(900, 1715000002000, jsonb_build_array(
	t.u('4001', jsonb_build_array(t.id('customer', 'sub-c1'), t.id('other3', 'sub-o3')), jsonb_build_array(t.aud(49001, 'Loyal users (90 days)'))))));
SELECT identity FROM ct_profile WHERE mparticle_id = '4001';
-- an older subscription message changes nothing
SELECT ct_firehose(t.sub(3, 1714000000000, 49001, 'Old name', 'update', '{"userIdField": "customer"}')) -> 'ctaudience' ->> 'status' AS status_after_old_update;
SELECT name, user_id_field FROM ct_segment WHERE partner_segment_id = 49001;

-- remove: disconnected; members kept; membership changes refused and counted
SELECT ct_firehose(t.sub(4, 1715000003000, 49001, 'Loyal users (90 days)', 'remove')) -> 'ctaudience' ->> 'status' AS status;
SELECT t.imp(t.msg(901, 1715000004000, jsonb_build_array(
	t.u('4001', jsonb_build_array(t.id('other3', 'sub-o3')), jsonb_build_array(t.aud(49001, 'Loyal users (90 days)', 'delete'))),
	t.u('4002', jsonb_build_array(t.id('other3', 'sub-o4')), jsonb_build_array(t.aud(49001, 'Loyal users (90 days)'))))));
SELECT name, status, members FROM ct_segments WHERE partner_segment_id = 49001;
-- a change sent before the remove and delivered after it (a late delivery;
-- in queue mode, a membership the inbox answers after the remove was
-- answered at once) is applied: the remove refuses what comes after it.
-- One of the remove's very time is refused (a removal wins a tie).
SELECT t.imp(t.msg(9904, 1715000002500, jsonb_build_array(
	t.u('4005', jsonb_build_array(t.id('other3', 'sub-o5')), jsonb_build_array(t.aud(49001, 'Loyal users (90 days)')))))) AS sent_before_remove;
SELECT t.imp(t.msg(9905, 1715000003000, jsonb_build_array(
	t.u('4006', jsonb_build_array(t.id('other3', 'sub-o6')), jsonb_build_array(t.aud(49001, 'Loyal users (90 days)')))))) AS sent_with_remove;
SELECT p.mparticle_id, m.is_member FROM ct_segment_member m JOIN ct_profile p USING (project_id, ct_id)
  JOIN ct_segment s USING (project_id, segment_id)
 WHERE s.partner_segment_id = 49001 AND p.mparticle_id IN ('4005', '4006') ORDER BY 1;
SELECT name, status, members FROM ct_segments WHERE partner_segment_id = 49001;
-- add again: re-activated, changes apply again
SELECT ct_firehose(t.sub(5, 1715000005000, 49001, 'Loyal users (90 days)', 'add')) -> 'ctaudience' ->> 'status' AS status;
SELECT t.imp(t.msg(902, 1715000006000, jsonb_build_array(
	t.u('4001', jsonb_build_array(t.id('other3', 'sub-o3')), jsonb_build_array(t.aud(49001, 'Loyal users (90 days)', 'delete'))))));
-- redelivered subscription message: the same response, no change
SELECT (ct_firehose(t.sub(4, 1715000003000, 49001, 'Loyal users (90 days)', 'remove')) -> 'ctaudience' ->> 'status') AS replayed_status,
	   (SELECT status FROM ct_segment WHERE partner_segment_id = 49001) AS stored_status;
-- a remove for an audience never seen records it, disconnected
SELECT ct_firehose(t.sub(6, 1715000007000, 49002, 'Never added', 'remove')) -> 'ctaudience' ->> 'status' AS status;
-- bad subscription messages
SELECT ct_firehose(t.sub(7, 1715000007000, 49003, 'X', 'pause'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(t.sub(7, 1715000007000, 49003, 'X', 'add', '{"userIdField": "shoe"}'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(t.sub(7, 1715000007000, 49003, 'X', 'add') - 'audience_id');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(jsonb_set(t.sub(7, 1715000007000, 49003, 'X', 'add'), '{account,account_settings,passcode}', '"nope-nope-nope"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- membership changes through ct_firehose are the import itself
SELECT t.counts(ct_firehose(t.msg(903, 1715000008000, jsonb_build_array(
	t.u('4003', jsonb_build_array(t.id('customer', 'fh-1')), jsonb_build_array(t.aud(49004, 'Via firehose'))))))) AS counts;

-- legacy (pre-2.0) membership messages: added_audiences / removed_audiences
SELECT t.imp(t.msg(904, 1715000009000, jsonb_build_array(jsonb_build_object(
	'mpid', '4004',
	'user_identities', jsonb_build_array(t.id('customer', 'legacy-1')),
	'added_audiences', jsonb_build_array(jsonb_build_object('audience_id', 49005, 'audience_name', 'Legacy A'),
										 jsonb_build_object('audience_id', 49006, 'audience_name', 'Legacy B')),
	'removed_audiences', '[]'::jsonb))));
SELECT t.imp(t.msg(905, 1715000010000, jsonb_build_array(jsonb_build_object(
	'mpid', '4004',
	'user_identities', jsonb_build_array(t.id('customer', 'legacy-1')),
	'removed_audiences', jsonb_build_array(jsonb_build_object('audience_id', 49005, 'audience_name', 'Legacy A'))))));
SELECT audience, is_member FROM t.members WHERE who = 'legacy-1' ORDER BY 1;

-- data subject erasure: profiles found by email, Customer ID, mParticle ID or CleverTap ID
SELECT t.imp(t.msg(906, 1715000011000, jsonb_build_array(
	t.u('4010', jsonb_build_array(t.id('customer', 'erase-1'), t.id('email', 'Erase.Me@Example.com')), jsonb_build_array(t.aud(49007, 'Erasure'))),
	t.u('4011', jsonb_build_array(t.id('customer', 'erase-2')), jsonb_build_array(t.aud(49007, 'Erasure'))),
	t.u('4012', jsonb_build_array(t.id('email', 'erase3@example.com')), jsonb_build_array(t.aud(49007, 'Erasure'))),
	t.u('4013', NULL, jsonb_build_array(t.aud(49007, 'Erasure')), 'ct-erase-4'),
	t.u('4014', jsonb_build_array(t.id('customer', 'keep-1')), jsonb_build_array(t.aud(49007, 'Erasure'))),
	t.u('4015', jsonb_build_array(t.id('email', 'x@@bad')), jsonb_build_array(t.aud(49007, 'Erasure'))))));
CREATE TEMP TABLE erased_ids AS
SELECT ct_id FROM ct_profile WHERE identity IN ('erase-1', 'erase-2', '4012') OR ct_id = 'ct-erase-4';
SELECT count(*) AS profiles_to_erase FROM erased_ids;
SELECT ct_firehose(jsonb_build_object(
	'type', 'dsr_processing_request', 'id', '00000000-0000-4000-a000-000000000001',
	'timestamp_ms', 1715000012000, 'firehose_version', '3.2.0', 'account', t.account(),
	'subject_request_id', '1e2c8cf4-f985-4398-b482-a520860d3bf6', 'subject_request_type', 'erasure',
	'regulation', 'gdpr',
	'subject_identities', jsonb_build_object(
		'email', jsonb_build_object('encoding', 'raw', 'value', ' ERASE.me@example.com'),
		'controller_customer_id', jsonb_build_object('encoding', 'raw', 'value', 'erase-2'),
		'mpid', jsonb_build_object('encoding', 'raw', 'value', '4012'),
		'clevertap_user_id', jsonb_build_object('encoding', 'raw', 'value', 'ct-erase-4'),
		'android_advertising_id', jsonb_build_object('encoding', 'raw', 'value', '84aae47d-d376-4a35-bde5-c0ee5a808bd3')))) AS r \gset
SELECT t.conforms(:'r', 'DsrProcessingResponse') AS conforms, :'r'::jsonb -> 'ctaudience' AS ctaudience;
\pset tuples_only on
\pset format unaligned
SELECT :'r' \g results/firehose_dsr.json
\! test/firehose-validate.sh DsrProcessingResponse results/firehose_dsr.json
\pset tuples_only off
\pset format aligned
-- no trace of the subjects in profiles, memberships, events or import samples (left(),
-- not LIKE 'erase%': on PostgreSQL 18 a LIKE with a prefix on ct_email::text fails to plan)
SELECT (SELECT count(*) FROM ct_profile WHERE ct_id IN (SELECT ct_id FROM erased_ids)) AS profiles,
	   (SELECT count(*) FROM ct_segment_member WHERE ct_id IN (SELECT ct_id FROM erased_ids)) AS memberships,
	   (SELECT count(*) FROM ct_event WHERE ct_id IN (SELECT ct_id FROM erased_ids)) AS events,
	   (SELECT count(*) FROM ct_import_sample WHERE mpid IN ('4010', '4011', '4012', '4013')) AS samples,
	   (SELECT count(*) FROM ct_profile WHERE email::text LIKE 'erase%' OR identity LIKE 'erase%') AS by_value;
-- the others stay
SELECT identity FROM ct_profile WHERE identity = 'keep-1';
-- the request is recorded without the identities
SELECT subject_request_id, request_type, regulation, profiles_erased FROM ct_dsr_request;
SELECT count(*) AS dsr_rows_mentioning_subjects FROM ct_dsr_request r
 WHERE r::text LIKE '%erase%' OR r::text LIKE '%4012%';
-- mParticle's own example request (device identity and an unknown email): nothing to erase
\set dsr `cat ../shared/mparticle-firehose/DsrProcessingRequest.json 2>/dev/null || echo '{"type": "dsr_processing_request", "id": "417977b5-1df0-4f3e-908a-dc5a4953f11c", "timestamp_ms": 1714592744067, "firehose_version": "3.2.0", "subject_request_type": "erasure", "subject_identities": {"email": {"encoding": "raw", "value": "jane.doe@example.com"}}}'`
SELECT ct_firehose(jsonb_set(:'dsr'::jsonb, '{account}', t.account())) -> 'ctaudience' AS mparticle_example;
SELECT ct_firehose(jsonb_build_object('type', 'dsr_processing_request', 'id', '00000000-0000-4000-a000-000000000002',
	'timestamp_ms', 1715000012000, 'account', t.account(), 'subject_request_type', 'access', 'subject_identities', '{}'::jsonb));
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- unknown and missing types
SELECT ct_firehose('{"type": "event_processing_request", "id": "00000000-0000-4000-a000-000000000003", "timestamp_ms": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose('{"id": "00000000-0000-4000-a000-000000000003", "timestamp_ms": 1}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose('[]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
