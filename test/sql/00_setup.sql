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

-- A small JSON-schema checker (the subset mParticle's draft-3 schemas use:
-- type, required, properties, items, enum, $ref by urn), so every response
-- can be checked from SQL against the schemas in ../shared/mparticle-firehose.
CREATE TABLE t.schemas (urn text PRIMARY KEY, body jsonb NOT NULL);

CREATE FUNCTION t.schema_errors(doc jsonb, schema jsonb, path text DEFAULT '$')
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	k text;
	sub jsonb;
	typ text;
	ok boolean;
BEGIN
	IF schema ? '$ref' THEN
		SELECT s.body INTO sub FROM t.schemas s WHERE s.urn = schema ->> '$ref';
		IF sub IS NULL THEN
			RETURN NEXT format('%s: unresolved $ref %s', path, schema ->> '$ref');
			RETURN;
		END IF;
		schema := sub;
	END IF;
	typ := schema ->> 'type';
	ok := CASE typ
		WHEN 'object' THEN jsonb_typeof(doc) = 'object'
		WHEN 'array' THEN jsonb_typeof(doc) = 'array'
		WHEN 'string' THEN jsonb_typeof(doc) = 'string'
		WHEN 'boolean' THEN jsonb_typeof(doc) = 'boolean'
		WHEN 'number' THEN jsonb_typeof(doc) = 'number'
		WHEN 'integer' THEN jsonb_typeof(doc) = 'number' AND doc::text ~ '^-?[0-9]+$'
		ELSE true END;
	IF NOT ok THEN
		RETURN NEXT format('%s: expected %s, found %s', path, typ, jsonb_typeof(doc));
		RETURN;
	END IF;
	IF schema ? 'enum' AND NOT (schema -> 'enum') @> jsonb_build_array(doc) THEN
		RETURN NEXT format('%s: %s is not one of the allowed values', path, doc);
	END IF;
	IF jsonb_typeof(doc) = 'object' THEN
		FOR k, sub IN SELECT * FROM jsonb_each(coalesce(schema -> 'properties', '{}')) LOOP
			IF doc ? k AND jsonb_typeof(doc -> k) <> 'null' THEN
				RETURN QUERY SELECT * FROM t.schema_errors(doc -> k, sub, path || '.' || k);
			ELSIF coalesce((sub ->> 'required')::boolean, false) THEN
				RETURN NEXT format('%s.%s: required field missing', path, k);
			END IF;
		END LOOP;
		IF jsonb_typeof(schema -> 'additionalProperties') = 'object' THEN
			FOR k IN SELECT jsonb_object_keys(doc) LOOP
				IF NOT coalesce(schema -> 'properties', '{}') ? k THEN
					RETURN QUERY SELECT * FROM t.schema_errors(doc -> k, schema -> 'additionalProperties', path || '.' || k);
				END IF;
			END LOOP;
		END IF;
	ELSIF jsonb_typeof(doc) = 'array' AND schema ? 'items' THEN
		FOR i IN 0 .. jsonb_array_length(doc) - 1 LOOP
			RETURN QUERY SELECT * FROM t.schema_errors(doc -> i, schema -> 'items', path || '[' || i || ']');
		END LOOP;
	END IF;
END
$$;

-- "valid", or the errors of a document against the named mParticle schema.
CREATE FUNCTION t.conforms(doc jsonb, schema_name text) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM t.schemas) THEN 'skipped: mParticle schemas absent'
				ELSE coalesce(string_agg(e, '; '), 'valid') END
	  FROM t.schema_errors(doc, (SELECT body FROM t.schemas
								 WHERE urn = 'file:' || schema_name)) AS e
$$;
-- the lines of a statement's plan (without costs), for tests that check which
-- index a view's query reads
CREATE FUNCTION t.plan(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	l text;
BEGIN
	FOR l IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		RETURN NEXT l;
	END LOOP;
END
$$;
