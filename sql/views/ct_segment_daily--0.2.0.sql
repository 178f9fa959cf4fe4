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
