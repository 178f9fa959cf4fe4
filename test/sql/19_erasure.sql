-- An erasure reaches every copy of the subject: the profiles and what hangs
-- on them, the import log samples, and the bodies of queued messages
-- (pending, answered or dead) that name the subject or any identity of the
-- profiles erased; the erasure request keeps no identity once answered;
-- answered messages go after ctaudience.inbox_retention.  By email or mpid
-- as by Customer ID, the profiles are found through an index, never a scan.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT ct_register_project('ERASE-1', 'erase-passcode-1', 'token-ERASE-1', 'eu1', 'Erase', NULL, 'US');
CREATE FUNCTION t.emsg(n int, profiles jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_set(jsonb_set(jsonb_set(t.msg(n, 1716600000000 + n * 1000, profiles, 'ERASE-1'),
		'{account,account_settings,passcode}', '"erase-passcode-1"'),
		'{account,account_settings,accountToken}', '"token-ERASE-1"'), '{account,account_settings,accountId}', '"ERASE-1"')
$$;
CREATE FUNCTION t.edsr(n int, identities jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT (t.emsg(n, NULL) - 'user_profiles') || jsonb_build_object('type', 'dsr_processing_request',
		'subject_request_type', 'erasure', 'subject_identities', identities)
$$;
-- a thousand others, so that a scan would be a scan
SELECT t.counts(ct_import_audience(t.emsg(1900, (SELECT jsonb_agg(t.u('m' || i, jsonb_build_array(t.id('customer', 'other-' || i),
	t.id('email', 'other' || i || '@example.com')), jsonb_build_array(t.aud(19001, 'Erase')))) FROM generate_series(1, 1000) i))));
-- the subject: Ada, known by Customer ID, email, phone and mpid
SELECT t.counts(ct_import_audience(t.emsg(1901, jsonb_build_array(
	t.u('777', jsonb_build_array(t.id('customer', 'ada-1'), t.id('email', 'Ada@Example.com'), t.id('mobile_number', '+14155550177')),
		jsonb_build_array(t.aud(19001, 'Erase')))))));

-- queued copies: by email (answered), by Customer ID (pending), by mpid only
-- with a phone (pending), another user and Ada in one message (pending)
SELECT ct_enqueue(t.emsg(1902, jsonb_build_array(t.u('777', jsonb_build_array(t.id('email', 'ADA@example.com')),
	jsonb_build_array(t.aud(19001, 'Erase')))))) AS q1 \gset
SELECT * FROM ct_process_inbox(10);
SELECT ct_enqueue(t.emsg(1903, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'ada-1')),
	jsonb_build_array(t.aud(19001, 'Erase', 'delete')))))) AS q2 \gset
SELECT ct_enqueue(t.emsg(1904, jsonb_build_array(t.u('777', jsonb_build_array(t.id('mobile_number', '+14155550177')),
	jsonb_build_array(t.aud(19001, 'Erase')))))) AS q3 \gset
SELECT ct_enqueue(t.emsg(1905, jsonb_build_array(
	t.u('2', jsonb_build_array(t.id('customer', 'other-2')), jsonb_build_array(t.aud(19001, 'Erase'))),
	t.u('3', jsonb_build_array(t.id('customer', 'ada-1'), t.id('email', 'ada@example.com')), jsonb_build_array(t.aud(19001, 'Erase')))))) AS q4 \gset
-- an import log sample carrying Ada's mpid (her hashed identity, anonymous)
SELECT t.counts(ct_import_audience(t.emsg(1906, jsonb_build_array(t.u('777', jsonb_build_array(t.id('email', 'ab12', 'sha256')),
	jsonb_build_array(t.aud(19001, 'Erase')))))));

-- the erasure, by email only, while copies wait in the inbox
SELECT pg_stat_force_next_flush();
SELECT seq_scan AS profile_scans_before FROM pg_stat_user_tables WHERE relid = 'ctaudience.ct_profile'::regclass \gset
SELECT ct_firehose(t.edsr(1907, '{"email": {"encoding": "raw", "value": "ada@example.com"}}')) -> 'ctaudience' AS erased;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT seq_scan - :profile_scans_before AS profile_scans FROM pg_stat_user_tables WHERE relid = 'ctaudience.ct_profile'::regclass;

-- nothing of Ada anywhere: profiles, samples, queued bodies (whatever their state)
SELECT count(*) AS ada_profiles FROM ct_profile WHERE project_id = 'ERASE-1' AND (identity = 'ada-1' OR mparticle_id = '777');
SELECT count(*) AS ada_samples FROM ct_import_sample WHERE project_id = 'ERASE-1' AND mpid = '777';
SELECT inbox_id - :q1 AS n, status, jsonb_array_length(body -> 'user_profiles') AS profiles_left,
	   body::text ~* 'ada|777|4155550177' AS names_ada
  FROM ct_inbox WHERE inbox_id IN (:q1, :q2, :q3, :q4) ORDER BY 1;
-- the other user's copy is intact and imports; Ada does not come back
SELECT * FROM ct_process_inbox(10);
SELECT count(*) FILTER (WHERE identity = 'ada-1' OR email = 'ada@example.com' OR mparticle_id = '777') AS ada_back,
	   count(*) FILTER (WHERE identity = 'other-2') AS other_2 FROM ct_profile WHERE project_id = 'ERASE-1';
