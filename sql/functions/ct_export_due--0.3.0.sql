-- The projects an exporter has something to send for now.
CREATE FUNCTION ctaudience.ct_export_due() RETURNS TABLE (project_id text)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	-- an exporter given projects is handed those only
	scope CONSTANT text[] := ctaudience.ct_caller_projects('{export}');
BEGIN
	RETURN QUERY
	SELECT x.project_id::text
	  FROM ctaudience.ct_export x
	 WHERE x.enabled AND x.status = 'active'
	   AND (scope IS NULL OR x.project_id = ANY (scope))
	   AND (x.run_started_at IS NOT NULL OR x.next_run_at <= now()
			OR EXISTS (SELECT 1 FROM ctaudience.ct_export_request r
						WHERE r.project_id = x.project_id AND r.state = 'pending'))
	 ORDER BY x.project_id;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_export_due() IS
	'the projects whose export has something to send now: a request to send (again), or a run in progress or due';
REVOKE ALL ON FUNCTION ctaudience.ct_export_due() FROM PUBLIC;
