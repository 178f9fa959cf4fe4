CREATE FUNCTION ctaudience.ct_update_journey(journey_id bigint, name text DEFAULT NULL, nodes jsonb DEFAULT NULL,
											 goal_event text DEFAULT NULL, goal_filter jsonb DEFAULT NULL,
											 exit_event text DEFAULT NULL, exit_filter jsonb DEFAULT NULL,
											 reentry text DEFAULT NULL, reentry_after interval DEFAULT NULL,
											 control_group integer DEFAULT NULL, exit_segments bigint[] DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	IF ct_update_journey.journey_id IS NULL THEN
		RAISE EXCEPTION 'journey_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT x.project_id INTO project FROM ctaudience.ct_journey x WHERE x.journey_id = ct_update_journey.journey_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no journey %', ct_update_journey.journey_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM ctaudience.ct_check_project(project, '{operate}', format('journey %s', ct_update_journey.journey_id),
										unless_scoped => 'ctaudience.ct_update_journey(bigint, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[])'::regprocedure);
	IF ct_update_journey.nodes IS NOT NULL THEN
		-- (an entry on an event has no entry segment: NULL)
		PERFORM ctaudience.ct_campaign_segments_exist(project,
													  array_remove(ctaudience.ct_journey_nodes_check(ct_update_journey.nodes), NULL));
	END IF;
	IF cardinality(ct_update_journey.exit_segments) <= 20 THEN
		-- (NULLs and too many: the trigger's)
		PERFORM ctaudience.ct_campaign_segments_exist(project, array_remove(ct_update_journey.exit_segments, NULL));
	END IF;
	-- the trigger refuses a journey that is not a draft
	UPDATE ctaudience.ct_journey x
	   SET name = coalesce(ct_update_journey.name, x.name),
		   nodes = coalesce(ct_update_journey.nodes, x.nodes),
		   goal_event = CASE WHEN ct_update_journey.goal_event = '' THEN NULL
							 ELSE coalesce(ct_update_journey.goal_event, x.goal_event) END,
		   goal_filter = CASE WHEN ct_update_journey.goal_event = '' THEN '{}'
							  ELSE coalesce(ct_update_journey.goal_filter, x.goal_filter) END,
		   exit_event = CASE WHEN ct_update_journey.exit_event = '' THEN NULL
							 ELSE coalesce(ct_update_journey.exit_event, x.exit_event) END,
		   exit_filter = CASE WHEN ct_update_journey.exit_event = '' THEN '{}'
							  ELSE coalesce(ct_update_journey.exit_filter, x.exit_filter) END,
		   reentry = coalesce(ct_update_journey.reentry, x.reentry),
		   reentry_after = CASE WHEN coalesce(ct_update_journey.reentry, x.reentry) = 'after'
								THEN coalesce(ct_update_journey.reentry_after, x.reentry_after) END,
		   control_group = coalesce(ct_update_journey.control_group, x.control_group),
		   exit_segments = coalesce(ct_update_journey.exit_segments, x.exit_segments)
	 WHERE x.project_id = project AND x.journey_id = ct_update_journey.journey_id;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_update_journey(bigint, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[]) IS
	'change the name, the nodes, the goal (goal_event => '''' removes it), the exit event (exit_event => '''' removes it), the re-entry policy, the control group or the exit segments (''{}'': none) (non-NULL) of a draft journey (a live or stopped one: 55000; nodes that break a rule: 22023)';
