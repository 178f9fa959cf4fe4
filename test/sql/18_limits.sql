-- Limits: a message over ctaudience.max_message_bytes, with more user
-- profiles than ctaudience.max_profiles_per_message, naming more audiences
-- than ctaudience.max_audiences_per_message, or with
-- audience_subscription_settings over 4096 bytes (as jsonb) is refused
-- with SQLSTATE 54000 before the work it would cause, as text and as
-- jsonb, and writes nothing.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT count(*) AS messages_before FROM ct_message \gset
CREATE FUNCTION t.users(n int, first_audience int DEFAULT 18001, audiences int DEFAULT 1) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_agg(t.u(i::text, jsonb_build_array(t.id('customer', 'limit-' || i)),
						 jsonb_build_array(t.aud(first_audience + i % audiences, 'Limit ' || (first_audience + i % audiences)))))
	  FROM generate_series(1, n) i
$$;

SET ctaudience.max_profiles_per_message = 3;
SHOW ctaudience.max_profiles_per_message;
SELECT t.imp(t.msg(1801, 1715000000000, t.users(3)));
SELECT ct_import_audience(t.msg(1802, 1715000000000, t.users(4)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(1802, 1715000000000, t.users(4))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_enqueue(t.msg(1802, 1715000000000, t.users(4)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ct_preview_import(t.msg(1802, 1715000000000, t.users(4)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ctaudience.max_profiles_per_message;

SET ctaudience.max_audiences_per_message = 2;
SELECT t.imp(t.msg(1803, 1715000000000, t.users(4, 18010, 2)));
SELECT ct_import_audience(t.msg(1804, 1715000000000, t.users(4, 18020, 3)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(1804, 1715000000000, t.users(4, 18020, 3))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- queued, it is refused at once as well, not acknowledged and dead-lettered
-- later; an audience named again counts once (message 1500 is one the inbox
-- holds: its row answers, nothing is queued)
SELECT ct_enqueue(t.msg(1804, 1715000000000, t.users(4, 18020, 3)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose_enqueue(t.msg(1804, 1715000000000, t.users(4, 18020, 3))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_enqueue(t.msg(1500, 1715000000000, t.users(4, 18010, 2))) = (SELECT inbox_id FROM ct_inbox
	WHERE project_id = 'TEST-1' AND message_id = '00000000-0000-4000-8000-000000001500') AS two_audiences_accepted;
RESET ctaudience.max_audiences_per_message;
SELECT count(*) AS segments_of_the_refused_message FROM ct_segment WHERE partner_segment_id BETWEEN 18020 AND 18029;

-- settings: a few short ones are kept; over 4096 bytes is refused
SELECT t.imp(t.msg(1805, 1715000000000, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'limit-s')),
	jsonb_build_array(t.aud(18030, 'Settings') || '{"audience_subscription_settings": {"a": "1", "userIdField": "customer"}}')))));
SELECT ct_import_audience(t.msg(1806, 1715000000000, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'limit-s')),
	jsonb_build_array(t.aud(18030, 'Settings') || jsonb_build_object('audience_subscription_settings',
		jsonb_build_object('big', repeat('x', 5000))))))));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(1806, 1715000000000, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'limit-s')),
	jsonb_build_array(t.aud(18030, 'Settings') || jsonb_build_object('audience_subscription_settings',
		jsonb_build_object('big', repeat('x', 5000)))))))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose_enqueue(t.msg(1806, 1715000000000, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'limit-s')),
	jsonb_build_array(t.aud(18030, 'Settings') || jsonb_build_object('audience_subscription_settings',
		jsonb_build_object('big', repeat('x', 5000)))))))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(jsonb_build_object('type', 'audience_subscription_request', 'id', '00000000-0000-4000-8000-000000001807',
	'timestamp_ms', 1715000000000, 'account', t.msg(0, 1, NULL) -> 'account', 'audience_id', 18030,
	'audience_name', 'Settings', 'action', 'update',
	'audience_subscription_settings', (SELECT jsonb_object_agg('k' || i, repeat('v', 100)) FROM generate_series(1, 50) i)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_enqueue(jsonb_build_object('type', 'audience_subscription_request', 'id', '00000000-0000-4000-8000-000000001807',
	'timestamp_ms', 1715000000000, 'account', t.msg(0, 1, NULL) -> 'account', 'audience_id', 18030,
	'audience_name', 'Settings', 'action', 'update',
	'audience_subscription_settings', (SELECT jsonb_object_agg('k' || i, repeat('v', 100)) FROM generate_series(1, 50) i)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT octet_length(settings::text) < 4096 AS settings_small FROM ct_segment WHERE partner_segment_id = 18030;

-- the message size, checked before the message is read
SET ctaudience.max_message_bytes = '1kB';
SHOW ctaudience.max_message_bytes;
SELECT ct_import_audience(t.msg(1808, 1715000000000, t.users(20))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(1808, 1715000000000, t.users(20)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(t.msg(1808, 1715000000000, t.users(20))::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_enqueue(t.msg(1808, 1715000000000, t.users(20)));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ctaudience.max_message_bytes;

SELECT (SELECT count(*) FROM ct_message) - :messages_before AS new_messages,
	   (SELECT count(*) FROM ct_inbox WHERE message_id LIKE '%180_') AS queued;

-- only a superuser changes the limits
CREATE ROLE ct_limit_user;
SET ROLE ct_limit_user;
SET ctaudience.max_profiles_per_message = 1000000;
SET ctaudience.max_message_bytes = '1GB';
RESET ROLE;
DROP ROLE ct_limit_user;
