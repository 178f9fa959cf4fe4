-- A NULL where a value is required is an error naming the argument
-- (22004), never a NULL answer a caller (a receiver answering mParticle)
-- could take for a result; an unknown segment and a bad day count are
-- errors too.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT f, t.err(s) AS error FROM (VALUES
	('ct_import_audience(jsonb)', 'SELECT ctaudience.ct_import_audience(NULL::jsonb)'),
	('ct_import_audience(text)', 'SELECT ctaudience.ct_import_audience(NULL::text)'),
	('ct_firehose(jsonb)', 'SELECT ctaudience.ct_firehose(NULL::jsonb)'),
	('ct_firehose(text)', 'SELECT ctaudience.ct_firehose(NULL::text)'),
	('ct_enqueue(jsonb)', 'SELECT ctaudience.ct_enqueue(NULL::jsonb)'),
	('ct_preview_import(jsonb)', 'SELECT * FROM ctaudience.ct_preview_import(NULL::jsonb)'),
	('ct_process_inbox', 'SELECT * FROM ctaudience.ct_process_inbox(NULL)'),
	('ct_requeue', 'SELECT ctaudience.ct_requeue(NULL)'),
	('ct_schedule_inbox', 'SELECT ctaudience.ct_schedule_inbox(NULL)'),
	('ct_schedule_inbox max_messages', $$SELECT ctaudience.ct_schedule_inbox('* * * * *', NULL)$$),
	('ct_segment_trend', 'SELECT * FROM ctaudience.ct_segment_trend(NULL)'),
	('ct_segment_trend days', $$SELECT * FROM ctaudience.ct_segment_trend((SELECT min(segment_id) FROM ctaudience.ct_segment), NULL)$$),
	('ct_segment_trend ending', $$SELECT * FROM ctaudience.ct_segment_trend((SELECT min(segment_id) FROM ctaudience.ct_segment), 7, NULL)$$),
	('ct_resolve_identity', 'SELECT ctaudience.ct_resolve_identity(NULL)'),
	('ct_register_project', $$SELECT ctaudience.ct_register_project('P', NULL, 'tok')$$),
	('ct_rotate_passcode', $$SELECT ctaudience.ct_rotate_passcode(NULL, 'a-new-passcode')$$),
	('ct_update_project', 'SELECT ctaudience.ct_update_project(NULL)')) AS c(f, s)
ORDER BY f;

-- the trend of a segment that does not exist, and day counts out of range
SELECT * FROM ct_segment_trend(99999);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT min(segment_id) AS seg FROM ct_segment \gset
SELECT * FROM ct_segment_trend(:seg, days => -5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM ct_segment_trend(:seg, days => 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM ct_segment_trend(:seg, days => 3661);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS days FROM ct_segment_trend(:seg, days => 1);
SELECT count(*) AS days FROM ct_segment_trend(:seg, days => 3660, ending => '2024-12-31');
-- an inbox id that is not dead: false, not an error
SELECT ct_requeue(-1) AS requeued;
