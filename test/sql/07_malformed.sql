-- Malformed messages: every shape error is 22023 or 22P02 with the JSON
-- path in DETAIL, never a crash, and a failed message writes nothing.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM ct_profile) AS profiles, (SELECT count(*) FROM ct_segment) AS segments,
	   (SELECT count(*) FROM ct_segment_member) AS members, (SELECT count(*) FROM ct_event) AS events,
	   (SELECT count(*) FROM ct_message) AS messages;
\set good_user '{"mpid": "5001", "user_identities": [{"type": "customer", "encoding": "raw", "value": "bad-1"}], "audiences": [{"audience_id": 48000, "audience_name": "Never", "action": "add"}]}'

-- 1. not a JSON object
SELECT ct_import_audience('[1, 2, 3]');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 2. a scalar
SELECT ct_import_audience('"audience_membership_change_request"');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 3. wrong type
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"type": "event_processing_request"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 4. missing type
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') - 'type');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 5. missing id
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') - 'id');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 6. id not a UUID
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"id": "message-1"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- an id is read as uuid_in reads it: what a cast to uuid refuses is refused
-- (0.2.0 took a hyphen after the last digit in braces, and an unclosed brace)
CREATE FUNCTION t.id_verdicts(id text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	ours text := 'accepted';
	theirs text := 'accepted';
BEGIN
	BEGIN
		PERFORM ctaudience.ct_import_audience(t.msg(500, 1714900000000, '[]') || jsonb_build_object('id', id));
		RAISE EXCEPTION USING ERRCODE = 'P0001';
	EXCEPTION WHEN invalid_text_representation THEN ours := 'refused';
			  WHEN raise_exception THEN NULL;
	END;
	BEGIN
		PERFORM id::uuid;
	EXCEPTION WHEN invalid_text_representation THEN theirs := 'refused';
	END;
	RETURN ours || CASE WHEN ours = theirs THEN ', as uuid_in' ELSE ', uuid_in: ' || theirs END;
END
$$;
SELECT id, t.id_verdicts(id)
  FROM unnest(ARRAY['{00000000-0000-4000-8000-000000000501-}', '{00000000-0000-4000-8000-000000000501',
					'00000000-0000-4000-8000-000000000501}', '00000000-0000-4000-8000-000000000501-',
					'{00000000-0000-4000-8000-000000000501}', '{0000-0000-0000-4000-8000-0000-0000-0501}',
					'00000000000040008000000000000501', '0000000-00000-4000-8000-000000000501',
					'00000000--0000-4000-8000-000000000501']) AS id;
-- 7. timestamp_ms ill-typed
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"timestamp_ms": true}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 8. timestamp_ms not an integer
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"timestamp_ms": 1714900000000.5}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 9. timestamp_ms out of range
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"timestamp_ms": -5}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 10. user_profiles not an array
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"user_profiles": {"mpid": "1"}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 11. a user profile that is not an object
SELECT ct_import_audience(t.msg(500, 1714900000000, jsonb_build_array(:'good_user'::jsonb, 42)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 12. an audience without audience_id (the first user is fine: nothing is written either)
SELECT ct_import_audience(t.msg(500, 1714900000000, jsonb_build_array(:'good_user'::jsonb,
	'{"mpid": "5002", "audiences": [{"audience_name": "No id", "action": "add"}]}'::jsonb)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 13. non-numeric audience id
SELECT ct_import_audience(t.msg(500, 1714900000000, jsonb_build_array(:'good_user'::jsonb,
	'{"mpid": "5002", "audiences": [{"audience_id": "abc", "audience_name": "Bad id", "action": "add"}]}'::jsonb)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 14. negative audience id
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": -4, "audience_name": "Negative", "action": "add"}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 15. audience id out of range
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": 99999999999999999999, "audience_name": "Huge", "action": "add"}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 16. unknown action, deep inside the message
SELECT ct_import_audience(t.msg(500, 1714900000000, jsonb_build_array(:'good_user'::jsonb, :'good_user'::jsonb, :'good_user'::jsonb,
	'{"mpid": "5002", "audiences": [{"audience_id": 1, "audience_name": "A", "action": "add"}, {"audience_id": 2, "audience_name": "B", "action": "remove"}]}'::jsonb)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 17. action missing
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": 1, "audience_name": "A"}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 18. audience name over 512 bytes fails the message
SELECT ct_import_audience(t.msg(500, 1714900000000, jsonb_build_array(jsonb_build_object('mpid', '5002',
	'audiences', jsonb_build_array(jsonb_build_object('audience_id', 1, 'audience_name', repeat('ü', 257), 'action', 'add'))))));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 19. audience name missing
SELECT ct_import_audience(t.msg(500, 1714900000000, '[{"mpid": "5002", "audiences": [{"audience_id": 1, "action": "add"}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 20. user_identities element without value
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "user_identities": [{"type": "customer", "encoding": "raw"}], "audiences": []}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 21. unknown identity encoding
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "user_identities": [{"type": "customer", "encoding": "rot13", "value": "x"}], "audiences": []}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 22. identity value ill-typed
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "user_identities": [{"type": "customer", "encoding": "raw", "value": 17}], "audiences": []}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 23. mpid ill-typed
SELECT ct_import_audience(t.msg(500, 1714900000000, '[{"mpid": ["5002"], "audiences": []}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 24. user attribute action unknown
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": 1, "audience_name": "A", "action": "attribute_update", "user_attributes": [{"key": "k", "value": "v", "action": "merge"}]}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 25. list_value element not a string
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": 1, "audience_name": "A", "action": "attribute_update", "user_attributes": [{"key": "k", "list_value": ["a", 2], "action": "upsert"}]}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 26. unknown userIdField
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": 1, "audience_name": "A", "action": "add", "audience_subscription_settings": {"userIdField": "shoe_size"}}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 27. account_settings not an object
SELECT ct_import_audience(t.msg(500, 1714900000000, '[]') || '{"account": {"account_id": 1, "account_settings": "all"}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 28. account_id not an integer
SELECT ct_import_audience(jsonb_set(t.msg(500, 1714900000000, '[]'), '{account,account_id}', '"one"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- 29. audience_subscription_settings not an object
SELECT ct_import_audience(t.msg(500, 1714900000000,
	'[{"mpid": "5002", "audiences": [{"audience_id": 1, "audience_name": "A", "action": "add", "audience_subscription_settings": []}]}]'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- nothing at all was written by any of them
SELECT (SELECT count(*) FROM ct_profile) - profiles AS new_profiles, (SELECT count(*) FROM ct_segment) - segments AS new_segments,
	   (SELECT count(*) FROM ct_segment_member) - members AS new_members, (SELECT count(*) FROM ct_event) - events AS new_events,
	   (SELECT count(*) FROM ct_message) - messages AS new_messages
  FROM before;

-- unknown fields are ignored, as mParticle's SDK ignores them
SELECT t.imp(t.msg(501, 1714900000000, jsonb_build_array(:'good_user'::jsonb || '{"future_field": {"x": 1}}'))
	|| '{"another_future_field": [1, 2]}');
-- a string of digits is accepted as an audience id; an mpid may be a number
SELECT t.imp(t.msg(502, 1714900000000,
	'[{"mpid": 5003, "user_identities": [{"type": "customer", "encoding": "raw", "value": "bad-3"}], "audiences": [{"audience_id": "48001", "audience_name": "Quoted id", "action": "add"}]}]'));
SELECT partner_segment_id, name FROM ct_segment WHERE partner_segment_id IN (48000, 48001) ORDER BY 1;
SELECT identity, mparticle_id FROM ct_profile WHERE identity = 'bad-3';

-- Text that is not JSON is refused with where it went wrong (line,
-- character, byte, JSON path) and never a piece of it: the body holds the
-- passcode.  Nothing of the passcode in the message, detail, hint or context.
CREATE FUNCTION t.error_parts(body text) RETURNS TABLE (state text, message text, detail text, quotes_secret bool)
LANGUAGE plpgsql AS $$
DECLARE
	m text;
	d text;
	h text;
	c text;
BEGIN
	PERFORM ctaudience.ct_import_audience(body);
	RETURN;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL,
		h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
	message := m;
	detail := d;
	quotes_secret := concat_ws(' ', m, d, h, c) LIKE '%passcode-A1%';
	RETURN NEXT;
END $$;
SELECT * FROM t.error_parts('{"type": "audience_membership_change_request", "account": {"account_settings": {"passcode": "passcode-A1"},,"x": 1}}');
SELECT * FROM t.error_parts('{"account": {"account_settings": {"passcode": "passcode-A1' || chr(10) || '"}}}');
SELECT * FROM t.error_parts(E'{"user_profiles": [{"mpid": "1"}, {"mpid": "passcode-A1\\u0000"}]}');
SELECT * FROM t.error_parts('{"account": {"account_settings": {"passcode": "passcode-A1"}}, "user_profiles": [1, 2');
SELECT * FROM t.error_parts('passcode-A1');

-- The JSON path names the value that is wrong -- a string value, an array
-- element, a member name (the object that holds it) -- through every entry
-- point that reads the text, with the same detail (a bad escape used to be
-- reported at the member before it).
CREATE FUNCTION t.error_paths(body text) RETURNS TABLE (state text, detail text, entry_points int, quotes_secret bool)
LANGUAGE plpgsql AS $$
DECLARE
	d text;
	h text;
	c text;
	details text[] := '{}';
	states text[] := '{}';
	secret bool := false;
BEGIN
	FOR i IN 1..6 LOOP
		BEGIN
			CASE i
				WHEN 1 THEN PERFORM ctaudience.ct_import_audience(body);
				WHEN 2 THEN PERFORM ctaudience.ct_import_audience('TEST-1', body);
				WHEN 3 THEN PERFORM ctaudience.ct_firehose(body);
				WHEN 4 THEN PERFORM ctaudience.ct_firehose('TEST-1', body);
				WHEN 5 THEN PERFORM ctaudience.ct_enqueue(body);
				ELSE PERFORM ctaudience.ct_firehose_enqueue(body);
			END CASE;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL,
				h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
			states := states || state;
			details := details || detail;
			secret := secret OR concat_ws(' ', detail, h, c) LIKE '%test-passcode-1%';
		END;
	END LOOP;
	FOR state, detail, entry_points IN
		SELECT s, x, count(*) FROM unnest(states, details) AS u(s, x) GROUP BY 1, 2 ORDER BY 1, 2
	LOOP
		quotes_secret := secret;
		RETURN NEXT;
	END LOOP;
END $$;
\set esc_user '{"mpid": "9101", "user_identities": [{"type": "customer", "encoding": "raw", "value": "a-1"}], "audiences": [{"audience_id": 48100, "audience_name": "Escapes", "action": "add", "user_attributes": [{"key": "tags", "action": "upsert", "list_value": ["a", "b"]}]}]}'
SELECT * FROM t.error_paths(replace(t.msg(520, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"a-1"', '"a-1\q"'));
SELECT * FROM t.error_paths(replace(t.msg(521, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"test-passcode-1"', '"test-passcode-1\q"'));
SELECT * FROM t.error_paths(replace(t.msg(522, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"Escapes"', '"Esc\apes"'));
SELECT * FROM t.error_paths(replace(t.msg(523, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"b"]', '"b\q"]'));
SELECT * FROM t.error_paths(replace(t.msg(524, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '["a", ', '[1x, '));
SELECT * FROM t.error_paths(replace(t.msg(525, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"user_identities": [', '"user_identities": ["\q", '));
SELECT * FROM t.error_paths(replace(t.msg(526, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"encoding"', '"enc\oding"'));
SELECT * FROM t.error_paths(replace(t.msg(527, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"accountToken"', '"account\Token"'));
SELECT * FROM t.error_paths(replace(t.msg(528, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"timestamp_ms"', '"timestamp\_ms"'));
SELECT * FROM t.error_paths(replace(t.msg(529, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"audience_id": 48100', '"audience_id": 48100 "x"'));
SELECT * FROM t.error_paths(replace(t.msg(530, 1714900000000, jsonb_build_array(:'esc_user'::jsonb))::text, '"upsert"', '"ups' || chr(9) || 'ert"'));
-- Closers before their openers: the queue's first look at a message (the
-- lexer alone, before any check) once wrote below its stack and took the
-- server down with signal 11; every entry point refuses them as JSON.
SELECT * FROM t.error_paths('}}}{{{{{{"a":"b"');
SELECT * FROM t.error_paths('] ] {"id": "x", "account": {"account_settings": {"accountId": "1"}}}');
SELECT * FROM t.error_paths('{"id": "x"}}}}, "account": {"account_settings": {"accountId": "1"}}}');
