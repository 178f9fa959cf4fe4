-- Helpers shared by the regression tests (they run in order, in one database).
SET client_min_messages = warning;
CREATE SCHEMA t;
SET search_path = ctaudience, t, public;

-- A membership message for a test project: t.msg(number, timestamp_ms, user_profiles)
CREATE FUNCTION t.msg(n int, ts_ms bigint, profiles jsonb, project text DEFAULT 'TEST-1')
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object(
		'type', 'audience_membership_change_request',
		'id', '00000000-0000-4000-8000-' || lpad(n::text, 12, '0'),
		'timestamp_ms', ts_ms,
		'firehose_version', '3.2.0',
		'account', jsonb_build_object('account_id', 1, 'account_settings',
			jsonb_build_object('accountId', project, 'passcode', 'test-passcode-1',
							   'accountToken', 'token-' || project, 'region', 'eu1')))
		|| CASE WHEN profiles IS NULL THEN '{}'::jsonb
				ELSE jsonb_build_object('user_profiles', profiles) END
$$;

-- The non-zero counts of an import, compactly.
CREATE FUNCTION t.counts(response jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT coalesce(jsonb_object_agg(key, value ORDER BY key), '{}')
	  FROM jsonb_each(response -> 'ctaudience') WHERE value <> '0'
$$;

-- Import and show the non-zero counts.
CREATE FUNCTION t.imp(m jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.counts(ctaudience.ct_import_audience(m))
$$;

-- A user profile element: t.user(mpid, identities, audiences)
CREATE FUNCTION t.u(mpid text, identities jsonb, audiences jsonb, partner text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'mpid', mpid,
		'user_identities', identities,
		'partner_identities', CASE WHEN partner IS NULL THEN NULL ELSE
			jsonb_build_array(jsonb_build_object('type', 'CleverTap_User_ID', 'encoding', 'raw', 'value', partner)) END,
		'audiences', audiences))
$$;

-- One raw identity.
CREATE FUNCTION t.id(type text, value text, encoding text DEFAULT 'raw')
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('type', type, 'encoding', encoding, 'value', value)
$$;

-- One audience entry.
CREATE FUNCTION t.aud(id bigint, name text, action text DEFAULT 'add')
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('audience_id', id, 'audience_name', name, 'action', action)
$$;

-- Profiles of a project, without generated ids.
CREATE VIEW t.profiles AS
SELECT project_id, CASE WHEN ct_id ~ '^[0-9a-f]{32}$' THEN '(generated)' ELSE ct_id END AS ct_id,
	   identity, email, phone, mparticle_id, properties
  FROM ctaudience.ct_profile;

-- Memberships with identities instead of generated ids.
CREATE VIEW t.members AS
SELECT m.project_id, s.partner_segment_id AS audience, coalesce(p.identity, p.ct_id) AS who,
	   m.is_member, m.stated_at
  FROM ctaudience.ct_segment_member m
  JOIN ctaudience.ct_segment s USING (project_id, segment_id)
  LEFT JOIN ctaudience.ct_profile p USING (project_id, ct_id);

-- Partner Sync events with identities instead of generated ids.
CREATE VIEW t.events AS
SELECT e.project_id, coalesce(p.identity, p.ct_id) AS who, e.event_name, e.ts,
	   e.props ->> 'Action' AS action, e.props ->> 'Partner Segment Name' AS segment,
	   e.props -> 'Partner Segment ID' AS audience
  FROM ctaudience.ct_event e
  LEFT JOIN ctaudience.ct_profile p USING (project_id, ct_id);

SELECT ct_register_project('TEST-1', 'test-passcode-1', 'token-TEST-1', 'eu1', 'Test one', NULL, 'US');
SELECT ct_register_project('TEST-2', 'test-passcode-1', 'token-TEST-2', 'in1', 'Test two', NULL, 'IN');
SELECT ct_register_project('TEST-NOCC', 'test-passcode-1', 'token-TEST-NOCC', 'eu1', 'No country');
SELECT project_id, name, region, default_country FROM ct_project ORDER BY 1;
