-- The export to mParticle, the database's side: configuration and its
-- refusals, what each export type takes, requests built within mParticle's
-- limits and handed out again unchanged until answered, each answer's
-- effect, runs and their schedule, user properties, a one-time export,
-- and erasure.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT ct_register_project('TEST-EX', 'test-passcode-1', 'token-TEST-EX', 'eu1', 'Export');
SELECT t.imp(t.msg(2501, 1767261600000, jsonb_build_array(
	t.u('2501', jsonb_build_array(t.id('customer', 'ex-1'), t.id('email', 'ex1@example.com')), jsonb_build_array(t.aud(55001, 'Exported')), '__ex_1'),
	t.u('2502', jsonb_build_array(t.id('customer', 'ex-2')), jsonb_build_array(t.aud(55001, 'Exported')), '__ex_2'),
	t.u('2503', NULL, jsonb_build_array(t.aud(55001, 'Exported')), '__ex_3')), 'TEST-EX'));
CREATE FUNCTION t.ex(who text) RETURNS text LANGUAGE sql AS $$
	SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = 'TEST-EX' AND coalesce(identity, ct_id) = who
$$;
-- a request's batches: one row per batch
CREATE FUNCTION t.batches(body text)
RETURNS TABLE (who text, customer_id text, email text, environment text, events jsonb, user_attributes jsonb)
LANGUAGE sql AS $$
	SELECT coalesce(p.identity, p.ct_id), b -> 'user_identities' ->> 'customer_id',
		   b -> 'user_identities' ->> 'email', b ->> 'environment',
		   (SELECT jsonb_agg(jsonb_build_object('type', e ->> 'event_type', 'name', e -> 'data' ->> 'event_name',
												'custom_event_type', e -> 'data' ->> 'custom_event_type',
												'attributes', e -> 'data' -> 'custom_attributes') ORDER BY n)
			  FROM jsonb_array_elements(b -> 'events') WITH ORDINALITY AS x(e, n)),
		   b -> 'user_attributes'
	  FROM jsonb_array_elements(body::jsonb) WITH ORDINALITY AS x(b, i)
	  LEFT JOIN ctaudience.ct_profile p
		ON p.project_id = 'TEST-EX' AND p.ct_id = b -> 'partner_identities' ->> 'CleverTap_User_ID'
	 ORDER BY i
$$;
-- what an exporter gets from a claim, without its generated ids
CREATE FUNCTION t.claim(project text DEFAULT 'TEST-EX')
RETURNS TABLE (url text, feed_key text, batches int, events int, attempts int) LANGUAGE sql AS $$
	SELECT url, feed_key, batches, events, attempts FROM ctaudience.ct_export_claim(project, 60)
$$;
CREATE FUNCTION t.expire_lease() RETURNS void LANGUAGE sql AS $$
	UPDATE ctaudience.ct_export_request SET lease_until = now() - interval '1 second' WHERE state = 'pending'
$$;
CREATE FUNCTION t.pending() RETURNS bigint LANGUAGE sql AS $$
	SELECT request_id FROM ctaudience.ct_export_request WHERE project_id = 'TEST-EX' AND state = 'pending'
$$;

-- an event before there is an export is not exported
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Before', '{}', '2026-01-02 00:00+00') > 0 AS recorded;

-- configuration, and what it refuses
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s', environment => 'development');
SELECT ct_configure_export('TEST-NONE', 'k');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'key:with colon');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', data_center => 'mars');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', endpoint => 'ftp://example.com');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', endpoint => 'https://user@example.com/s2s');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', customer_id => 'phone');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', export_type => 'some_events');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', export_type => 'selected_events');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', events => ARRAY['Charged']);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', every => '1 hour');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', export_type => 'user_properties', every => '4 hours');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', schedule => 'once', look_back => '61 days');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', environment => 'staging');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_pause_export('TEST-NONE');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_pause_export(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_resume_export(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', export_type => 'selected_events', events => '{{a,b},{c,d}}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- http only to this host: the feed secret would go in clear
SELECT ct_configure_export('TEST-EX', 'k', endpoint => 'http://example.com/s2s');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_configure_export('TEST-EX', 'k', endpoint => 'http://127.0.0.1.example.com/s2s');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
UPDATE ct_export SET endpoint = 'http://example.com' WHERE project_id = 'TEST-EX';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- the data centers' endpoints
SELECT ct_register_project('TEST-EX-DC', 'test-passcode-1', 'token-TEST-EX-DC', 'eu1');
SELECT dc, (SELECT url FROM ct_export_claim('TEST-EX-DC') LIMIT 1) IS NULL AS nothing_to_send,
	   (SELECT ct_configure_export('TEST-EX-DC', 'k', data_center => dc)) IS NULL AS configured
  FROM unnest(ARRAY['default', 'us', 'eu', 'au']) dc;
-- https anywhere, http to this host
SELECT e, (SELECT ct_configure_export('TEST-EX-DC', 'k', endpoint => e)) IS NOT NULL AS configured
  FROM unnest(ARRAY['https://example.com', 'http://localhost:8080/s2s', 'http://[::1]:1', 'http://127.0.0.1']) e;

