-- Message time is bounded: a membership or subscription message dated more
-- than ctaudience.max_clock_skew ahead of the server's clock is refused
-- (22008) and writes nothing, so a sender's broken clock cannot make every
-- later real message stale.  Timestamps of 0 or less are refused too.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- now, an hour ago, five minutes ahead, in 2100 (ms since 1970)
SELECT (extract(epoch FROM now()) * 1000)::bigint AS now_ms \gset
SELECT :now_ms - 3600000 AS past_ms, :now_ms + 300000 AS soon_ms, 4102444800000 AS future_ms \gset

CREATE FUNCTION t.clock_msg(n int, ts_ms bigint, action text DEFAULT 'add') RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.msg(n, ts_ms, jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'clock-1')),
												 jsonb_build_array(t.aud(16001, 'Clock', action)))))
$$;

SELECT t.imp(t.clock_msg(1601, :past_ms));
SHOW ctaudience.max_clock_skew;
-- the message from 2100 is refused, through every entry point, and writes nothing
SELECT count(*) AS messages_before FROM ct_message \gset
SELECT ct_import_audience(t.clock_msg(1602, :future_ms, 'delete'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.clock_msg(1602, :future_ms, 'delete')::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(t.clock_msg(1602, :future_ms, 'delete')::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_enqueue(t.clock_msg(1602, :future_ms, 'delete'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ct_preview_import(t.clock_msg(1602, :future_ms, 'delete'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_firehose(jsonb_build_object('type', 'audience_subscription_request', 'id', '00000000-0000-4000-8000-000000001603',
	'timestamp_ms', :future_ms, 'account', t.msg(0, 1, NULL) -> 'account',
	'audience_id', 16001, 'audience_name', 'Renamed from 2100', 'action', 'update'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT (SELECT count(*) FROM ct_message) - :messages_before AS new_messages,
	   (SELECT count(*) FROM ct_inbox WHERE message_id LIKE '%1602') AS queued,
	   (SELECT name FROM ct_segment WHERE partner_segment_id = 16001) AS name;

-- so a later real message still applies: not stale
SELECT t.imp(t.clock_msg(1604, :past_ms + 1000, 'delete'));
SELECT is_member FROM t.members WHERE who = 'clock-1';

-- a few minutes ahead is within the bound; the bound is a setting
SELECT t.imp(t.clock_msg(1605, :soon_ms));
SET ctaudience.max_clock_skew = '1min';
SELECT left(t.err(format('SELECT ct_import_audience(%L::jsonb)', t.clock_msg(1606, :soon_ms + 1000, 'delete'))), 5) AS sqlstate;
RESET ctaudience.max_clock_skew;
SELECT t.imp(t.clock_msg(1606, :soon_ms + 1000, 'delete'));

-- an erasure's time orders nothing: it is not refused for its date
SELECT ct_firehose(jsonb_build_object('type', 'dsr_processing_request', 'id', '00000000-0000-4000-8000-000000001607',
	'timestamp_ms', :future_ms, 'account', t.msg(0, 1, NULL) -> 'account', 'subject_request_type', 'erasure',
	'subject_identities', '{"customer_id": {"encoding": "raw", "value": "clock-nobody"}}'::jsonb)) -> 'ctaudience';

-- 0 and negative times are refused, as text and as jsonb
SELECT ct_import_audience(t.clock_msg(1608, 0));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.clock_msg(1608, 0)::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.clock_msg(1608, -1)::text);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- only a superuser sets the bound
CREATE ROLE ct_clock_user;
SET ROLE ct_clock_user;
SET ctaudience.max_clock_skew = '1year';
RESET ROLE;
DROP ROLE ct_clock_user;
