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
