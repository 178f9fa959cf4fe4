-- The Segments list, with member counts from the statistics deltas (no member scan).
CREATE VIEW ctaudience.ct_segments AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.type,
	   s.partner_name,
	   s.partner_segment_id,
	   s.status,
	   coalesce(d.members, 0)::bigint AS members,
	   s.created_at,
	   s.updated_at
  FROM ctaudience.ct_segment s
  LEFT JOIN (SELECT x.project_id, x.segment_id, sum(x.members) AS members
			   FROM ctaudience.ct_segment_delta x
			  GROUP BY x.project_id, x.segment_id) d
	ON d.project_id = s.project_id AND d.segment_id = s.segment_id;
COMMENT ON VIEW ctaudience.ct_segments IS 'the Segments list: one row per imported mParticle audience, with its members now';

-- Segment statistics, like any other segment's: read from the delta rows, so
-- a segment of a million members costs an index range of its deltas, never a
-- scan of its members.  Windows are by message time, at hour granularity.
CREATE VIEW ctaudience.ct_segment_stats AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.partner_segment_id,
	   s.status,
	   coalesce(d.members, 0)::bigint AS members,
	   coalesce(d.reachable_email, 0)::bigint AS reachable_email,
	   coalesce(d.reachable_phone, 0)::bigint AS reachable_phone,
	   coalesce(d.added_24h, 0)::bigint AS added_24h,
	   coalesce(d.removed_24h, 0)::bigint AS removed_24h,
	   coalesce(d.added_7d, 0)::bigint AS added_7d,
	   coalesce(d.removed_7d, 0)::bigint AS removed_7d,
	   coalesce(d.added_30d, 0)::bigint AS added_30d,
	   coalesce(d.removed_30d, 0)::bigint AS removed_30d,
	   d.last_sync_at
  FROM ctaudience.ct_segment s
  LEFT JOIN (
	SELECT x.project_id,
		   x.segment_id,
		   sum(x.members) AS members,
		   sum(x.reachable_email) AS reachable_email,
		   sum(x.reachable_phone) AS reachable_phone,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '24 hours') AS added_24h,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '24 hours') AS removed_24h,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '7 days') AS added_7d,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '7 days') AS removed_7d,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '30 days') AS added_30d,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '30 days') AS removed_30d,
		   max(x.last_sync_at) AS last_sync_at
	  FROM ctaudience.ct_segment_delta x
	 GROUP BY x.project_id, x.segment_id) d
	ON d.project_id = s.project_id AND d.segment_id = s.segment_id;
COMMENT ON VIEW ctaudience.ct_segment_stats IS 'per segment: members now, reachable by email and phone, added/removed in the last 24 hours, 7 and 30 days (message time), last sync';

-- A profile's activity: its events (Partner Sync among them); order by ts
-- DESC when reading (a view does not order).
CREATE VIEW ctaudience.ct_profile_activity AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   e.event_name,
	   e.ts,
	   e.props
  FROM ctaudience.ct_event e
  LEFT JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id;
COMMENT ON VIEW ctaudience.ct_profile_activity IS 'a profile''s events: filter by project_id and ct_id (or identity), order by ts DESC for newest first';

-- Find People: users who did Partner Sync, by segment and action, with the
-- segments they are in now.
CREATE VIEW ctaudience.ct_find_people AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   p.email::text AS email,
	   p.phone::text AS phone,
	   (e.props ->> 'Partner Segment ID')::bigint AS partner_segment_id,
	   e.props ->> 'Partner Segment Name' AS partner_segment_name,
	   e.props ->> 'Action' AS action,
	   count(DISTINCT e.event_id) AS times,
	   max(e.ts) AS last_ts,
	   ARRAY(SELECT x.name
			   FROM unnest(array_agg(DISTINCT ROW(s.name, s.segment_id)) FILTER (WHERE s.segment_id IS NOT NULL))
					AS x(name text, segment_id bigint)
			  ORDER BY x.name, x.segment_id) AS segments
  FROM ctaudience.ct_event e
  JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
  LEFT JOIN ctaudience.ct_segment_member m ON m.project_id = e.project_id AND m.ct_id = e.ct_id AND m.is_member
  LEFT JOIN ctaudience.ct_segment s ON s.project_id = m.project_id AND s.segment_id = m.segment_id
 WHERE e.event_name = 'Partner Sync'
 GROUP BY e.project_id, e.ct_id, p.identity, p.email, p.phone,
		  e.props ->> 'Partner Segment ID', e.props ->> 'Partner Segment Name', e.props ->> 'Action';
COMMENT ON VIEW ctaudience.ct_find_people IS 'Find People: users who did Partner Sync (filter by partner_segment_id and action) with the segments they are in now';

-- Usage per project and month (UTC, message time), as CleverTap bills it: an
-- event and each of its properties are data points (a Partner Sync, with its
-- five properties, is six); email and phone merges are profile property
-- updates; Partner Sync does not count toward monthly active users.
CREATE VIEW ctaudience.ct_usage AS
SELECT u.project_id,
	   u.month,
	   sum(u.events)::bigint AS events,
	   sum(u.data_points)::bigint AS data_points,
	   sum(u.profile_updates)::bigint AS profile_updates,
	   coalesce(a.users, 0) AS monthly_active_users
  FROM ctaudience.ct_usage_delta u
  LEFT JOIN (SELECT a.project_id, a.month, count(*) AS users
			   FROM ctaudience.ct_active_user_month a
			  GROUP BY a.project_id, a.month) a ON a.project_id = u.project_id AND a.month = u.month
 GROUP BY u.project_id, u.month, a.users;
