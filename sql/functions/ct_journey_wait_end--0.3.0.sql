-- When a wait node that a profile reached at t ends: t + its duration (in
-- UTC: a day is 24 hours, whatever the session's TimeZone), or the first
-- time after t that it is until (HH:MM) in its time zone: the node's
-- time_zone, else the time zone of the project (project_id; when given),
-- else UTC.  The candidates (that day and the next, local) are compared in
-- UTC: when the clocks go back, a time of the repeated hour comes twice
-- (each offset around it is tried), and the second counts if the first
-- is over; a time the clocks skip is the instant PostgreSQL gives it.
CREATE FUNCTION ctaudience.ct_journey_wait_end(node jsonb, t timestamptz, project_id text DEFAULT NULL) RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE WHEN node ? 'until'
				THEN (SELECT min(c.y)
						FROM (SELECT coalesce(node ->> 'time_zone',
											  (SELECT p.time_zone FROM ctaudience.ct_project p
												WHERE p.project_id = ct_journey_wait_end.project_id),
											  'UTC') AS tz) z
					   CROSS JOIN LATERAL (SELECT (t AT TIME ZONE z.tz)::date + k + (node ->> 'until')::time AS l
											 FROM generate_series(0, 1) k) d
					   CROSS JOIN LATERAL (SELECT d.l AT TIME ZONE z.tz AS y
										   UNION ALL
										   -- the local time with the offset a day before or after
										   SELECT (d.l - ((x.x AT TIME ZONE z.tz) - (x.x AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC'
											 FROM (VALUES (interval '-24 hours'), (interval '24 hours')) v(s)
											CROSS JOIN LATERAL (SELECT (d.l AT TIME ZONE z.tz) + v.s AS x) x) c
					   WHERE c.y > t AND (c.y = d.l AT TIME ZONE z.tz OR c.y AT TIME ZONE z.tz = d.l))
				ELSE ((t AT TIME ZONE 'UTC') + (node ->> 'duration')::interval) AT TIME ZONE 'UTC' END;
COMMENT ON FUNCTION ctaudience.ct_journey_wait_end(jsonb, timestamptz, text) IS
	'when a wait node reached at t ends: t + duration (in UTC), or the first time of day until after t (compared in UTC) in its time_zone, else the project''s time zone, else UTC';
