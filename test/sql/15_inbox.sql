-- Scheduled imports: ct_enqueue() checks and queues (without the passcode),
-- ct_process_inbox() answers, keeps failures, retries, dead-letters.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- queue two membership messages
SELECT ct_enqueue(t.msg(1500, 1716500000000, jsonb_build_array(
	t.u('8601', jsonb_build_array(t.id('customer', 'inbox-1'), t.id('email', 'Inbox.One@Example.com')),
		jsonb_build_array(t.aud(48100, 'Inbox')))))) AS first \gset
SELECT ct_enqueue(t.msg(1501, 1716500001000, jsonb_build_array(
	t.u('8602', jsonb_build_array(t.id('customer', 'inbox-2')), jsonb_build_array(t.aud(48100, 'Inbox'))),
	t.u('8601', jsonb_build_array(t.id('customer', 'inbox-1')), jsonb_build_array(t.aud(48100, 'Inbox', 'delete')))))) > :first AS second_after_first;

-- what is stored: never the passcode (the rest of the body as sent)
SELECT inbox_id - :first AS n, project_id, message_type, message_id, status, attempts,
	   body -> 'account' -> 'account_settings' AS settings, body -> 'user_profiles' IS NOT NULL AS has_profiles
  FROM ct_inbox ORDER BY inbox_id;
SELECT count(*) AS bodies_with_the_passcode FROM ct_inbox WHERE body::text LIKE '%test-passcode-1%';

-- refused at once, nothing queued: wrong passcode, unknown project, unknown
-- type, bad envelope, a registration (answered at once by ct_firehose)
SELECT ct_enqueue(jsonb_set(t.msg(1502, 1716500002000, '[]'), '{account,account_settings,passcode}', '"wrong"'));
SELECT ct_enqueue(t.msg(1503, 1716500003000, '[]', 'NO-SUCH-PROJECT'));
SELECT ct_enqueue(t.msg(1504, 1716500004000, '[]') || '{"type": "audience_unknown_request"}');
SELECT ct_enqueue(t.msg(1505, 1716500005000, '[]') - 'id');
SELECT ct_enqueue('[]');
SELECT ct_enqueue('{"type": "module_registration_request", "id": "438b0f74-8656-4f87-93c7-c9f9ac8a5544", "timestamp_ms": 1714592744067}');
SELECT count(*) AS queued FROM ct_inbox;

-- nothing is imported until the inbox is processed
SELECT count(*) AS profiles_before FROM ct_profile WHERE identity IN ('inbox-1', 'inbox-2');
SELECT * FROM ct_process_inbox(1);
SELECT * FROM ct_process_inbox();
SELECT * FROM ct_process_inbox();
SELECT inbox_id - :first AS n, status, attempts, processed_at IS NOT NULL AS processed,
	   response ->> 'type' AS response_type, t.counts(response) AS counts, last_error
  FROM ct_inbox ORDER BY inbox_id;
SELECT who, audience, is_member FROM t.members WHERE who IN ('inbox-1', 'inbox-2') ORDER BY who;
SELECT who, action FROM t.events WHERE who IN ('inbox-1', 'inbox-2') ORDER BY who, ts;
-- the same response as ct_firehose gives for a redelivery of the message
SELECT t.counts(ct_firehose(t.msg(1500, 1716500000000, '[]'))) AS redelivered;

-- a message that is malformed past its envelope: dead at the first attempt, with its error
SELECT ct_enqueue(t.msg(1506, 1716500006000, '{"not": "an array"}')) AS bad \gset
SELECT * FROM ct_process_inbox();
SELECT status, attempts, last_sqlstate, last_error FROM ct_inbox WHERE inbox_id = :bad;

-- a failure that may pass (here a serialization failure raised by a user
-- trigger): kept with its error and retried after the delay, then dead
CREATE FUNCTION t.flaky() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'try again later' USING ERRCODE = '40001'; END $$;
CREATE TRIGGER flaky AFTER INSERT ON ct_segment_member FOR EACH STATEMENT EXECUTE FUNCTION t.flaky();
SELECT ct_enqueue(t.msg(1507, 1716500007000, jsonb_build_array(
	t.u('8607', jsonb_build_array(t.id('customer', 'inbox-7')), jsonb_build_array(t.aud(48100, 'Inbox')))))) AS flaky \gset
SET ctaudience.inbox_max_attempts = 3;
SELECT * FROM ct_process_inbox();
SELECT status, attempts, last_sqlstate, last_error, next_attempt_at > clock_timestamp() + interval '50 seconds' AS retry_later
  FROM ct_inbox WHERE inbox_id = :flaky;