COMMENT ON VIEW ctaudience.ct_usage IS 'per project and month: Partner Sync events, data points (event + properties), profile property updates; Partner Sync is not counted in monthly_active_users';

-- The import log: one row per processed message, every count of its
-- response, and its samples of what was skipped or invalid.
CREATE VIEW ctaudience.ct_import_log AS
SELECT m.project_id,
	   m.message_id,
	   m.message_type,
	   m.received_at,
	   m.message_ts,
	   m.duration,
	   round(extract(epoch FROM m.duration) * 1000, 3) AS duration_ms,
	   (m.counts ->> 'profiles')::bigint AS profiles,
	   (m.counts ->> 'added')::bigint AS added,
	   (m.counts ->> 'removed')::bigint AS removed,
	   (m.counts ->> 'unchanged')::bigint AS unchanged,
	   (m.counts ->> 'stale')::bigint AS stale,
	   (m.counts ->> 'anonymous')::bigint AS anonymous,
	   (m.counts ->> 'created_profiles')::bigint AS created_profiles,
	   (m.counts ->> 'invalid_email')::bigint AS invalid_email,
	   (m.counts ->> 'invalid_phone')::bigint AS invalid_phone,
	   (m.counts ->> 'rejected')::bigint AS rejected,
	   (m.counts ->> 'refused')::bigint AS refused,
	   (m.counts ->> 'hashed_only')::bigint AS hashed_only,
	   (m.counts ->> 'forbidden_identity')::bigint AS forbidden_identity,
	   (m.counts ->> 'invalid_attributes')::bigint AS invalid_attributes,
	   (m.counts ->> 'identity_conflicts')::bigint AS identity_conflicts,
	   (m.counts ->> 'profiles_erased')::bigint AS profiles_erased,
	   (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
				'reason', s.reason, 'path', s.path, 'audience_id', s.audience_id, 'mpid', s.mpid)) ORDER BY s.n)
		  FROM ctaudience.ct_import_sample s
		 WHERE s.project_id = m.project_id AND s.message_id = m.message_id) AS samples
  FROM ctaudience.ct_message m;
COMMENT ON VIEW ctaudience.ct_import_log IS 'one row per processed Firehose message: counts, duration and up to 20 samples of what was skipped or invalid';

-- Segment size over time for BI tools: one row per segment and UTC day
-- from its first change to today, members at the end of the day and the
-- day's adds and removes, from the statistics delta rows only (no member
-- or event is read).  Filter by project_id and segment_id: the filter
-- reaches the delta index.
CREATE VIEW ctaudience.ct_segment_daily AS
SELECT x.project_id,
	   x.segment_id,
	   x.day,
	   sum(x.members) OVER (PARTITION BY x.project_id, x.segment_id ORDER BY x.day)::bigint AS members,
	   x.added,
	   x.removed
  FROM (SELECT s.project_id, s.segment_id, g.day::date AS day,
			   coalesce(d.members, 0) AS members, coalesce(d.added, 0)::bigint AS added,
			   coalesce(d.removed, 0)::bigint AS removed
		  FROM ctaudience.ct_segment s
		  JOIN (SELECT f.project_id, f.segment_id, min(f.bucket) AS first
				  FROM ctaudience.ct_segment_delta f
				 GROUP BY f.project_id, f.segment_id) f
			ON f.project_id = s.project_id AND f.segment_id = s.segment_id
		 CROSS JOIN LATERAL generate_series((f.first AT TIME ZONE 'UTC')::date,
											greatest((now() AT TIME ZONE 'UTC')::date, (f.first AT TIME ZONE 'UTC')::date),
											interval '1 day') AS g(day)
		  LEFT JOIN (SELECT y.project_id, y.segment_id, (y.bucket AT TIME ZONE 'UTC')::date AS day,
							sum(y.members) AS members, sum(y.added) AS added, sum(y.removed) AS removed
					   FROM ctaudience.ct_segment_delta y
					  GROUP BY y.project_id, y.segment_id, (y.bucket AT TIME ZONE 'UTC')::date) d
			ON d.project_id = s.project_id AND d.segment_id = s.segment_id AND d.day = g.day::date) x;
COMMENT ON VIEW ctaudience.ct_segment_daily IS 'segment size over time: per segment and UTC day since its first change, members at the end of the day, added and removed that day (from the statistics deltas)';

-- The inbox at a glance, without any message body: counts by project and
-- state, and every dead letter with its error.
CREATE VIEW ctaudience.ct_inbox_status AS
SELECT i.project_id,
	   i.status,
	   count(*) AS messages,
	   min(i.enqueued_at) AS oldest_enqueued_at,
	   min(i.next_attempt_at) FILTER (WHERE i.status = 'pending') AS next_attempt_at,
	   max(i.attempts) AS max_attempts
  FROM ctaudience.ct_inbox i
 GROUP BY i.project_id, i.status;
COMMENT ON VIEW ctaudience.ct_inbox_status IS 'the inbox per project and state (pending, done, dead): how many, the oldest, the next attempt; no message body';

CREATE VIEW ctaudience.ct_inbox_dead_letters AS
SELECT i.project_id,
	   i.inbox_id,
	   i.message_type,
	   i.message_id,
	   i.attempts,
	   i.enqueued_at,
	   i.processed_at,
	   i.last_sqlstate,
	   i.last_error
  FROM ctaudience.ct_inbox i
 WHERE i.status = 'dead';
COMMENT ON VIEW ctaudience.ct_inbox_dead_letters IS 'inbox messages that failed for good, with their SQLSTATE and error (no body); ctaudience.ct_requeue(inbox_id) queues one again';
