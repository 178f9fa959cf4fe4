-- attribute_update: user_attributes upserted into and deleted from properties.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT t.imp(t.msg(400, 1714900000000, jsonb_build_array(
	t.u('6001', jsonb_build_array(t.id('customer', 'attr-1')), jsonb_build_array(
		t.aud(47600, 'Attributes') || jsonb_build_object('action', 'attribute_update', 'user_attributes', jsonb_build_array(
			jsonb_build_object('key', 'Tier', 'value', 'gold', 'action', 'upsert'),
			jsonb_build_object('key', 'Churned', 'value', 'yes', 'action', 'upsert'),
			jsonb_build_object('key', 'Interests', 'list_value', jsonb_build_array('shoes', 'bags'), 'action', 'upsert'),
			'{}'::jsonb)))))));
SELECT identity, properties FROM ct_profile WHERE identity = 'attr-1';
-- an attribute update changes no membership and raises no event
SELECT count(*) AS memberships, (SELECT count(*) FROM t.events WHERE who = 'attr-1') AS events
  FROM t.members WHERE who = 'attr-1';

-- upsert overwrites, delete removes, the last operation on a key wins;
-- a value over 512 bytes is dropped and counted, the rest applied
SELECT t.imp(t.msg(401, 1714900001000, jsonb_build_array(
	t.u('6001', jsonb_build_array(t.id('customer', 'attr-1')), jsonb_build_array(
		t.aud(47600, 'Attributes') || jsonb_build_object('action', 'attribute_update', 'user_attributes', jsonb_build_array(
			jsonb_build_object('key', 'Tier', 'value', 'platinum', 'action', 'upsert'),
			jsonb_build_object('key', 'Churned', 'action', 'delete'),
			jsonb_build_object('key', 'Score', 'value', '1', 'action', 'upsert'),
			jsonb_build_object('key', 'Score', 'action', 'delete'),
			jsonb_build_object('key', 'Bio', 'value', repeat('x', 513), 'action', 'upsert'),
			jsonb_build_object('key', 'Motto', 'value', repeat('y', 512), 'action', 'upsert'))))))));
SELECT identity, properties - 'Motto' AS properties, length(properties ->> 'Motto') AS motto_length
  FROM ct_profile WHERE identity = 'attr-1';

-- mParticle's example: an add, an attribute_update with an empty {} entry, a delete, in one profile
SELECT t.imp(t.msg(402, 1714900002000, jsonb_build_array(
	t.u('6002', jsonb_build_array(t.id('customer', 'attr-2')), jsonb_build_array(
		t.aud(47601, 'Example Audience Name'),
		t.aud(47602, 'Example Audience Name 2') || jsonb_build_object('action', 'attribute_update', 'user_attributes', jsonb_build_array(
			jsonb_build_object('key', 'Some Key', 'value', '9999999', 'action', 'upsert'),
			jsonb_build_object('key', 'Churned', 'action', 'delete'), '{}'::jsonb)),
		t.aud(47603, 'Example Audience Name 4', 'delete'))))));
SELECT identity, properties FROM ct_profile WHERE identity = 'attr-2';
SELECT audience, is_member FROM t.members WHERE who = 'attr-2' ORDER BY 1;

-- The newest message wins, key by key, as for memberships, emails and
-- phones: an upsert or delete older than what the profile holds for that key
-- is stale (ignored, counted, sampled); a newer one, or one for another
-- key, still applies; an equal time applies.
CREATE FUNCTION t.attrs(n int, ts_ms bigint, who text, ops jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.msg(n, ts_ms, jsonb_build_array(t.u('6100', jsonb_build_array(t.id('customer', who)),
		jsonb_build_array(t.aud(47610, 'Attributes in order') ||
			jsonb_build_object('action', 'attribute_update', 'user_attributes', ops)))))
$$;
SELECT t.imp(t.attrs(410, 1714900020000, 'attr-3', '[{"key": "plan", "value": "gold", "action": "upsert"},
	{"key": "city", "value": "Pune", "action": "upsert"}]'));
SELECT properties, properties_ts FROM ct_profile WHERE identity = 'attr-3';
-- an older message: plan and city are stale, a key it is the first to set applies
SELECT t.imp(t.attrs(411, 1714900010000, 'attr-3', '[{"key": "plan", "value": "silver", "action": "upsert"},
	{"key": "city", "action": "delete"}, {"key": "color", "value": "red", "action": "upsert"}]'));
SELECT properties, properties_ts FROM ct_profile WHERE identity = 'attr-3';
SELECT stale, samples FROM ct_import_log WHERE message_id = '00000000-0000-4000-8000-000000000411';
-- a newer delete, then an older upsert: the key stays deleted
SELECT t.counts(ct_import_audience(t.attrs(412, 1714900030000, 'attr-3', '[{"key": "plan", "action": "delete"}]')::text));
SELECT t.counts(ct_import_audience(t.attrs(413, 1714900025000, 'attr-3', '[{"key": "plan", "value": "bronze", "action": "upsert"}]')::text));
SELECT properties, properties_ts FROM ct_profile WHERE identity = 'attr-3';
-- an upsert of the same time as a delete: the delete wins, whichever
-- arrives first (README, "Equal times"); a newer one applies
SELECT t.imp(t.attrs(414, 1714900030000, 'attr-3', '[{"key": "plan", "value": "tie", "action": "upsert"}]'));
SELECT t.imp(t.attrs(415, 1714900040000, 'attr-3', '[{"key": "city", "value": "Goa", "action": "upsert"}]'));
SELECT properties, properties_ts FROM ct_profile WHERE identity = 'attr-3';
-- within one message the last operation on a key wins and none is stale
SELECT t.imp(t.attrs(416, 1714900050000, 'attr-3', '[{"key": "plan", "value": "a", "action": "upsert"},
	{"key": "plan", "action": "delete"}, {"key": "plan", "value": "b", "action": "upsert"}]'));
SELECT properties ->> 'plan' AS plan FROM ct_profile WHERE identity = 'attr-3';
-- the dry run predicts it: stale when every operation of the entry is
SELECT rule, change, problem FROM ct_preview_import(t.attrs(417, 1714900045000, 'attr-3',
	'[{"key": "plan", "value": "old", "action": "upsert"}]'));
SELECT rule, change, problem FROM ct_preview_import(t.attrs(417, 1714900045000, 'attr-3',
	'[{"key": "plan", "value": "old", "action": "upsert"}, {"key": "shoe", "value": "42", "action": "upsert"}]'));
SELECT t.imp(t.attrs(417, 1714900045000, 'attr-3',
	'[{"key": "plan", "value": "old", "action": "upsert"}, {"key": "shoe", "value": "42", "action": "upsert"}]'));
SELECT properties FROM ct_profile WHERE identity = 'attr-3';
-- a profile created by a message with attributes holds their times too
SELECT t.imp(t.attrs(418, 1714900060000, 'attr-4', '[{"key": "plan", "value": "new", "action": "upsert"},
	{"key": "gone", "action": "delete"}]'));
SELECT t.imp(t.attrs(419, 1714900055000, 'attr-4', '[{"key": "gone", "value": "back?", "action": "upsert"}]'));
SELECT properties, properties_ts FROM ct_profile WHERE identity = 'attr-4';