-- not due yet: nothing to do
SELECT * FROM ct_process_inbox();
-- ct_inbox_answer of a message never claimed (attempts 0) counts its attempt
-- and retries it after the delay, as a claimed one
SELECT ct_enqueue(t.msg(1510, 1716500010000, jsonb_build_array(
	t.u('8610', jsonb_build_array(t.id('customer', 'inbox-10')), jsonb_build_array(t.aud(48100, 'Inbox')))))) AS unclaimed \gset
SELECT ct_inbox_answer(:unclaimed) AS answer_unclaimed;
SELECT status, attempts, last_sqlstate, next_attempt_at > clock_timestamp() + interval '50 seconds' AS retry_later
  FROM ct_inbox WHERE inbox_id = :unclaimed;
DELETE FROM ct_inbox WHERE inbox_id = :unclaimed;
SET ctaudience.inbox_retry_delay = 0;
UPDATE ct_inbox SET next_attempt_at = clock_timestamp() WHERE inbox_id = :flaky;
SELECT * FROM ct_process_inbox();
SELECT * FROM ct_process_inbox();
SELECT status, attempts, last_sqlstate FROM ct_inbox WHERE inbox_id = :flaky;
-- nothing of the failed attempts was written
SELECT count(*) AS profiles FROM ct_profile WHERE identity = 'inbox-7';
-- once the cause is gone, a dead message can be queued again
DROP TRIGGER flaky ON ct_segment_member;
DROP FUNCTION t.flaky();
SELECT ct_requeue(:flaky) AS requeued, ct_requeue(:first) AS requeue_done_message;
SELECT * FROM ct_process_inbox();
SELECT status, attempts, t.counts(response) AS counts, last_error FROM ct_inbox WHERE inbox_id = :flaky;
RESET ctaudience.inbox_max_attempts;
RESET ctaudience.inbox_retry_delay;

-- the passcode was checked when queued: a rotation in between does not
-- strand queued messages, but a project removed in between fails them
SELECT ct_enqueue(t.msg(1508, 1716500008000, jsonb_build_array(
	t.u('8608', jsonb_build_array(t.id('customer', 'inbox-8')), jsonb_build_array(t.aud(48100, 'Inbox')))))) AS rotated \gset
