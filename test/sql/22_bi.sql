-- For BI tools and operators: views that filter from any search_path and
-- with bound varchar parameters, segment size per day from the delta rows,
-- the import's duration in milliseconds, the inbox without bodies, and
-- event retention that keeps every figure derived from events.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

SELECT t.imp(t.msg(2201, 1717000000000, jsonb_build_array(
	t.u('2201', jsonb_build_array(t.id('customer', 'bi-1'), t.id('email', 'Grace@Example.net'), t.id('mobile_number', '+14155550123')),
		jsonb_build_array(t.aud(52201, 'BI segment'))),
	t.u('2202', jsonb_build_array(t.id('customer', 'bi-2'), t.id('email', 'ada@example.net')),
		jsonb_build_array(t.aud(52201, 'BI segment'))))));
SELECT t.imp(t.msg(2202, 1717100000000, jsonb_build_array(
	t.u('2202', jsonb_build_array(t.id('customer', 'bi-2')), jsonb_build_array(t.aud(52201, 'BI segment', 'delete'))))));

-- Find People from a search_path without ctaudience, as a BI tool binds it
SET search_path = public;
SELECT identity, email, phone, partner_segment_id FROM ctaudience.ct_find_people WHERE email = 'grace@example.net' ORDER BY 1, 4;
PREPARE by_email(varchar) AS SELECT DISTINCT identity FROM ctaudience.ct_find_people WHERE email = $1 ORDER BY 1;
EXECUTE by_email('grace@example.net');
SELECT DISTINCT identity FROM ctaudience.ct_find_people WHERE email LIKE '%@example.net' ORDER BY 1;
-- a fixed prefix (PostgreSQL 18 failed to plan it while ct_email's cast to text was binary)
SELECT DISTINCT identity, email FROM ctaudience.ct_find_people WHERE email LIKE 'grace%' ORDER BY 1;
SELECT DISTINCT identity FROM ctaudience.ct_find_people WHERE phone = '+14155550123';
SET search_path = ctaudience, t, public;

-- the import log's duration in milliseconds
SELECT count(*) AS logged, bool_and(duration_ms = round(extract(epoch FROM duration) * 1000, 3)) AS duration_ms_matches,
	   bool_and(duration_ms >= 0) AS not_negative
  FROM ct_import_log WHERE project_id = 'TEST-1' AND (message_id::text LIKE '%2201' OR message_id::text LIKE '%2202');

-- segment size per day: from the first change to today, the last day's
-- members are the segment's members now, and adds minus removes add up
SELECT t.seg(52201) AS bi_seg \gset
SELECT count(*) >= 2 AS days, min(day) = '2024-05-29' AS first_day, max(day) = (now() AT TIME ZONE 'UTC')::date AS to_today,
	   sum(added) AS added, sum(removed) AS removed
  FROM ct_segment_daily WHERE project_id = 'TEST-1' AND segment_id = :bi_seg;
SELECT day, members, added, removed FROM ct_segment_daily
 WHERE project_id = 'TEST-1' AND segment_id = :bi_seg AND (added > 0 OR removed > 0) ORDER BY day;
SELECT (SELECT members FROM ct_segment_daily WHERE project_id = 'TEST-1' AND segment_id = :bi_seg
		 ORDER BY day DESC LIMIT 1) = (SELECT members FROM ct_segment_stats WHERE segment_id = :bi_seg) AS last_day_is_now;
-- the same days as the Trend function
SELECT count(*) AS differ FROM (
	SELECT day, members, added, removed FROM ct_segment_daily WHERE project_id = 'TEST-1' AND segment_id = :bi_seg
	EXCEPT SELECT day, members, added, removed FROM ct_segment_trend(:bi_seg, 3660, (now() AT TIME ZONE 'UTC')::date)
	 WHERE day >= '2024-05-29') x;
-- the plan reads the delta index only: no member, no event
SELECT bool_or(l ~ 'ct_segment_delta_segment_idx') AS uses_the_delta_index,
	   bool_or(l ~ 'ct_segment_member|ct_event|Seq Scan on ct_segment_delta') AS reads_members_events_or_all_deltas
  FROM t.plan(format('SELECT * FROM ctaudience.ct_segment_daily WHERE project_id = %L AND segment_id = %s', 'TEST-1', :bi_seg)) l;

-- the inbox without bodies, for readers
SELECT ct_enqueue(replace(t.msg(2203, 1717200000000, jsonb_build_array(
	t.u('2203', jsonb_build_array(t.id('customer', 'bi-3')), jsonb_build_array(t.aud(52201, 'BI segment')))))::text,
	'"BI segment"', '""')) > 0 AS queued;
SET ctaudience.inbox_max_attempts = 1;
SELECT done, dead FROM ct_process_inbox(10);
RESET ctaudience.inbox_max_attempts;
SET ROLE ctaudience_reader;
SELECT status, messages > 0 AS some FROM ctaudience.ct_inbox_status WHERE project_id = 'TEST-1' AND status = 'dead';
SELECT message_type, attempts, last_sqlstate, last_error FROM ctaudience.ct_inbox_dead_letters
 WHERE project_id = 'TEST-1' AND message_id = '00000000-0000-4000-8000-000000002203';
RESET ROLE;
SELECT count(*) AS body_columns FROM information_schema.columns
 WHERE table_schema = 'ctaudience' AND table_name IN ('ct_inbox_status', 'ct_inbox_dead_letters') AND column_name = 'body';

-- Event retention: the events go; statistics, trend, per-day size, usage
-- (monthly active users too) and campaign queues stay as they were.
SELECT ct_record_event('TEST-1', (SELECT ct_id FROM ct_profile WHERE project_id = 'TEST-1' AND identity = 'bi-1'),
					   'App Launched', '{}', '2024-05-30 10:00+00') > 0 AS recorded;
CREATE TEMP TABLE before_purge AS
SELECT (SELECT jsonb_agg(s ORDER BY segment_id) FROM ct_segment_stats s WHERE project_id = 'TEST-1') AS stats,
	   (SELECT jsonb_agg(d ORDER BY day) FROM ct_segment_daily d WHERE project_id = 'TEST-1' AND segment_id = :bi_seg) AS daily,
	   (SELECT jsonb_agg(x ORDER BY day) FROM ct_segment_trend(:bi_seg, 30, '2024-06-15') x) AS trend,
	   (SELECT jsonb_agg(u ORDER BY month) FROM ct_usage u WHERE project_id = 'TEST-1') AS usage,
	   (SELECT jsonb_agg(q ORDER BY queue_id) FROM ct_campaign_queue q WHERE project_id = 'TEST-1') AS queue,
	   (SELECT jsonb_agg(c ORDER BY campaign_id) FROM ct_campaigns c WHERE project_id = 'TEST-1') AS campaigns;
SELECT count(*) > 0 AS old_events FROM ct_event WHERE project_id = 'TEST-1' AND ts < '2024-06-01';
SELECT ct_purge_events('TEST-1', '2024-06-01') > 0 AS purged;
SELECT count(*) AS old_events_left FROM ct_event WHERE project_id = 'TEST-1' AND ts < '2024-06-01';
SELECT count(*) > 0 AS newer_events_kept FROM ct_event WHERE project_id = 'TEST-1' AND ts >= '2024-06-01';
SELECT b.stats = (SELECT jsonb_agg(s ORDER BY segment_id) FROM ct_segment_stats s WHERE project_id = 'TEST-1') AS stats_kept,
	   b.daily = (SELECT jsonb_agg(d ORDER BY day) FROM ct_segment_daily d WHERE project_id = 'TEST-1' AND segment_id = :bi_seg) AS daily_kept,
	   b.trend = (SELECT jsonb_agg(x ORDER BY day) FROM ct_segment_trend(:bi_seg, 30, '2024-06-15') x) AS trend_kept,
	   b.usage = (SELECT jsonb_agg(u ORDER BY month) FROM ct_usage u WHERE project_id = 'TEST-1') AS usage_kept,
	   b.queue IS NOT DISTINCT FROM (SELECT jsonb_agg(q ORDER BY queue_id) FROM ct_campaign_queue q WHERE project_id = 'TEST-1') AS queue_kept,
	   b.campaigns IS NOT DISTINCT FROM (SELECT jsonb_agg(c ORDER BY campaign_id) FROM ct_campaigns c WHERE project_id = 'TEST-1') AS campaigns_kept
  FROM before_purge b;
SELECT monthly_active_users FROM ct_usage WHERE project_id = 'TEST-1' AND month = '2024-05-01';
-- another project's events are not touched; bad arguments are refused
SELECT count(*) > 0 AS other_project_kept FROM ct_event WHERE project_id <> 'TEST-1' AND ts < '2024-06-01';
SELECT ct_purge_events('NO-SUCH-PROJECT', now());
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_purge_events('TEST-1', NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- The settings before the library is loaded: with session_preload_libraries
-- (as the README says) SHOW works in a new session at once.
ALTER DATABASE contrib_regression SET session_preload_libraries = 'ctaudience';
\c
SELECT count(*) AS loaded_settings FROM pg_settings WHERE name LIKE 'ctaudience.%' AND name IN
	('ctaudience.max_profiles_per_message', 'ctaudience.max_message_bytes', 'ctaudience.inbox_max_attempts');
SHOW ctaudience.max_profiles_per_message;
ALTER DATABASE contrib_regression RESET session_preload_libraries;
