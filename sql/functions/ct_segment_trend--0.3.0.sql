CREATE OR REPLACE FUNCTION ctaudience.ct_segment_trend(segment_id bigint, days int DEFAULT 30, ending date DEFAULT current_date)
RETURNS TABLE (day date, members bigint, added bigint, removed bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	IF segment_id IS NULL OR days IS NULL OR ending IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN segment_id IS NULL THEN 'segment_id' WHEN days IS NULL THEN 'days' ELSE 'ending' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF days < 1 OR days > 3660 THEN
		RAISE EXCEPTION 'days must be between 1 and 3660, not %', days
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT s.project_id INTO project FROM ctaudience.ct_segment s WHERE s.segment_id = ct_segment_trend.segment_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'segment % does not exist', segment_id
			USING ERRCODE = 'undefined_object',
				  HINT = 'The segments and their ids are in ctaudience.ct_segments.';
	END IF;
	PERFORM ctaudience.ct_check_project(project, '{read}', format('segment %s', segment_id));
	RETURN QUERY
	WITH d AS (
		SELECT (x.bucket AT TIME ZONE 'UTC')::date AS day, sum(x.members) AS members,
			   sum(x.added) AS added, sum(x.removed) AS removed
		  FROM ctaudience.ct_segment_delta x
		 WHERE x.project_id = project AND x.segment_id = ct_segment_trend.segment_id
		 GROUP BY 1)
	SELECT g.day::date,
		   (SELECT coalesce(sum(d.members), 0) FROM d WHERE d.day <= g.day)::bigint,
		   coalesce((SELECT d.added FROM d WHERE d.day = g.day), 0)::bigint,
		   coalesce((SELECT d.removed FROM d WHERE d.day = g.day), 0)::bigint
	  FROM generate_series(ending - days + 1, ending, interval '1 day') AS g(day)
	 ORDER BY 1;
END;
$$;