-- an all_events export takes new events but Partner Sync
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Charged', '{"Amount": 12.5, "Paid": true, "Items": ["a", "b"], "Note": null}',
					   '2026-01-15 10:00:00.250+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX', t.ex('ex-2'), 'App Uninstalled', '{"source": "sdk"}', '2026-01-15 10:01+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'UTM Visited', '{"utm_source": "news"}', '2026-01-15 10:02+00') > 0 AS recorded;
SELECT t.imp(t.msg(2503, 1767261700000, jsonb_build_array(
	t.u('2502', jsonb_build_array(t.id('customer', 'ex-2')), jsonb_build_array(t.aud(55001, 'Exported', 'delete')))), 'TEST-EX'));
SELECT coalesce(p.identity, p.ct_id) AS who, e.event_name FROM ct_export_outbox o
  JOIN ct_event e USING (project_id, ct_id, event_id) JOIN ct_profile p USING (project_id, ct_id)
 WHERE o.project_id = 'TEST-EX' ORDER BY 1, e.event_id;
SELECT * FROM ct_export_due();

-- a claim: the request, one user a batch, the profile's identities
SELECT * FROM t.claim();
SELECT b.* FROM ct_export_request r, t.batches(r.body) b WHERE r.project_id = 'TEST-EX';
SELECT e -> 'data' ->> 'timestamp_unixtime_ms' AS ms
  FROM ct_export_request r, jsonb_array_elements(r.body::jsonb) b, jsonb_array_elements(b -> 'events') e
 WHERE r.project_id = 'TEST-EX' AND e -> 'data' ->> 'event_name' = 'Charged';
-- while leased, no other exporter gets it
SELECT count(*) AS second_claim FROM ct_export_claim('TEST-EX');
-- no answer (a network error), then a 503: the same request again, counted
SELECT ct_export_result('TEST-EX', t.pending(), 0, 'connection refused');
SELECT t.expire_lease();
CREATE TEMP TABLE first AS SELECT * FROM ct_export_request WHERE project_id = 'TEST-EX';
SELECT r.source_request_id = f.source_request_id AS same_id, r.body = f.body AS same_body, r.request_id = f.request_id AS same_request,
	   c.attempts
  FROM ct_export_claim('TEST-EX') c JOIN ct_export_request r USING (request_id) JOIN first f USING (request_id);
SELECT ct_export_result('TEST-EX', t.pending(), 503, NULL, 30);
SELECT lease_until > now() + interval '25 seconds' AS retry_after_holds FROM ct_export_request WHERE project_id = 'TEST-EX';
SELECT last_error, status, waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
-- the same events always make the same request: built again, it is identical
DELETE FROM ct_export_request WHERE project_id = 'TEST-EX';
SELECT count(*) FROM t.claim();
SELECT r.source_request_id = f.source_request_id AS same_id, r.body = f.body AS same_body
  FROM ct_export_request r, first f WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
-- 202: accepted, the events leave the outbox, the figures move
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT waiting, requests_sent, batches_sent, events_sent, profiles_sent, last_error IS NOT NULL AS had_an_error
  FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT state, body IS NULL AS no_body, ct_ids IS NULL AS no_keys FROM ct_export_request WHERE project_id = 'TEST-EX';
-- nothing waits: the run ends, the next is due after "every"
SELECT count(*) FROM t.claim();
SELECT next_run_at > now() + interval '3 hours 59 minutes' AS next_in_4_hours, run_started_at IS NULL AS no_run
  FROM ct_export WHERE project_id = 'TEST-EX';
SELECT count(*) AS due FROM ct_export_due() WHERE project_id = 'TEST-EX';
-- a new event waits until then
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Later', '{}', '2026-01-16 00:00+00') > 0 AS recorded;
SELECT count(*) FROM t.claim();
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';

-- 400: a dead letter with mParticle's error, and the export moves on
UPDATE ct_export SET next_run_at = now() WHERE project_id = 'TEST-EX';
SELECT * FROM t.claim();
SELECT ct_export_result('TEST-EX', t.pending(), 400, '{"errors":[{"code":"BAD_REQUEST","message":"bad batch"}]}');
SELECT http_status, error, events FROM ct_export_dead_letters WHERE project_id = 'TEST-EX';
SELECT waiting, dead_letters FROM ct_export_status WHERE project_id = 'TEST-EX';

