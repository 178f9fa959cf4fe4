-- The text entry points, ct_import_audience(text) and ct_firehose(text),
-- read well-formed membership messages straight from the JSON text and hand
-- anything else to the jsonb parser.  Whatever the path, a message must have
-- the same outcome as through the jsonb variant: the same response and the
-- same rows, or the same error (SQLSTATE, message and detail).
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- What an import leaves behind, without generated ids.
CREATE FUNCTION t.snapshot() RETURNS text LANGUAGE sql AS $$
	SELECT md5(coalesce(string_agg(x, E'\n' ORDER BY x), ''))
	  FROM (SELECT 'p ' || p::text AS x FROM t.profiles p
			UNION ALL
			SELECT concat_ws(' ', 'm', s.partner_segment_id, s.name, s.status, p.identity, p.mparticle_id,
							 p.email, p.phone, m.is_member)
			  FROM ct_segment_member m
			  JOIN ct_segment s USING (project_id, segment_id)
			  JOIN ct_profile p USING (project_id, ct_id)
			UNION ALL
			SELECT concat_ws(' ', 'e', e.event_name, e.ts, e.props, p.identity, p.mparticle_id)
			  FROM ct_event e JOIN ct_profile p USING (project_id, ct_id)
			UNION ALL
			SELECT concat_ws(' ', 's', partner_segment_id, name, status, settings) FROM ct_segment
			UNION ALL
			SELECT concat_ws(' ', 'l', message_id, counts) FROM ct_message) s
$$;

-- The outcome of one message through either variant, rolled back.
CREATE FUNCTION t.outcome(msg text, as_text bool, via_firehose bool DEFAULT false)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
	snap text;
	st text;
	m text;
	d text;
BEGIN
	BEGIN
		IF as_text AND via_firehose THEN
			r := ctaudience.ct_firehose(msg::text);
		ELSIF as_text THEN
			r := ctaudience.ct_import_audience(msg::text);
		ELSIF via_firehose THEN
			r := ctaudience.ct_firehose(msg::jsonb);
		ELSE
			r := ctaudience.ct_import_audience(msg::jsonb);
		END IF;
		snap := t.snapshot();
		RAISE EXCEPTION 'roll back' USING ERRCODE = 'CTRBK';
	EXCEPTION
		WHEN SQLSTATE 'CTRBK' THEN
			-- the response's timestamp_ms is the time of answering
			RETURN 'ok ' || (r - 'timestamp_ms')::text || ' ' || snap;
		WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL;
			RETURN 'error ' || st || ' ' || m || ' / ' || coalesce(d, '');
	END;
END
$$;

-- Both variants of one message; "same" must be true everywhere.
CREATE FUNCTION t.compare(msg text, via_firehose bool DEFAULT false,
						  OUT same bool, OUT outcome text)
LANGUAGE plpgsql AS $$
DECLARE
	j text := t.outcome(msg, false, via_firehose);
	x text := t.outcome(msg, true, via_firehose);
BEGIN
	-- text that is not JSON: the jsonb cast refuses it before the import is
	-- called, quoting it; the text variant refuses it with the same SQLSTATE
	-- and where it went wrong, quoting nothing
	same := (j = x) OR
		((j LIKE 'error 22P02 invalid input syntax for type json%' OR j LIKE 'error 22P05 unsupported Unicode escape sequence%')
		 AND x LIKE 'error ' || substr(j, 7, 5) || ' invalid Firehose message: not valid JSON: %');
	outcome := CASE WHEN x LIKE 'ok %' THEN 'ok ' || t.counts(substr(x, 4, length(x) - 36)::jsonb)::text
					ELSE left(x, 150) END;
	IF NOT same THEN
		RAISE WARNING 'outcomes differ for %: jsonb: %, text: %', msg, j, x;
	END IF;
END
$$;

