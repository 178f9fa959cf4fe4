-- Conformance with mParticle's own files (../shared/mparticle-firehose):
-- their example request imports without error, and every response we give
-- passes their JSON schema (checked by their validate.py).
-- Where the folder is absent the test says so and stops (08_conformance_1.out).
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never
\set req `cat ../shared/mparticle-firehose/AudienceMembershipChangeRequest.json 2>/dev/null || echo '{"absent": true}'`
SELECT (:'req'::jsonb ? 'absent') AS firehose_absent \gset
\if :firehose_absent
\echo 'NOTICE: ../shared/mparticle-firehose is absent: conformance with mParticle''s own messages is skipped'
\quit
\endif

-- mParticle's example, with this project's credentials added to its account_settings
SELECT jsonb_set(:'req'::jsonb, '{account,account_settings}', (:'req'::jsonb -> 'account' -> 'account_settings') ||
	'{"accountId": "TEST-1", "passcode": "test-passcode-1", "accountToken": "token-TEST-1", "region": "eu1"}') AS req \gset
SELECT t.imp(:'req');
-- its user carries only hashed identities and a non-CleverTap partner id: anonymous;
-- its three audiences become segments
SELECT partner_segment_id, name, type FROM ct_segment WHERE partner_segment_id IN (456, 654, 789) ORDER BY 1;

-- the response passes mParticle's schema
\pset tuples_only on
\pset format unaligned
SELECT ct_import_audience(:'req') \g results/conformance_membership_response.json
\! test/firehose-validate.sh AudienceMembershipChangeResponse results/conformance_membership_response.json
-- so does the response to a fresh message, to a ping, and our own fixture
SELECT ct_import_audience(jsonb_set(:'req'::jsonb, '{id}', '"3f2504e0-4f89-41d3-9a0c-0305e82c3301"')) \g results/conformance_membership_response2.json
\! test/firehose-validate.sh AudienceMembershipChangeResponse results/conformance_membership_response2.json
SELECT ct_import_audience(t.msg(600, 1714592744065, NULL)) \g results/conformance_ping_response.json
\! test/firehose-validate.sh AudienceMembershipChangeResponse results/conformance_ping_response.json
\set fixture `cat test/data/membership_request.json`
SELECT ct_import_audience(jsonb_set(:'fixture'::jsonb, '{account,account_settings}',
	'{"accountId": "TEST-1", "passcode": "test-passcode-1", "accountToken": "token-TEST-1", "region": "eu1"}'))
	\g results/conformance_fixture_response.json
\! test/firehose-validate.sh AudienceMembershipChangeResponse results/conformance_fixture_response.json
SELECT t.counts(response) AS fixture_counts FROM ct_message WHERE message_id = '6b3f0a6e-8f0e-4c43-9d7a-1c2b3d4e5f60';
-- our fixture itself is a valid request by mParticle's schema
\! test/firehose-validate.sh AudienceMembershipChangeRequest test/data/membership_request.json
-- and the check can fail: a response without its id is caught
SELECT ct_import_audience(:'req') - 'id' \g results/conformance_broken.json
\! test/firehose-validate.sh AudienceMembershipChangeResponse results/conformance_broken.json
\pset tuples_only off
\pset format aligned
