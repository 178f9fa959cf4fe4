-- ct_import_log: one row per processed message with every count and up to
-- 20 samples of what was skipped or invalid; never a passcode or a payload.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT t.imp(t.msg(1100, 1717000000000, jsonb_build_array(
	t.u('2001', NULL, jsonb_build_array(t.aud(51001, 'Log A'))),
	t.u('2002', jsonb_build_array(t.id('email', 'e179e95c00e7718ab4a23840f992ea63', 'md5')), jsonb_build_array(t.aud(51001, 'Log A'))),
	t.u('2003', jsonb_build_array(t.id('customer', 'log-3'), t.id('email', 'nope')), jsonb_build_array(t.aud(51001, 'Log A'))),
	t.u('2004', jsonb_build_array(t.id('customer', 'log-4'), t.id('mobile_number', '12')), jsonb_build_array(t.aud(51001, 'Log A'))),
	t.u('2005', jsonb_build_array(t.id('customer', 'none'), t.id('email', 'log5@example.com')), jsonb_build_array(t.aud(51001, 'Log A'))),
	t.u('2006', jsonb_build_array(t.id('customer', 'log-6')), jsonb_build_array(
		t.aud(51001, 'Log A', 'attribute_update') || jsonb_build_object('user_attributes', jsonb_build_array(
			jsonb_build_object('key', 'k', 'value', repeat('v', 513), 'action', 'upsert'))))))));
SELECT t.imp(t.msg(1101, 1716000000000, jsonb_build_array(
	t.u('2003', jsonb_build_array(t.id('customer', 'log-3')), jsonb_build_array(t.aud(51001, 'Log A', 'delete'))))));

SELECT message_type, message_ts, profiles, added, removed, unchanged, stale, anonymous, created_profiles,
	   invalid_email, invalid_phone, rejected, refused, hashed_only, forbidden_identity, invalid_attributes,
	   duration >= '0' AS timed, received_at IS NOT NULL AS received
  FROM ct_import_log WHERE message_id IN ('00000000-0000-4000-8000-000000001100', '00000000-0000-4000-8000-000000001101')
 ORDER BY message_id;
SELECT message_id, jsonb_pretty(samples) AS samples FROM ct_import_log
 WHERE message_id IN ('00000000-0000-4000-8000-000000001100', '00000000-0000-4000-8000-000000001101') ORDER BY message_id;

-- at most 20 samples per message, whatever the count
SELECT t.imp(t.msg(1102, 1717000000000, (SELECT jsonb_agg(t.u((3000 + i)::text, NULL, jsonb_build_array(t.aud(51001, 'Log A'))))
											FROM generate_series(1, 50) i)));
SELECT anonymous, jsonb_array_length(samples) AS samples FROM ct_import_log WHERE message_id = '00000000-0000-4000-8000-000000001102';

-- no passcode and no payload is kept anywhere
SELECT count(*) AS rows_with_passcode FROM (
	SELECT m::text AS t FROM ct_message m UNION ALL SELECT s::text FROM ct_import_sample s
	UNION ALL SELECT p::text FROM ct_project p UNION ALL SELECT d::text FROM ct_dsr_request d) x
 WHERE t LIKE '%test-passcode-1%' OR t LIKE '%passcode%';
SELECT count(*) AS rows_with_identity_values FROM ct_import_sample s
 WHERE s::text LIKE '%log-3%' OR s::text LIKE '%nope%' OR s::text LIKE '%e179e95c%';
-- the reader role can read the log
SELECT has_table_privilege('ctaudience_reader', 'ctaudience.ct_import_log', 'SELECT') AS reader_reads_log;