-- 401 and 403: the export pauses, nothing is skipped; resumed, the same request
SELECT ct_record_event('TEST-EX', t.ex('ex-2'), 'Again', '{}', '2026-01-17 00:00+00') > 0 AS recorded;
UPDATE ct_export SET next_run_at = now() WHERE project_id = 'TEST-EX';
SELECT events FROM t.claim();
SELECT ct_export_result('TEST-EX', t.pending(), 401);
SELECT status, paused_reason, waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT count(*) AS due FROM ct_export_due() WHERE project_id = 'TEST-EX';
SELECT count(*) AS claimed FROM t.claim();
SELECT ct_resume_export('TEST-EX');
SELECT events, attempts FROM t.claim();
SELECT ct_export_result('TEST-EX', t.pending(), 403);
SELECT ct_resume_export('TEST-EX');
SELECT ct_export_result('TEST-EX', (SELECT request_id FROM ct_export_claim('TEST-EX')), 202);
-- 404 and 405 (a wrong endpoint) pause the export too; 408 is sent again;
-- 413, 422 and any other 4xx are the request's fault: a dead letter
SELECT ct_record_event('TEST-EX', t.ex('ex-2'), 'Refused', '{}', '2026-01-17 00:00+00') > 0 AS recorded;
UPDATE ct_export SET next_run_at = now() WHERE project_id = 'TEST-EX';
SELECT events FROM t.claim();
SELECT ct_export_result('TEST-EX', t.pending(), 404);
SELECT status, paused_reason, waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT ct_resume_export('TEST-EX');
SELECT ct_export_result('TEST-EX', (SELECT request_id FROM ct_export_claim('TEST-EX')), 408);
SELECT t.expire_lease();
SELECT ct_export_result('TEST-EX', (SELECT request_id FROM ct_export_claim('TEST-EX')), 413, 'payload too large');
SELECT http_status, error, events FROM ct_export_dead_letters WHERE project_id = 'TEST-EX' AND http_status <> 400;
SELECT status, waiting, dead_letters FROM ct_export_status WHERE project_id = 'TEST-EX';
-- an answer to a request answered already changes nothing
SELECT ct_export_result('TEST-EX', (SELECT max(request_id) FROM ct_export_request WHERE project_id = 'TEST-EX'), 400);
SELECT ct_export_result('TEST-EX', -1, 202);
SELECT ct_export_result('TEST-EX', NULL, 202);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) FROM ct_export_claim('TEST-EX', 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_pause_export('TEST-EX');
SELECT status, paused_reason FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT ct_resume_export('TEST-EX');

-- selected events: the names given, Partner Sync only when named
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s',
						   export_type => 'selected_events', events => ARRAY['Partner Sync', 'Wanted']);
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Wanted', '{}', '2026-01-18 00:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Unwanted', '{}', '2026-01-18 00:00+00') > 0 AS recorded;
SELECT t.imp(t.msg(2504, 1767261800000, jsonb_build_array(
	t.u('2502', jsonb_build_array(t.id('customer', 'ex-2')), jsonb_build_array(t.aud(55001, 'Exported')))), 'TEST-EX'));
SELECT coalesce(p.identity, p.ct_id) AS who, e.event_name, e.props ->> 'Action' AS action FROM ct_export_outbox o
  JOIN ct_event e USING (project_id, ct_id, event_id) JOIN ct_profile p USING (project_id, ct_id)
 WHERE o.project_id = 'TEST-EX' ORDER BY 1, e.event_id;
-- engagement events: a campaign's outcomes only
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s', export_type => 'engagement_events');
SELECT count(*) AS waiting FROM ct_export_outbox WHERE project_id = 'TEST-EX';
SELECT ct_create_campaign('TEST-EX', 'Engage', 'sms', 'live_behavior', trigger_event => 'Tap', recurring => true) AS c \gset
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Tap', '{}', '2026-01-19 00:00+00') > 0 AS recorded;
SELECT count(*) AS taken FROM ct_campaign_take(:c, 10);
SELECT ct_record_delivery('TEST-EX', :c, t.ex('ex-1'), 'clicked', '2026-01-19 00:01+00') > 0 AS delivered;
SELECT e.event_name FROM ct_export_outbox o JOIN ct_event e USING (project_id, ct_id, event_id)
 WHERE o.project_id = 'TEST-EX' ORDER BY e.event_id;
SELECT batches, events FROM t.claim();
SELECT b.who, b.events -> 0 ->> 'name' AS name, b.events -> 0 ->> 'custom_event_type' AS custom_event_type,
	   (b.events -> 0 -> 'attributes') - 'Campaign id' - 'wzrk_id' AS attributes,
	   b.events -> 0 -> 'attributes' ->> 'Campaign id' = :'c' AS campaign_id
  FROM ct_export_request r, t.batches(r.body) b
 WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
SELECT ct_export_result('TEST-EX', t.pending(), 202);

-- mParticle's limits: one user's many events in batches of at most 128 KB,
-- requests of at most 256 KB and 100 batches; names, values and the
-- number of attributes cut, and counted
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
SELECT count(*) FROM (SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Big', jsonb_build_object('v', repeat('x', 3000), 'n', g),
											  '2026-01-20 00:00+00') FROM generate_series(1, 200) g) x;
SELECT count(*) FROM (SELECT ct_record_event('TEST-EX', t.ex('ex-2'), 'Small', jsonb_build_object('n', g),
											  '2026-01-20 00:00+00') FROM generate_series(1, 300) g) x;
SELECT ct_record_event('TEST-EX', '__ex_3', repeat('N', 300),
					   (SELECT jsonb_object_agg('k' || g, CASE WHEN g = 1 THEN repeat('é', 5000) ELSE 'v' END)
						  FROM generate_series(1, 150) g), '2026-01-20 00:00+00') > 0 AS recorded;
CREATE TEMP TABLE sent (request int, body text);
DO $$
DECLARE
	r record;
	n int := 0;