\set u1 '{"mpid": "7001", "user_identities": [{"type": "customer", "encoding": "raw", "value": "text-1"}, {"type": "email", "encoding": "raw", "value": "Text.One@Example.ORG"}, {"type": "mobile_number", "encoding": "raw", "value": "+44 20 7946 0111"}], "audiences": [{"audience_id": 49000, "audience_name": "Text path", "action": "add", "audience_subscription_settings": {"userIdField": "customer"}, "user_attributes": [{"key": "tier", "action": "upsert", "value": "gold"}, {}]}]}'
\set u2 '{"mpid": 7002, "device_identities": [{"type": "android_uuid", "encoding": "raw", "value": "x"}], "partner_identities": [{"type": "CleverTap_User_ID", "encoding": "raw", "value": "__text_2"}], "user_identities": [{"type": "email", "encoding": "SHA256", "value": "ab"}], "audiences": [{"audience_id": "49001", "audience_name": "Text \\u00e9t\\u00e9 \\ud83d\\ude00", "action": "delete"}, {"audience_id": 49000, "audience_name": "Text path", "action": "attribute_update", "user_attributes": [{"key": "tier", "action": "delete"}]}]}'
\set u3 '{"mpid": "7003", "user_identities": [{"type": "other", "encoding": "raw", "value": "o"}], "audiences": [{"audience_id": 49000, "audience_name": "Text path", "action": "add", "extra": {"deep": [1, {"x": null}, [[]]]}}]}'

\set u4 '{"mpid": "7004", "user_identities": [{"type": "customer", "encoding": "raw", "value": "text-1"}], "audiences": [{"audience_id": 49000, "audience_name": "Text path", "action": "attribute_update", "user_attributes": [{"key": "tier", "action": "upsert", "value": "gold"}, {}, {"key": "tags", "action": "upsert", "list_value": ["a", "b"]}, {"key": "old", "action": "delete"}]}]}'
\set fixture `cat test/data/membership_request.json`

