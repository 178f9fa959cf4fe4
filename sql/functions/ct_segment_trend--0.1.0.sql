CREATE FUNCTION ctaudience.ct_segment_trend(segment_id bigint, days int DEFAULT 30, ending date DEFAULT current_date)
RETURNS TABLE (day date, members bigint, added bigint, removed bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH d AS (
		SELECT (x.bucket AT TIME ZONE 'UTC')::date AS day, sum(x.members) AS members,
			   sum(x.added) AS added, sum(x.removed) AS removed
		  FROM ctaudience.ct_segment_delta x
		 WHERE x.segment_id = ct_segment_trend.segment_id
		   AND x.project_id = (SELECT s.project_id FROM ctaudience.ct_segment s
								WHERE s.segment_id = ct_segment_trend.segment_id)
		 GROUP BY 1)
	SELECT g.day::date,
		   (SELECT coalesce(sum(d.members), 0) FROM d WHERE d.day <= g.day)::bigint,
		   coalesce((SELECT d.added FROM d WHERE d.day = g.day), 0)::bigint,
		   coalesce((SELECT d.removed FROM d WHERE d.day = g.day), 0)::bigint
	  FROM generate_series(ending - greatest(days, 1) + 1, ending, interval '1 day') AS g(day)
	 ORDER BY 1
$$;