BEGIN
	LOOP
		SELECT * INTO r FROM ctaudience.ct_export_claim('TEST-EX');
		EXIT WHEN NOT FOUND;
		n := n + 1;
		INSERT INTO sent VALUES (n, r.body);
		PERFORM ctaudience.ct_export_result('TEST-EX', r.request_id, 202);
	END LOOP;
END
$$;
SELECT count(*) AS requests, max(octet_length(body)) <= 262144 AS requests_within_256kb,
	   max(jsonb_array_length(body::jsonb)) <= 100 AS at_most_100_batches
  FROM sent;
-- a batch begins {"source_request_id":" (a string cannot hold those quotes unescaped)
SELECT max(octet_length(b)) <= 131072 AS batches_within_128kb,
	   bool_and((b::jsonb) -> 'partner_identities' ->> 'CleverTap_User_ID' IS NOT NULL) AS each_a_user,
	   count(*) AS batches
  FROM sent, regexp_split_to_table(substr(body, 2, length(body) - 2), ',(?={"source_request_id":")') b;
SELECT coalesce(p.identity, p.ct_id) AS who, e -> 'data' ->> 'event_name' = 'Big' AS big, count(*) AS events
  FROM sent CROSS JOIN LATERAL jsonb_array_elements(body::jsonb) b CROSS JOIN LATERAL jsonb_array_elements(b -> 'events') e
  JOIN ct_profile p ON p.project_id = 'TEST-EX' AND p.ct_id = b -> 'partner_identities' ->> 'CleverTap_User_ID'
 GROUP BY 1, 2 ORDER BY 1, 2;
-- every event exactly once
SELECT count(*) AS events, count(DISTINCT e -> 'data' ->> 'source_message_id') AS distinct_ids
  FROM sent, jsonb_array_elements(body::jsonb) b, jsonb_array_elements(b -> 'events') e;
SELECT length(e -> 'data' ->> 'event_name') AS name_chars,
	   (SELECT count(*) FROM jsonb_object_keys(e -> 'data' -> 'custom_attributes')) AS attributes,
	   length(e -> 'data' -> 'custom_attributes' ->> 'k1') AS value_chars
  FROM sent, jsonb_array_elements(body::jsonb) b, jsonb_array_elements(b -> 'events') e
 WHERE e -> 'data' ->> 'event_name' LIKE 'NNN%';
SELECT cut, waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
-- names alike up to mParticle's 256 characters: the first is written (the
-- shortest: jsonb's order), the others are cut and counted, so that no key
-- comes twice in an event's attributes
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
SELECT cut AS cut_before FROM ct_export WHERE project_id = 'TEST-EX' \gset
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Long names',
					   jsonb_build_object(repeat('K', 256), 'exact', repeat('K', 256) || 'a', 'longer a',
										  repeat('K', 256) || 'b', 'longer b', 'short', 's'),
					   '2026-01-20 00:00+00') > 0 AS recorded;
SELECT batches, events FROM t.claim();
SELECT (octet_length(r.body) - octet_length(replace(r.body, '"' || repeat('K', 256) || '":', ''))) / 259 AS long_names_written,
	   r.body::jsonb #> '{0,events,0,data,custom_attributes}' ->> repeat('K', 256) AS kept
  FROM ct_export_request r WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT (SELECT cut FROM ct_export WHERE project_id = 'TEST-EX') - :cut_before AS cut;
-- an event that fills its batch to the byte goes (131,071 bytes: the
-- request's closing bracket is kept room for): the first event of a batch
-- has no comma before it (such an event once stopped the export for
-- good at the head of its outbox)
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
CREATE TEMP TABLE fill AS
SELECT (SELECT jsonb_object_agg('a' || lpad(i::text, 2, '0'), repeat('x', 4096)) FROM generate_series(1, 31) i) AS props;
SELECT ct_record_event('TEST-EX', '__ex_3', 'Fill', props || '{"zzzz": "y"}', '2026-01-20 00:00+00') > 0 AS recorded FROM fill;
SELECT request_id AS fill_request, 131071 - (octet_length(body) - 2) + 1 AS fill_chars FROM ct_export_claim('TEST-EX') \gset
SELECT ct_export_result('TEST-EX', :fill_request, 202);
SELECT ct_record_event('TEST-EX', '__ex_3', 'Fill', props || jsonb_build_object('zzzz', repeat('y', :fill_chars)),
					   '2026-01-20 00:00+00') > 0 AS recorded FROM fill;
SELECT batches, events, octet_length(body) - 2 AS batch_bytes FROM ct_export_claim('TEST-EX');
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';

-- a request reads the outbox from where the session's last one left it:
-- an event queued meanwhile before that point goes once the request
-- reaches the outbox's end with room left, and every event still goes once
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
INSERT INTO ct_profile (project_id, ct_id, identity) VALUES ('TEST-EX', repeat('0', 32), 'ex-0');
SELECT count(*) FROM (SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Big', jsonb_build_object('v', repeat('x', 3000), 'n', g),
											  '2026-01-21 00:00+00') FROM generate_series(1, 150) g) x;
TRUNCATE sent;
DO $$
DECLARE
	r record;
	n int := 0;