CREATE TEMP TABLE cases (n serial, label text, msg text);
INSERT INTO cases (label, msg) VALUES
	('well-formed', t.msg(700, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u2'::jsonb, :'u3'::jsonb, :'u4'::jsonb))::text),
	('whitespace and key order', E'{\n "user_profiles" : [ ' || :'u3' || E' ] ,\n "timestamp_ms" : "1714900000000", "account": {"account_settings": {"region": "eu1", "passcode": "test-passcode-1", "accountId": "TEST-1", "accountToken": "token-TEST-1"}, "account_id": "1"}, "firehose_version": "3.2.0", "id": "{00000000-0000-4000-8000-000000000701}", "type": "audience_membership_change_request", "unknown": {"a": [null, true, 1.5e3]}}'),
	('our fixture, as formatted', replace(replace(replace(replace(:'fixture', '6b3f0a6e-8f0e-4c43-9d7a-1c2b3d4e5f60', '6b3f0a6e-8f0e-4c43-9d7a-1c2b3d4e5f61'), 'DEMO-PROJECT', 'TEST-1'), 'demo-passcode-123', 'test-passcode-1'), 'demo-token', 'token-TEST-1')),
	('no firehose_version', (t.msg(702, 1714900000000, jsonb_build_array(:'u3'::jsonb)) - 'firehose_version')::text),
	('ping', t.msg(703, 1714900000000, NULL)::text),
	('empty user_profiles', t.msg(704, 1714900000000, '[]')::text),
	('legacy lists', t.msg(705, 1714900000000, '[{"mpid": "7005", "user_identities": [{"type": "customer", "encoding": "raw", "value": "text-5"}], "added_audiences": [{"audience_id": 49002, "audience_name": "Legacy"}], "removed_audiences": [{"audience_id": 49000, "audience_name": "Text path"}]}]')::text),
	('duplicate key, last wins', replace(t.msg(706, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"mpid": "7003"', '"mpid": "1", "mpid": "7003"')),
	('duplicate key, null last', replace(t.msg(707, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"mpid": "7003"', '"mpid": "7003", "mpid": null')),
	('null members', replace(t.msg(708, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"mpid": "7003"', '"mpid": null, "partner_identities": null')),
	('unicode escapes', replace(t.msg(738, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, 'Text path', 'Text \u0070ath \u00e9t\u00e9 \ud83d\ude00')),
	('integer as 49e3', replace(t.msg(709, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"audience_id": 49000', '"audience_id": 49e3')),
	('value and list_value', replace(t.msg(737, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u4'::jsonb))::text, '["a", "b"]', '["a", "b"], "value": "c"')),
	('integer as -0 mpid', replace(t.msg(710, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"7003"', '-0')),
	('wrong credentials', replace(t.msg(711, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, 'test-passcode-1', 'wrong')),
	('not JSON', '{"type": "audience_membership_change_request",'),
	('trailing garbage', t.msg(712, 1714900000000, '[]')::text || ' x'),
	('not an object', '[1, 2, 3]'),
	('a scalar', '"audience_membership_change_request"'),
	('NUL escape in a name', replace(t.msg(713, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, 'Text path', 'Text\u0000path')),
	('lone surrogate', replace(t.msg(714, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, 'Text path', 'Text\ud83dpath')),
	('wrong type', replace(t.msg(715, 1714900000000, '[]')::text, 'audience_membership_change_request', 'event_processing_request')),
	('id not a UUID', replace(t.msg(716, 1714900000000, '[]')::text, '00000000-0000-4000-8000-000000000716', 'message-716')),
	('timestamp out of range', replace(t.msg(717, 1714900000000, '[]')::text, '1714900000000', '-5')),
	('timestamp fraction', replace(t.msg(718, 1714900000000, '[]')::text, '1714900000000', '1714900000000.5')),
	('timestamp overflow', replace(t.msg(719, 1714900000000, '[]')::text, '1714900000000', '99999999999999999999')),
	('user_profiles an object', replace(t.msg(720, 1714900000000, '[]')::text, '"user_profiles": []', '"user_profiles": {}')),
	('profile not an object', replace(t.msg(721, 1714900000000, '[]')::text, '"user_profiles": []', '"user_profiles": [1]')),
	('missing audience_id', replace(t.msg(722, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"audience_id": 49000, ', '')),
	('audience_id zero', replace(t.msg(723, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"audience_id": 49000', '"audience_id": 0')),
	('audience_id a string', replace(t.msg(724, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"audience_id": 49000', '"audience_id": "abc"')),
	('unknown action', replace(t.msg(725, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"action": "add"', '"action": "remove"')),
	('empty audience name', replace(t.msg(726, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, 'Text path', '')),
	('long audience name', replace(t.msg(727, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, 'Text path', repeat('n', 513))),
	('unknown encoding', replace(t.msg(728, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"encoding": "raw"', '"encoding": "base64"')),
	('identity value a number', replace(t.msg(729, 1714900000000, jsonb_build_array(:'u3'::jsonb))::text, '"value": "o"', '"value": 5')),
	('unknown userIdField', replace(t.msg(730, 1714900000000, jsonb_build_array(:'u1'::jsonb))::text, '"userIdField": "customer"', '"userIdField": "shoe_size"')),
	('attribute action unknown', replace(t.msg(731, 1714900000000, jsonb_build_array(:'u4'::jsonb))::text, '"action": "upsert"', '"action": "merge"')),
	('attribute value over 512 bytes', replace(t.msg(732, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u4'::jsonb))::text, '"gold"', '"' || repeat('g', 513) || '"')),
	('list element over 512 bytes', replace(t.msg(738, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u4'::jsonb))::text, '"b"]', '"' || repeat('b', 513) || '"]')),
	('list element a number', replace(t.msg(739, 1714900000000, jsonb_build_array(:'u4'::jsonb))::text, '"b"]', '2]')),
	('list_value not an array', replace(t.msg(733, 1714900000000, jsonb_build_array(:'u4'::jsonb))::text, '["a", "b"]', '"a"')),
	('account_id a string', replace(t.msg(734, 1714900000000, '[]')::text, '"account_id": 1', '"account_id": "one"')),
	('account_settings an array', replace(t.msg(735, 1714900000000, '[]')::text, '"account_settings": {', '"account_settings": [{') ),
	('deep nesting', replace(t.msg(736, 1714900000000, '[]')::text, '"user_profiles": []', '"x": ' || repeat('[', 40) || repeat(']', 40) || ', "user_profiles": []'));

SELECT n, label, same, outcome FROM cases, LATERAL t.compare(msg) ORDER BY n;

-- ct_firehose(text) too, for a membership message and for the other types
SELECT same, outcome FROM t.compare((SELECT msg FROM cases WHERE label = 'well-formed'), true);
SELECT same, left(outcome, 60) AS outcome FROM t.compare('{"type": "module_registration_request", "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3399", "timestamp_ms": 1714900000000}', true);
SELECT same, outcome FROM t.compare('{"type": "event_processing_request", "id": "3f2504e0-4f89-41d3-9a0c-0305e82c3398", "timestamp_ms": 1714900000000}', true);

-- Well-formed messages really take the text path; the others fall back.
SET client_min_messages = debug1;
SELECT t.counts(ct_import_audience((SELECT msg FROM cases WHERE label = 'well-formed')));
SELECT t.counts(ct_import_audience((SELECT msg FROM cases WHERE label = 'legacy lists')));
SELECT t.counts(ct_firehose((SELECT msg FROM cases WHERE label = 'whitespace and key order')));
SELECT t.counts(ct_import_audience((SELECT msg FROM cases WHERE label = 'our fixture, as formatted')));
-- \u escapes: read from the text too, decoded as the jsonb parser does
SELECT t.counts(ct_import_audience((SELECT msg FROM cases WHERE label = 'unicode escapes')));
RESET client_min_messages;
SELECT name FROM ct_segment WHERE project_id = 'TEST-1' AND name LIKE 'Text p%' ORDER BY name;
-- the attributes the text path read: value, list_value, delete
SELECT identity, mparticle_id, email, phone, properties FROM ct_profile
 WHERE project_id = 'TEST-1' AND identity = 'text-1';
-- and they were imported for real: a re-sent message is a duplicate
SELECT t.counts(ct_import_audience((SELECT msg FROM cases WHERE label = 'well-formed')));
SELECT count(*) AS logged FROM ct_message WHERE message_id IN
	('00000000-0000-4000-8000-000000000700', '00000000-0000-4000-8000-000000000705', '00000000-0000-4000-8000-000000000701');

-- Differential fuzzing: random edits of a rich message (fixed seed) must
-- have the same outcome through both variants.
CREATE FUNCTION t.mutate(msg text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	values_ text[] := ARRAY['null', '1', '-1', '0', '"x"', '{}', '[]', '[{}]', '-0', '1e3', '"1e3"', '1.5',
							'"add"', '"delete"', '"attribute_update"', '""', 'true', '"raw"', '"email"',
							'"customer"', '"CleverTap_User_ID"', '"49000"', '99999999999999999999',
							'"00000000-0000-4000-8000-000000000999"', '"\u00e9"', '[null]'];
	pairs text[] := ARRAY['"mpid": "77", ', '"action": "delete", ', '"type": "email", ', '"audience_id": 5, ',
						  '"value": null, ', '"list_value": ["a"], ', '"user_profiles": [], ', '"key": "k", ',
						  '"foo": {"a": [1, {"b": null}]}, ', '"audience_name": "Other", ',
						  '"added_audiences": [], ', '"encoding": "md5", ', '"userIdField": "mpid", ',
						  '"account_settings": {}, ', '"timestamp_ms": 5, ', '"value": "v", '];
	chars text[] := ARRAY['{', '}', '[', ']', '"', ',', ':', ' ', '0', 'a', '\', '-'];
	k int;
	pos int;
BEGIN
	CASE floor(random() * 4)::int
		WHEN 0 THEN		-- replace a value
			k := regexp_count(msg, '"[^"]*"|-?[0-9]+|null|true|false');
			RETURN regexp_replace(msg, '"[^"]*"|-?[0-9]+|null|true|false',
								  values_[1 + floor(random() * array_length(values_, 1))::int],
								  1, 1 + floor(random() * k)::int);
		WHEN 1 THEN		-- insert a member into an object
			k := regexp_count(msg, '\{');
			RETURN regexp_replace(msg, '\{', '{' || pairs[1 + floor(random() * array_length(pairs, 1))::int],
								  1, 1 + floor(random() * k)::int);
		WHEN 2 THEN		-- delete a member
			k := regexp_count(msg, '"[A-Za-z_]+": ("[^"]*"|-?[0-9]+|null|true|false), ');
			IF k = 0 THEN
				RETURN msg;
			END IF;
			RETURN regexp_replace(msg, '"[A-Za-z_]+": ("[^"]*"|-?[0-9]+|null|true|false), ', '',
								  1, 1 + floor(random() * k)::int);
		ELSE			-- break a character
			pos := 1 + floor(random() * length(msg))::int;
			RETURN overlay(msg PLACING chars[1 + floor(random() * array_length(chars, 1))::int]
						   FROM pos FOR floor(random() * 2)::int);
	END CASE;
END
$$;

SELECT setseed(0.4242);
CREATE TEMP TABLE fuzz AS
SELECT i, c.same, c.outcome
  FROM generate_series(1, 400) i,
	   LATERAL (SELECT t.mutate(t.mutate(replace(c.msg, '000000000700', '000000000800'))) AS msg
				  FROM cases c WHERE c.label = 'well-formed' AND i > 0) m,
	   LATERAL t.compare(m.msg) c;
SELECT count(*) AS messages, count(*) FILTER (WHERE NOT same) AS differ,
	   count(*) FILTER (WHERE outcome LIKE 'ok %' AND outcome NOT LIKE '%duplicate%') > 40 AS many_imported,
	   count(DISTINCT outcome) FILTER (WHERE outcome LIKE 'error%') > 20 AS many_kinds_of_error
  FROM fuzz;

-- Limits and the envelope: the text reader meets user_profiles before
-- firehose_version (jsonb's key order), yet a message over a limit with a
-- bad envelope fails on the envelope, as through jsonb; over a limit with
-- a good envelope, on the limit, even when a later profile is malformed.
CREATE TEMP TABLE limit_cases (n serial, label text, msg text, max_profiles int, max_audiences int);
INSERT INTO limit_cases (label, msg, max_profiles, max_audiences) VALUES
	('3 profiles, empty firehose_version', replace(t.msg(740, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u3'::jsonb, :'u4'::jsonb))::text, '"3.2.0"', '""'), 2, 1000),
	('3 profiles, dated in the future', t.msg(741, 99999999999999, jsonb_build_array(:'u1'::jsonb, :'u3'::jsonb, :'u4'::jsonb))::text, 2, 1000),
	('3 profiles, the third malformed', replace(t.msg(742, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u4'::jsonb, :'u3'::jsonb))::text, '"mpid": "7003"', '"mpid": {}'), 2, 1000),
	('3 profiles', t.msg(743, 1714900000000, jsonb_build_array(:'u1'::jsonb, :'u3'::jsonb, :'u4'::jsonb))::text, 2, 1000),
	('2 audiences, empty firehose_version', replace(t.msg(744, 1714900000000, jsonb_build_array(:'u2'::jsonb, :'u1'::jsonb))::text, '"3.2.0"', '""'), 1000, 1),
	('2 audiences, a later profile malformed', replace(t.msg(745, 1714900000000, jsonb_build_array(:'u2'::jsonb, :'u1'::jsonb))::text, '"mpid": "7001"', '"mpid": {}'), 1000, 1),
	('2 audiences', t.msg(746, 1714900000000, jsonb_build_array(:'u2'::jsonb, :'u1'::jsonb))::text, 1000, 1),
	('3 profiles and 2 audiences: the profiles first', t.msg(748, 1714900000000, jsonb_build_array(:'u2'::jsonb, :'u1'::jsonb, :'u3'::jsonb))::text, 2, 1),
	('2 audiences, within the limit', t.msg(747, 1714900000000, jsonb_build_array(:'u2'::jsonb, :'u1'::jsonb))::text, 2, 2);
SELECT n, label, same, outcome
  FROM limit_cases,
	   LATERAL (SELECT set_config('ctaudience.max_profiles_per_message', max_profiles::text, true),
					   set_config('ctaudience.max_audiences_per_message', max_audiences::text, true)) s,
	   LATERAL t.compare(msg)
 ORDER BY n;

-- The same fuzzing with tight limits (1 to 4 profiles, 1 to 3 audiences):
-- the limits' errors and the envelope's come in the same order on both.
SELECT setseed(0.777);
CREATE TEMP TABLE fuzz_limits AS
SELECT i, c.same, c.outcome
  FROM generate_series(1, 600) i,
	   LATERAL (SELECT set_config('ctaudience.max_profiles_per_message', (1 + i % 4)::text, true),
					   set_config('ctaudience.max_audiences_per_message', (1 + i % 3)::text, true)) s,
	   LATERAL (SELECT t.mutate(t.mutate(replace(c.msg, '000000000700', lpad((9000 + i)::text, 12, '0')))) AS msg
				  FROM cases c WHERE c.label = 'well-formed' AND i > 0) m,
	   LATERAL t.compare(m.msg) c;
SELECT count(*) AS messages, count(*) FILTER (WHERE NOT same) AS differ,
	   count(*) FILTER (WHERE outcome LIKE 'error 54000%') > 100 AS many_over_limits,
	   count(*) FILTER (WHERE outcome LIKE 'ok %') > 5 AS some_imported
  FROM fuzz_limits;
