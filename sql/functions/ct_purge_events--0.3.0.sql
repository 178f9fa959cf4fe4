-- Event retention: delete a project's events older than a time.  What is
-- derived from events is kept elsewhere (statistics and trend in the delta
-- rows, usage in ct_usage_delta and ct_active_user_month, campaign
-- qualifications in ct_campaign_queue), so only the events go: Find People
-- and a profile's activity then cover the events kept.  The export's
-- requests that mParticle accepted before that time go too (their figures
-- are in ct_export).
CREATE OR REPLACE FUNCTION ctaudience.ct_purge_events(project_id text, older_than timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	IF project_id IS NULL OR older_than IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN project_id IS NULL THEN 'project_id' ELSE 'older_than' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_project(ct_purge_events.project_id, '{operate}',
										unless_scoped => 'ctaudience.ct_purge_events(text, timestamptz)'::regprocedure);
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_purge_events.project_id) THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', project_id USING ERRCODE = 'invalid_parameter_value';
	END IF;
	DELETE FROM ctaudience.ct_event e
	 WHERE e.project_id = ct_purge_events.project_id AND e.ts < older_than;
	GET DIAGNOSTICS n = ROW_COUNT;
	-- the export's requests mParticle accepted: their figures are in
	-- ct_export, and their body and rows went at the answer
	DELETE FROM ctaudience.ct_export_request r
	 WHERE r.project_id = ct_purge_events.project_id AND r.state = 'accepted' AND r.answered_at < older_than;
	RETURN n;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_purge_events(text, timestamptz) IS
	'delete a project''s events older than older_than (event time), and the export requests mParticle accepted before it; statistics, trend, usage, campaign queues and the export''s figures are kept; returns how many events were deleted';
REVOKE ALL ON FUNCTION ctaudience.ct_purge_events(text, timestamptz) FROM PUBLIC;