BEGIN
	LOOP
		SELECT * INTO r FROM ctaudience.ct_export_claim('TEST-EX');
		EXIT WHEN NOT FOUND;
		n := n + 1;
		INSERT INTO sent VALUES (n, r.body);
		PERFORM ctaudience.ct_export_result('TEST-EX', r.request_id, 202);
		IF n = 1 THEN
			PERFORM ctaudience.ct_record_event('TEST-EX', repeat('0', 32), 'Late', '{}', '2026-01-21 00:00+00');
		END IF;
	END LOOP;
END
$$;
SELECT request, coalesce(p.identity, p.ct_id) AS who, e -> 'data' ->> 'event_name' AS event, count(*) AS events
  FROM sent CROSS JOIN LATERAL jsonb_array_elements(body::jsonb) b CROSS JOIN LATERAL jsonb_array_elements(b -> 'events') e
  JOIN ct_profile p ON p.project_id = 'TEST-EX' AND p.ct_id = b -> 'partner_identities' ->> 'CleverTap_User_ID'
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT count(*) AS events, count(DISTINCT e -> 'data' ->> 'source_message_id') AS distinct_ids
  FROM sent, jsonb_array_elements(body::jsonb) b, jsonb_array_elements(b -> 'events') e;
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
DELETE FROM ct_event WHERE project_id = 'TEST-EX' AND ct_id = repeat('0', 32);
DELETE FROM ct_profile WHERE project_id = 'TEST-EX' AND ct_id = repeat('0', 32);

-- rows before the cursor get their turn while rows after it keep coming:
-- the last profile in key order records an event after every request, and
-- a row queued before the cursor goes in the next request (once it waited
-- until that profile stopped)
INSERT INTO ct_profile (project_id, ct_id, identity) VALUES ('TEST-EX', repeat('z', 32), 'ex-z');
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
SELECT ct_record_event('TEST-EX', repeat('z', 32), 'Hot', '{}', '2026-01-21 00:00+00') > 0 AS recorded;
TRUNCATE sent;
DO $$
DECLARE
	r record;
	n int := 0;
BEGIN
	LOOP
		SELECT * INTO r FROM ctaudience.ct_export_claim('TEST-EX');
		EXIT WHEN NOT FOUND;
		n := n + 1;
		INSERT INTO sent VALUES (n, r.body);
		PERFORM ctaudience.ct_export_result('TEST-EX', r.request_id, 202);
		IF n <= 5 THEN
			PERFORM ctaudience.ct_record_event('TEST-EX', repeat('z', 32), 'Hot', '{}', '2026-01-21 00:00+00');
		END IF;
		IF n = 1 THEN
			PERFORM ctaudience.ct_record_event('TEST-EX', '__ex_3', 'Cold', '{}', '2026-01-21 00:00+00');
		END IF;
	END LOOP;
END
$$;
SELECT request, string_agg(e -> 'data' ->> 'event_name', ', ' ORDER BY e -> 'data' ->> 'event_name') AS events
  FROM sent CROSS JOIN LATERAL jsonb_array_elements(body::jsonb) b CROSS JOIN LATERAL jsonb_array_elements(b -> 'events') e
 GROUP BY 1 ORDER BY 1;
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
DELETE FROM ct_event WHERE project_id = 'TEST-EX' AND ct_id = repeat('z', 32);
DELETE FROM ct_profile WHERE project_id = 'TEST-EX' AND ct_id = repeat('z', 32);

-- an event queued between a claim and its answer, among the outbox rows
-- the request covers (in key order), is not one of them: the answer
-- leaves it waiting, and the next request sends it
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
SELECT count(*) FROM (SELECT ct_record_event('TEST-EX', t.ex(w), 'Around', '{}', '2026-01-21 12:00+00')
						FROM (VALUES ('ex-1'), ('ex-2')) v(w)) x;
SELECT batches, events FROM t.claim();
SELECT count(*) FROM (SELECT ct_record_event('TEST-EX', least(t.ex('ex-1'), t.ex('ex-2')) COLLATE "C", 'Between', '{}',
											  '2026-01-21 12:00+00')) x;
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT e -> 'data' ->> 'event_name' AS event
  FROM ct_export_claim('TEST-EX') c, jsonb_array_elements(c.body::jsonb) b, jsonb_array_elements(b -> 'events') e;
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';

-- a request of small events covers more than 1,000 outbox rows, and a
-- claim drops any number of rows with nothing left to send (here the
-- events of one user, purged meanwhile)
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
SELECT count(*) FROM (SELECT ct_record_event('TEST-EX', t.ex(w), 'Tiny', '{}', '2026-01-22 00:00+00')
						FROM generate_series(1, 1200) g, (VALUES ('ex-1'), ('ex-2')) v(w)) x;
DELETE FROM ct_event WHERE project_id = 'TEST-EX' AND ct_id = t.ex('ex-2') AND event_name = 'Tiny';
SELECT batches, events FROM t.claim();
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT count(*) FROM t.claim();
SELECT waiting FROM ct_export_status WHERE project_id = 'TEST-EX';

-- user properties: CleverTap's profile properties as ct_* user attributes,
-- the profiles updated since the last run
UPDATE ct_profile SET properties = '{"Name": "Ex One", "MSG-push": true, "Plan": "gold"}', updated_at = now() - interval '1 minute'
 WHERE project_id = 'TEST-EX' AND identity = 'ex-1';
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s', export_type => 'user_properties',
						   customer_id => 'property:Plan');
