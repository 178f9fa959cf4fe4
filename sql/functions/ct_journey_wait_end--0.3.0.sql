-- When a wait node that a profile reached at t ends: t + its duration, or
-- the first time after t that it is until (HH:MM) in its time zone.
CREATE FUNCTION ctaudience.ct_journey_wait_end(node jsonb, t timestamptz) RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE WHEN node ? 'until'
				THEN (SELECT CASE WHEN w.at_until > w.local THEN w.at_until ELSE w.at_until + interval '1 day' END
							 AT TIME ZONE w.tz
						FROM (SELECT l.local, date_trunc('day', l.local) + (node ->> 'until')::time AS at_until, l.tz
								FROM (SELECT t AT TIME ZONE coalesce(node ->> 'time_zone', 'UTC') AS local,
											 coalesce(node ->> 'time_zone', 'UTC') AS tz) l) w)
				ELSE t + (node ->> 'duration')::interval END;
COMMENT ON FUNCTION ctaudience.ct_journey_wait_end(jsonb, timestamptz) IS
	'when a wait node reached at t ends: t + duration, or the next time of day until (after t) in its time_zone (UTC when none)';