-- mParticle sends a copy again after the erasure: it is not queued again,
-- so no body in the inbox names Ada
SELECT ct_enqueue(t.emsg(1905, jsonb_build_array(
	t.u('2', jsonb_build_array(t.id('customer', 'other-2')), jsonb_build_array(t.aud(19001, 'Erase'))),
	t.u('3', jsonb_build_array(t.id('customer', 'ada-1'), t.id('email', 'ada@example.com')), jsonb_build_array(t.aud(19001, 'Erase')))))::text) = :q4 AS same_row,
	   ct_firehose_enqueue(t.emsg(1903, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'ada-1')),
	jsonb_build_array(t.aud(19001, 'Erase', 'delete')))))::text) -> 'ctaudience' ->> 'queued' = :'q2' AS same_row_2;
SELECT count(*) AS bodies_naming_ada FROM ct_inbox WHERE project_id = 'ERASE-1' AND body::text ~* 'ada|777|4155550177';
-- a queued erasure keeps its identities until answered, and none after
SELECT ct_enqueue(t.edsr(1910, '{"customer_id": {"encoding": "raw", "value": "other-9"}}')) AS dsr \gset
SELECT body -> 'subject_identities' AS queued_identities FROM ct_inbox WHERE inbox_id = :dsr;
SELECT * FROM ct_process_inbox(10);
SELECT status, body ? 'subject_identities' AS keeps_identities, body::text ~ 'other-9' AS names_subject,
	   response -> 'ctaudience' AS erased
  FROM ct_inbox WHERE inbox_id = :dsr;

-- by mpid and by Customer ID, through the indexes too
SELECT pg_stat_force_next_flush();
SELECT seq_scan AS profile_scans_before FROM pg_stat_user_tables WHERE relid = 'ctaudience.ct_profile'::regclass \gset
SELECT ct_firehose(t.edsr(1908, '{"mpid": {"encoding": "raw", "value": "m5"}}')) -> 'ctaudience' AS by_mpid;
SELECT ct_firehose(t.edsr(1909, '{"customer_id": {"encoding": "raw", "value": "other-6"}}')) -> 'ctaudience' AS by_customer_id;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
SELECT seq_scan - :profile_scans_before AS profile_scans FROM pg_stat_user_tables WHERE relid = 'ctaudience.ct_profile'::regclass;

-- answered messages go after ctaudience.inbox_retention; pending and dead ones stay
SELECT status, count(*) FROM ct_inbox WHERE project_id = 'ERASE-1' GROUP BY 1 ORDER BY 1;
UPDATE ct_inbox SET processed_at = now() - interval '8 days' WHERE project_id = 'ERASE-1' AND inbox_id IN (:q1, :q2);
SELECT ct_enqueue(t.emsg(1911, '[{"mpid": "5"}, 1]')) AS dead \gset
SHOW ctaudience.inbox_retention;
SELECT * FROM ct_process_inbox(10);
SELECT * FROM ct_process_inbox(10);
SELECT inbox_id - :q1 AS n, status FROM ct_inbox WHERE project_id = 'ERASE-1' ORDER BY 1;

-- by email, a profile whose Identity is that email (the connection's User ID
-- is the email) and whose email changed since: found through its Identity,
-- as the import stored it (the normalized address)
SELECT t.counts(ct_import_audience(t.emsg(1912, jsonb_build_array(t.u('1110', jsonb_build_array(t.id('email', 'Old1110@Example.com')),
	jsonb_build_array(t.aud(19002, 'ByEmail') || '{"audience_subscription_settings": {"userIdField": "email"}}'), 'P1110')))));
SELECT t.counts(ct_import_audience(t.emsg(1913, jsonb_build_array(t.u('1110', jsonb_build_array(t.id('email', 'new1110@example.com')),
	jsonb_build_array(t.aud(19002, 'ByEmail') || '{"audience_subscription_settings": {"userIdField": "email"}}'), 'P1110')))));
SELECT identity, email FROM ct_profile WHERE project_id = 'ERASE-1' AND ct_id = 'P1110';
SELECT ct_firehose(t.edsr(1914, '{"email": {"encoding": "raw", "value": " OLD1110@example.COM"}}')) -> 'ctaudience' AS by_identity_email;
SELECT count(*) AS p1110_left FROM ct_profile WHERE project_id = 'ERASE-1' AND (ct_id = 'P1110' OR identity = 'old1110@example.com');

-- an erasure queued before a membership naming its subject, both answered
-- by one ct_process_inbox: the membership is imported as the erasure left
-- its stored body, and the subject does not come back
SELECT t.counts(ct_import_audience(t.emsg(1915, jsonb_build_array(t.u('1115', jsonb_build_array(t.id('customer', 'grace-1'),
	t.id('email', 'grace@example.com')), jsonb_build_array(t.aud(19001, 'Erase')))))));
SELECT ct_enqueue(t.edsr(1916, '{"email": {"encoding": "raw", "value": "grace@example.com"}}')) AS gdsr \gset
SELECT ct_enqueue(t.emsg(1917, jsonb_build_array(
	t.u('1116', jsonb_build_array(t.id('customer', 'friend-7')), jsonb_build_array(t.aud(19001, 'Erase'))),
	t.u('1115', jsonb_build_array(t.id('customer', 'grace-1'), t.id('email', 'grace@example.com')),
		jsonb_build_array(t.aud(19001, 'Erase')))))) AS gmsg \gset
SELECT * FROM ct_process_inbox(10);
SELECT inbox_id = :gdsr AS is_erasure, status, jsonb_array_length(body -> 'user_profiles') AS profiles_left,
	   t.counts(response) AS counts
  FROM ct_inbox WHERE inbox_id IN (:gdsr, :gmsg) ORDER BY inbox_id;
SELECT count(*) FILTER (WHERE identity = 'grace-1' OR email = 'grace@example.com' OR mparticle_id = '1115') AS grace_back,
	   count(*) FILTER (WHERE identity = 'friend-7') AS friend_7 FROM ct_profile WHERE project_id = 'ERASE-1';