SELECT batches, events FROM t.claim();
SELECT b.who, b.customer_id, b.email, b.events, b.user_attributes
  FROM ct_export_request r, t.batches(r.body) b WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
CREATE TEMP TABLE up_ids AS
SELECT 1 AS run, b ->> 'source_request_id' AS id, b -> 'user_attributes' AS attributes, b -> 'user_identities' ->> 'email' AS email
  FROM ct_export_request r, jsonb_array_elements(r.body::jsonb) b WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT count(*) FROM t.claim();
SELECT every, next_run_at > now() + interval '23 hours' AS next_tomorrow FROM ct_export_status WHERE project_id = 'TEST-EX';
-- a value set back to an earlier one, or a new email with the same
-- attributes, is a batch of a new id (mParticle forwards nothing of a
-- batch whose id it has seen); the same profile row gives the same id
CREATE FUNCTION t.up_run(run int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r record;
BEGIN
	UPDATE ctaudience.ct_export SET next_run_at = now() WHERE project_id = 'TEST-EX';
	SELECT * INTO r FROM ctaudience.ct_export_claim('TEST-EX');
	INSERT INTO up_ids SELECT run, b ->> 'source_request_id', b -> 'user_attributes', b -> 'user_identities' ->> 'email'
	  FROM jsonb_array_elements(r.body::jsonb) b;
	IF run = 3 THEN
		-- built again from the same outbox and profile rows: the same id
		DELETE FROM ctaudience.ct_export_request WHERE project_id = 'TEST-EX' AND request_id = r.request_id;
		SELECT * INTO r FROM ctaudience.ct_export_claim('TEST-EX');
		INSERT INTO up_ids SELECT 30, b ->> 'source_request_id', b -> 'user_attributes', b -> 'user_identities' ->> 'email'
		  FROM jsonb_array_elements(r.body::jsonb) b;
	END IF;
	PERFORM ctaudience.ct_export_result('TEST-EX', r.request_id, 202);
	PERFORM ctaudience.ct_export_claim('TEST-EX');
END
$$;
UPDATE ct_profile SET properties = properties || '{"MSG-push": false}', updated_at = now()
 WHERE project_id = 'TEST-EX' AND identity = 'ex-1';
SELECT t.up_run(2);
UPDATE ct_profile SET properties = properties || '{"MSG-push": true}', updated_at = now()
 WHERE project_id = 'TEST-EX' AND identity = 'ex-1';
SELECT t.up_run(3);
UPDATE ct_profile SET email = 'ex1-new@example.com', updated_at = now() WHERE project_id = 'TEST-EX' AND identity = 'ex-1';
SELECT t.up_run(4);
SELECT run, attributes ->> 'ct_push_opt_in' AS push, email, id = first_value(id) OVER (ORDER BY run) AS id_of_run_1,
	   id = lag(id) OVER (ORDER BY run) AS id_of_the_run_before
  FROM up_ids WHERE run <= 4 ORDER BY run;
SELECT count(DISTINCT id) FILTER (WHERE run <= 4) AS distinct_ids, count(*) FILTER (WHERE run <= 4) AS runs,
	   (SELECT id FROM up_ids WHERE run = 3) = (SELECT id FROM up_ids WHERE run = 30) AS built_again_same_id
  FROM up_ids;
-- user attributes larger than a batch holds (8 values of 4,096 characters
-- written as \u0001, 24 KB each) are cut to fit it
UPDATE ct_profile SET properties = (SELECT jsonb_object_agg(k, repeat(chr(1), 4096))
									  FROM unnest(ARRAY['Name', 'Gender', 'DOB', 'Photo', 'MSG-email', 'MSG-push', 'MSG-sms',
														'MSG-whatsapp']) k),
	   updated_at = now()
 WHERE project_id = 'TEST-EX' AND identity = 'ex-2';
SELECT cut AS cut_before FROM ct_export WHERE project_id = 'TEST-EX' \gset
SELECT t.up_run(5);
SELECT (SELECT count(*) FROM jsonb_object_keys(attributes)) AS attributes,
	   octet_length(jsonb_build_object('user_attributes', attributes)::text) > 131072 AS attributes_over_128kb,
	   (SELECT cut FROM ct_export WHERE project_id = 'TEST-EX') - :cut_before AS cut
  FROM up_ids WHERE run = 5;

-- once: the events of the last look_back, then done
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s', schedule => 'once',
						   look_back => '30 days', customer_id => 'email');
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Recent', '{}', now() - interval '2 days') > 0 AS recorded;
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Old', '{}', now() - interval '40 days') > 0 AS recorded;
SELECT count(*) AS waiting_before_the_run FROM ct_export_outbox WHERE project_id = 'TEST-EX';
SELECT batches, events FROM t.claim();
SELECT b.who, b.customer_id, b.events FROM ct_export_request r, t.batches(r.body) b
 WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
SELECT ct_export_result('TEST-EX', t.pending(), 202);
SELECT count(*) FROM t.claim();
SELECT status, next_run_at FROM ct_export_status WHERE project_id = 'TEST-EX';