SELECT ct_rotate_passcode('TEST-1', 'test-passcode-2', NULL) IS NOT NULL AS rotated;
SELECT * FROM ct_process_inbox();
SELECT status, t.counts(response) AS counts FROM ct_inbox WHERE inbox_id = :rotated;
-- ...and a message without a passcode is still refused outside the inbox
SELECT ct_firehose(t.msg(1509, 1716500009000, '[]') #- '{account,account_settings,passcode}');
SELECT ct_rotate_passcode('TEST-1', 'test-passcode-1', NULL) IS NOT NULL AS rotated_back;

-- scheduling with pg_cron (loaded for this database by the test cluster)
SELECT ct_schedule_inbox();
CREATE EXTENSION pg_cron;
SELECT ct_schedule_inbox('*/5 * * * *', 500) > 0 AS scheduled;
SELECT jobname, schedule, command, database = current_database() AS this_database FROM cron.job;
SELECT ct_schedule_inbox('* * * * *', 0);
SELECT cron.unschedule('ctaudience_inbox');
DROP EXTENSION pg_cron;

-- ct_run_inbox: the same, each message claimed (its attempt counted) and
-- answered in transactions of its own; CALLed outside a transaction block
SELECT ct_enqueue(t.msg(1520, 1716500020000, jsonb_build_array(
	t.u('8620', jsonb_build_array(t.id('customer', 'inbox-20')), jsonb_build_array(t.aud(48100, 'Inbox')))))) AS run1 \gset
SELECT ct_enqueue(t.msg(1521, 1716500021000, '{"not": "an array"}')) AS run2 \gset
CALL ct_run_inbox(10);
SELECT inbox_id - :run1 AS n, status, attempts, last_sqlstate FROM ct_inbox WHERE inbox_id IN (:run1, :run2) ORDER BY 1;
CALL ct_run_inbox(10);
BEGIN;
CALL ct_run_inbox(10);
ROLLBACK;
CALL ct_run_inbox(NULL);
-- the steps alone: nothing due, and a message that is not pending
SELECT ct_inbox_claim() AS claimed, ct_inbox_answer(:run1) AS answer_done_message;

-- What a receiver calls: the body as text.  ct_enqueue(text) stores what
-- ct_enqueue(jsonb) stores, less the passcode, for a message carrying any
-- JSON (escapes, numbers, nesting, a duplicate key: the last wins)
SELECT t.msg(1530, 1716500030000, jsonb_build_array(
	t.u('8630', jsonb_build_array(t.id('customer', 'inbox-30')), jsonb_build_array(t.aud(48100, 'Inbox'))))) AS m30 \gset
SELECT '{"extra": {"s": "a\"b\\c\u00e9\ud83d\ude00", "n": [1, -2.50, 1e3, 0.1e-2], "t": true, "f": false, "z": null, "o": {"k": [[], {}]}, "d": 1, "d": 2}, '
	|| substr(:'m30', 2) AS m30x \gset
SELECT ct_enqueue(:'m30x'::text) AS q30 \gset
SELECT ct_enqueue(jsonb_set(:'m30x'::jsonb, '{id}', '"00000000-0000-4000-8000-000000001531"')) AS q31 \gset
SELECT (SELECT body - 'id' FROM ct_inbox WHERE inbox_id = :q30) = (SELECT body - 'id' FROM ct_inbox WHERE inbox_id = :q31) AS same_body,
	   (SELECT body -> 'account' -> 'account_settings' FROM ct_inbox WHERE inbox_id = :q30) AS settings,
	   (SELECT body -> 'extra' FROM ct_inbox WHERE inbox_id = :q30) = (:'m30x'::jsonb -> 'extra') AS extra_as_cast;
-- its passcode is checked as ct_enqueue(jsonb) checks it
SELECT ct_enqueue(replace(:'m30', 'test-passcode-1', 'wrong-passcode')::text);
SELECT ct_enqueue(replace(:'m30', '"test-passcode-1"', '{"p": 1}')::text);
SELECT ct_enqueue(replace(:'m30', '"passcode": "test-passcode-1", ', '')::text);
-- a "passcode" member elsewhere is not the passcode, and is kept
SELECT ct_enqueue(replace(replace(:'m30x', '"t": true', '"passcode": "not-the-passcode"'),
						  '00000000-0000-4000-8000-000000001530', '00000000-0000-4000-8000-000000001532')::text) AS q32 \gset
SELECT body -> 'extra' ->> 'passcode' AS kept FROM ct_inbox WHERE inbox_id = :q32;
SELECT ct_enqueue('{"type": "audience_membership_change_request", "id": "x", oops}'::text);
-- ct_firehose_enqueue: membership and erasure queued and answered at once
-- (with the request's id and the inbox_id); registration and subscription
-- answered now, as ct_firehose answers them
SELECT r - '{ctaudience,timestamp_ms}'::text[] AS response, (r -> 'ctaudience' ->> 'queued')::bigint > :q32 AS queued
  FROM ct_firehose_enqueue(replace(:'m30', '00000000-0000-4000-8000-000000001530', '00000000-0000-4000-8000-000000001533')) r;
SELECT ct_firehose_enqueue('{"type": "module_registration_request", "id": "438b0f74-8656-4f87-93c7-c9f9ac8a5544", "timestamp_ms": 1714592744067}') ->> 'type' AS registration;
SELECT ct_firehose_enqueue(t.sub(1534, 1716500034000, 48101, 'Subscribed', 'add')::text) ->> 'type' AS subscription;
SELECT count(*) AS subscription_not_queued FROM ct_inbox WHERE message_type = 'audience_subscription_request';
SELECT ct_firehose_enqueue(replace(:'m30', 'test-passcode-1', 'wrong-passcode'));
-- the depth a receiver's metrics report
SELECT * FROM ct_inbox_depth();
SELECT (SELECT count(*) FROM ct_inbox WHERE status = 'pending') AS pending, (SELECT count(*) FROM ct_inbox WHERE status = 'dead') AS dead;
-- answered, the text-queued messages import as the others do
SELECT * FROM ct_process_inbox(100);
SELECT inbox_id - :q30 AS n, status, t.counts(response) AS counts FROM ct_inbox WHERE inbox_id >= :q30 ORDER BY inbox_id;
SELECT * FROM ct_inbox_depth();

-- A redelivery is not queued again: a message id the inbox holds for the
-- project (pending, dead, or answered and kept) is answered with its row's
-- inbox_id, writing nothing, through every way in; the credentials are
-- checked first all the same.
SELECT t.msg(1540, 1716500040000, jsonb_build_array(
	t.u('8640', jsonb_build_array(t.id('customer', 'inbox-40')), jsonb_build_array(t.aud(48100, 'Inbox'))))) AS m40 \gset
SELECT count(*) AS rows_before FROM ct_inbox \gset
SELECT ct_firehose_enqueue(:'m40') - 'timestamp_ms' AS first_response \gset
SELECT ct_firehose_enqueue(:'m40') - 'timestamp_ms' = :'first_response'::jsonb AS same_response,
	   ct_firehose_enqueue(:'m40') -> 'ctaudience' ->> 'queued' AS queued,
	   (:'first_response'::jsonb -> 'ctaudience' ->> 'queued')::bigint AS q40 \gset
SELECT :queued = :q40 AS same_inbox_id,
	   ct_enqueue(:'m40'::text) = :q40 AS enqueue_text, ct_enqueue(:'m40'::jsonb) = :q40 AS enqueue_jsonb,
	   -- the same UUID written otherwise is the same message
	   ct_enqueue(replace(:'m40', '00000000-0000-4000-8000-000000001540', '{00000000-0000-4000-8000-000000001540}')::text) = :q40 AS braces,
	   ct_enqueue(replace(:'m40', '00000000-0000-4000-8000-000000001540', '00000000000040008000000000001540')::text) = :q40 AS no_hyphens;
SELECT count(*) - :rows_before AS rows_added, (SELECT message_id FROM ct_inbox WHERE inbox_id = :q40) FROM ct_inbox;
-- a redelivery with a wrong passcode is refused as the first delivery would be
SELECT ct_firehose_enqueue(replace(:'m40', 'test-passcode-1', 'wrong-passcode'));
-- another project's message with the same id is its own message
SELECT count(*) AS registered FROM ct_register_project('TEST-Q2', 'test-passcode-1', 'token-TEST-Q2', 'eu1');
SELECT ct_enqueue(t.msg(1540, 1716500040000, '[]', 'TEST-Q2')) <> :q40 AS other_project;
-- answered, or dead: still its row
SELECT * FROM ct_process_inbox(100);
SELECT ct_enqueue(:'m40'::text) = :q40 AS answered_same_id, status FROM ct_inbox WHERE inbox_id = :q40;
SELECT ct_enqueue(t.msg(1541, 1716500041000, '{"not": "an array"}')) AS q41 \gset
SELECT * FROM ct_process_inbox(100);
SELECT ct_enqueue(t.msg(1541, 1716500041000, '{"not": "an array"}')) = :q41 AS dead_same_id, status, attempts
  FROM ct_inbox WHERE inbox_id = :q41;
SELECT count(*) - :rows_before AS rows_added FROM ct_inbox;
-- a message answered directly and never queued is queued once, answered as
-- a duplicate of itself, and its row then answers later redeliveries
SELECT t.counts(ct_firehose(t.msg(1542, 1716500042000, '[]'))) AS direct;
SELECT ct_enqueue(t.msg(1542, 1716500042000, '[]')) AS q42 \gset
SELECT * FROM ct_process_inbox(100);
SELECT ct_enqueue(t.msg(1542, 1716500042000, '[]')) = :q42 AS same_id, t.counts(response) AS counts
  FROM ct_inbox WHERE inbox_id = :q42;
-- the id and project are peeked at in the first bytes, but what counts is
-- what the whole body says, as jsonb reads it (the last of duplicate keys)
SELECT ct_enqueue('{"id": "00000000-0000-4000-8000-000000001540", ' ||
				  substr(replace(:'m40', '00000000-0000-4000-8000-000000001540', '00000000-0000-4000-8000-000000001543'), 2)) AS q43 \gset
SELECT :q43 <> :q40 AS new_row, message_id FROM ct_inbox WHERE inbox_id = :q43;
SELECT ct_enqueue('{"id": "00000000-0000-4000-8000-000000001544", ' || substr(:'m40', 2)) = :q40 AS same_row;
SELECT ct_enqueue('{"account": {"account_settings": {"accountId": "TEST-Q2"}}, ' || substr(:'m40', 2)) = :q40 AS same_row;
-- the peek reads 64 kB at most: a body whose envelope comes later is
-- parsed whole, and its redelivery found all the same
SELECT '{"user_profiles": ' || (SELECT jsonb_agg(t.u('86' || i, jsonb_build_array(t.id('customer', 'inbox-late-' || i)),
		jsonb_build_array(t.aud(48100, 'Inbox'))))::text FROM generate_series(1, 700) i) || ', '
	|| substr(replace((:'m40'::jsonb - 'user_profiles')::text, '00000000-0000-4000-8000-000000001540',
					  '00000000-0000-4000-8000-000000001545'), 2) AS m45 \gset
SELECT length(:'m45') > 65536 AS long_before_the_envelope, ct_enqueue(:'m45') = ct_enqueue(:'m45') AS same_row;
SELECT * FROM ct_process_inbox(100);
