CREATE OR REPLACE FUNCTION ctaudience.ct_compact_stats(project_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p text;
	segs bigint[];
	folded bigint := 0;
	n bigint;
	scope text[];
BEGIN
	-- an operator given projects folds those only
	IF ct_compact_stats.project_id IS NOT NULL THEN
		PERFORM ctaudience.ct_check_project(ct_compact_stats.project_id, '{operate}');
	ELSE
		scope := ctaudience.ct_caller_projects('{operate}');
	END IF;
	FOR p, segs IN
		SELECT d.project_id, array_agg(DISTINCT d.segment_id)
		  FROM ctaudience.ct_segment_delta d
		 WHERE d.project_id = coalesce(ct_compact_stats.project_id, d.project_id)
		   AND (scope IS NULL OR d.project_id = ANY (scope))
		 GROUP BY d.project_id
	LOOP
		-- segment by segment, each under the advisory lock the import's own folding takes
		WITH seg AS MATERIALIZED (
			SELECT DISTINCT s FROM unnest(segs) s WHERE pg_try_advisory_xact_lock(1129595221, hashint8(s))),
		d AS (DELETE FROM ctaudience.ct_segment_delta x USING seg
			   WHERE x.project_id = p AND x.segment_id = seg.s RETURNING x.*),
		ins AS (INSERT INTO ctaudience.ct_segment_delta
				  (project_id, segment_id, bucket, members, reachable_email, reachable_phone, added, removed, last_sync_at)
				SELECT d.project_id, d.segment_id,
					   CASE WHEN d.bucket < now() - interval '35 days'
							THEN date_trunc('day', d.bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' ELSE d.bucket END,
					   sum(d.members), sum(d.reachable_email), sum(d.reachable_phone), sum(d.added), sum(d.removed),
					   max(d.last_sync_at)
				  FROM d GROUP BY 1, 2, 3 RETURNING 1)
		SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM ins) INTO n;
		folded := folded + n;
	END LOOP;

	IF pg_try_advisory_xact_lock(1129595221, 0) THEN
		WITH d AS (DELETE FROM ctaudience.ct_usage_delta x
					WHERE x.project_id = coalesce(ct_compact_stats.project_id, x.project_id)
					  AND (scope IS NULL OR x.project_id = ANY (scope)) RETURNING x.*),
		ins AS (INSERT INTO ctaudience.ct_usage_delta (project_id, month, events, data_points, profile_updates)
				SELECT d.project_id, d.month, sum(d.events), sum(d.data_points), sum(d.profile_updates)
				  FROM d GROUP BY 1, 2 RETURNING 1)
		SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM ins) INTO n;
		folded := folded + n;
	END IF;
	RETURN folded;
END;
$$;