-- erasure: nothing of the subject waits, is pending or stays as a dead letter
SELECT ct_configure_export('TEST-EX', 'feed-key-1', endpoint => 'http://127.0.0.1:1/s2s');
SELECT t.ex('ex-1') AS subject \gset
-- mParticle's answer to a request of the subject may quote it: the export's
-- last error goes with that request
SELECT last_error FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Quoted', '{}', '2026-01-20 00:00+00') > 0 AS recorded;
SELECT batches, events FROM t.claim();
SELECT ct_export_result('TEST-EX', t.pending(), 400, 'bad value in ex-1''s batch');
SELECT last_error FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT count(*) AS dead_letters_with_the_subject FROM ct_export_request
 WHERE project_id = 'TEST-EX' AND state = 'dead' AND :'subject' = ANY (ct_ids);
SELECT ct_record_event('TEST-EX', t.ex('ex-1'), 'Private', '{}', '2026-01-21 00:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX', t.ex('ex-2'), 'Public', '{}', '2026-01-21 00:00+00') > 0 AS recorded;
SELECT batches FROM t.claim();
SELECT t.pending() AS claimed_request \gset
SELECT ct_firehose(jsonb_build_object(
	'type', 'dsr_processing_request', 'id', '00000000-0000-4000-8000-000000002505',
	'timestamp_ms', 1767261900000, 'firehose_version', '3.2.0',
	'account', jsonb_build_object('account_id', 1, 'account_settings', jsonb_build_object(
		'accountId', 'TEST-EX', 'passcode', 'test-passcode-1', 'accountToken', 'token-TEST-EX', 'region', 'eu1')),
	'subject_request_id', '00000000-0000-4000-8000-000000002506', 'subject_request_type', 'erasure',
	'subject_identities', jsonb_build_object('customer_id', jsonb_build_object('value', 'ex-1', 'encoding', 'raw')))) -> 'ctaudience' AS erased;
SELECT count(*) AS requests_with_the_subject FROM ct_export_request
 WHERE project_id = 'TEST-EX' AND state <> 'accepted' AND :'subject' = ANY (ct_ids);
SELECT count(*) AS waiting_of_the_subject FROM ct_export_outbox WHERE project_id = 'TEST-EX' AND ct_id = :'subject';
SELECT last_error FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT count(*) FILTER (WHERE state = 'dead') AS dead_letters, count(*) FILTER (WHERE state = 'pending') AS pending
  FROM ct_export_request WHERE project_id = 'TEST-EX';
-- the exporter holds the request it claimed before it posts it: erased
-- since the claim, there is none to hold, and it is not posted
BEGIN;
SELECT ct_export_hold('TEST-EX', :claimed_request) AS held_after_the_erasure;
COMMIT;
-- the other user's event goes in a new request, without the subject
SELECT batches, events FROM t.claim();
SELECT b.who, b.events FROM ct_export_request r, t.batches(r.body) b
 WHERE r.project_id = 'TEST-EX' AND r.state = 'pending';
