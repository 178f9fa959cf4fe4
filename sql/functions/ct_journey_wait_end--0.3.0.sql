-- When a wait node that a profile reached at t ends: t + its duration, or
-- the first time after t that it is until (HH:MM) in its time zone: the
-- node's time_zone, else the time zone of the project (project_id; when
-- given), else UTC.
CREATE FUNCTION ctaudience.ct_journey_wait_end(node jsonb, t timestamptz, project_id text DEFAULT NULL) RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE WHEN node ? 'until'
				THEN (SELECT CASE WHEN w.at_until > w.local THEN w.at_until ELSE w.at_until + interval '1 day' END
							 AT TIME ZONE w.tz
						FROM (SELECT l.local, date_trunc('day', l.local) + (node ->> 'until')::time AS at_until, l.tz
								FROM (SELECT t AT TIME ZONE z.tz AS local, z.tz
										FROM (SELECT coalesce(node ->> 'time_zone',
															  (SELECT p.time_zone FROM ctaudience.ct_project p
																WHERE p.project_id = ct_journey_wait_end.project_id),
															  'UTC') AS tz) z) l) w)
				ELSE t + (node ->> 'duration')::interval END;
COMMENT ON FUNCTION ctaudience.ct_journey_wait_end(jsonb, timestamptz, text) IS
	'when a wait node reached at t ends: t + duration, or the next time of day until (after t) in its time_zone, else the project''s time zone, else UTC';