-- that one is held (the lock: test/specs/hold.spec); a hold wants both
-- arguments, a transaction block, and the export's role
BEGIN;
SELECT ct_export_hold('TEST-EX', t.pending()) AS held;
COMMIT;
SELECT ct_export_hold(NULL, 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_export_hold('TEST-EX', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_export_hold('TEST-EX', t.pending());
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE ctaudience_reader;
BEGIN;
SELECT ct_export_hold('TEST-EX', 1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET ROLE;
SELECT count(*) AS deliveries_of_the_subject FROM ct_delivery WHERE project_id = 'TEST-EX' AND ct_id = :'subject';

-- ct_purge_events also deletes the requests mParticle accepted before its
-- time (the others stay); erasures, merges and ct_export_status read those
-- others through a partial index
SELECT state, count(*) FROM ct_export_request WHERE project_id = 'TEST-EX' GROUP BY 1 ORDER BY 1;
SELECT ct_purge_events('TEST-EX', now() + interval '1 minute') > 0 AS purged;
SELECT state, count(*) FROM ct_export_request WHERE project_id = 'TEST-EX' GROUP BY 1 ORDER BY 1;
SELECT requests_sent > 0 AS figures_kept FROM ct_export_status WHERE project_id = 'TEST-EX';
SELECT indexdef FROM pg_indexes WHERE schemaname = 'ctaudience' AND indexname = 'ct_export_request_open_idx';

-- values mParticle refuses (a 400 for the whole request: up to 100 users'
-- events lost) never reach a request: a property of an empty name is left
-- out (and counted as cut), an empty customer_id is left out, a time
-- before 1970 is refused when recorded, and one stored already is sent as
-- the first millisecond after 1970
SELECT ct_register_project('TEST-EX-ODD', 'test-passcode-1', 'token-TEST-EX-ODD', 'eu1');
SELECT t.imp(t.msg(2590, 1767261600000, jsonb_build_array(
	t.u('2590', jsonb_build_array(t.id('customer', 'odd-1')), jsonb_build_array(t.aud(55090, 'Odd')), '__odd_1'),
	t.u('2591', jsonb_build_array(t.id('customer', 'odd-2')), jsonb_build_array(t.aud(55090, 'Odd')), '__odd_2')),
	'TEST-EX-ODD'));
UPDATE ct_profile SET properties = '{"Name": ""}' WHERE project_id = 'TEST-EX-ODD' AND identity = 'odd-1';
UPDATE ct_profile SET properties = '{"Name": "Two"}' WHERE project_id = 'TEST-EX-ODD' AND identity = 'odd-2';
SELECT ct_configure_export('TEST-EX-ODD', 'k', endpoint => 'http://127.0.0.1:1/s2s', customer_id => 'property:Name');
SELECT ct_record_event('TEST-EX-ODD', '__odd_1', 'Before 1970', '{}', '1969-12-31 23:59:59+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-EX-ODD', '__odd_1', 'At 1970', '{}', '1970-01-01 00:00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_delivery('TEST-EX-ODD', 1, '__odd_1', 'sent', '1900-01-01 00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_record_event('TEST-EX-ODD', '__odd_1', 'Just after 1970', '{}', '1970-01-01 00:00:00.001+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX-ODD', '__odd_1', 'Empty name', '{"": "x", "kept": "y"}', '2026-01-22 00:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX-ODD', '__odd_2', 'Old row', '{}', '2026-01-22 00:00+00') > 0 AS recorded;
-- a row stored before the refusal
UPDATE ct_event SET ts = '1969-07-20 20:17:40+00' WHERE project_id = 'TEST-EX-ODD' AND event_name = 'Old row';
SELECT batches, events FROM t.claim('TEST-EX-ODD');
SELECT b -> 'partner_identities' ->> 'CleverTap_User_ID' AS who, b -> 'user_identities' AS user_identities,
	   e -> 'data' ->> 'event_name' AS name, e -> 'data' -> 'timestamp_unixtime_ms' AS ms,
	   e -> 'data' -> 'custom_attributes' AS attributes
  FROM ct_export_request r, jsonb_array_elements(r.body::jsonb) b, jsonb_array_elements(b -> 'events') e
 WHERE r.project_id = 'TEST-EX-ODD' ORDER BY 1, 3;
SELECT cut FROM ct_export_request WHERE project_id = 'TEST-EX-ODD';
SELECT ct_export_result('TEST-EX-ODD', (SELECT request_id FROM ct_export_request WHERE project_id = 'TEST-EX-ODD'), 202);

-- a row queued while the selection was narrowed (its insert did not see
-- the change: inserted here as it was) is dropped by the claim, not sent
SELECT ct_configure_export('TEST-EX-ODD', 'k', endpoint => 'http://127.0.0.1:1/s2s',
						   export_type => 'selected_events', events => ARRAY['Wanted']);
SELECT ct_record_event('TEST-EX-ODD', '__odd_2', 'Wanted', '{}', '2026-01-23 00:00+00') > 0 AS recorded;
SELECT ct_record_event('TEST-EX-ODD', '__odd_2', 'Not selected', '{}', '2026-01-23 00:00+00') AS not_selected \gset
INSERT INTO ct_export_outbox (project_id, ct_id, event_id) VALUES ('TEST-EX-ODD', '__odd_2', :not_selected);
SELECT batches, events FROM t.claim('TEST-EX-ODD');
SELECT e -> 'data' ->> 'event_name' AS name
  FROM ct_export_request r, jsonb_array_elements(r.body::jsonb) b, jsonb_array_elements(b -> 'events') e
 WHERE r.project_id = 'TEST-EX-ODD' AND r.state = 'pending';
SELECT count(*) AS left_waiting FROM ct_export_outbox WHERE project_id = 'TEST-EX-ODD';

-- a redirect (any 3xx: the exporter does not follow it) pauses the export
-- like a wrong endpoint, rather than being sent again for ever
SELECT ct_export_result('TEST-EX-ODD', (SELECT request_id FROM ct_export_request
										 WHERE project_id = 'TEST-EX-ODD' AND state = 'pending'), 301, 'Moved Permanently');
SELECT status, paused_reason, waiting FROM ct_export_status WHERE project_id = 'TEST-EX-ODD';
SELECT ct_resume_export('TEST-EX-ODD');
SELECT ct_export_result('TEST-EX-ODD', (SELECT request_id FROM ct_export_claim('TEST-EX-ODD')), 308);
SELECT status FROM ct_export_status WHERE project_id = 'TEST-EX-ODD';

-- who may do what: the exporter's role claims and answers, readers see the status
SELECT has_function_privilege('ctaudience_exporter', 'ct_export_claim(text, integer)', 'EXECUTE') AS exporter_claims,
	   has_function_privilege('ctaudience_exporter', 'ct_export_hold(text, bigint)', 'EXECUTE') AS exporter_holds,
	   has_function_privilege('ctaudience_exporter', 'ct_configure_export(text, text, text, text, text, text, text[], text, interval, interval, text, boolean)', 'EXECUTE') AS exporter_configures,
	   has_table_privilege('ctaudience_reader', 'ct_export_status', 'SELECT') AS reader_sees_status,
	   has_table_privilege('ctaudience_exporter', 'ct_export', 'SELECT') AS exporter_reads_table,
	   has_function_privilege('ctaudience_importer', 'ct_export_result(text, bigint, integer, text, integer)', 'EXECUTE') AS importer_answers;
