CREATE FUNCTION ctaudience.ct_create_journey(project_id text, name text, nodes jsonb,
											 goal_event text DEFAULT NULL, goal_filter jsonb DEFAULT '{}',
											 exit_event text DEFAULT NULL, exit_filter jsonb DEFAULT '{}',
											 reentry text DEFAULT 'once', reentry_after interval DEFAULT NULL,
											 control_group integer DEFAULT 0, exit_segments bigint[] DEFAULT '{}')
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id bigint;
BEGIN
	IF project_id IS NULL OR name IS NULL OR nodes IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN project_id IS NULL THEN 'project_id'
												  WHEN name IS NULL THEN 'name' ELSE 'nodes' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_project(ct_create_journey.project_id, '{operate}',
										unless_scoped => 'ctaudience.ct_create_journey(text, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[])'::regprocedure);
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_create_journey.project_id) THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', ct_create_journey.project_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- the segments the nodes name (an entry on an event has no entry
	-- segment: NULL) and the exit segments (NULLs and too many: the trigger's)
	PERFORM ctaudience.ct_campaign_segments_exist(ct_create_journey.project_id,
												  array_remove(ctaudience.ct_journey_nodes_check(ct_create_journey.nodes)
															   || CASE WHEN cardinality(ct_create_journey.exit_segments) <= 20
																	   THEN ct_create_journey.exit_segments END, NULL));
	INSERT INTO ctaudience.ct_journey (project_id, name, nodes, segment_id, goal_event, goal_filter, exit_event, exit_filter,
									   reentry, reentry_after, control_group, exit_segments)
	VALUES (ct_create_journey.project_id, ct_create_journey.name, ct_create_journey.nodes,
			0,	-- the trigger's: the entry node's
			ct_create_journey.goal_event, coalesce(ct_create_journey.goal_filter, '{}'),
			ct_create_journey.exit_event, coalesce(ct_create_journey.exit_filter, '{}'),
			coalesce(ct_create_journey.reentry, 'once'), ct_create_journey.reentry_after,
			coalesce(ct_create_journey.control_group, 0), coalesce(ct_create_journey.exit_segments, '{}'))
	RETURNING journey_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_create_journey(text, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[]) IS
	'create a draft journey from its nodes, with a conversion goal (an event, with properties that contain goal_filter) or none, an exit event or none, exit segments (leaving one exits) or none, a re-entry policy (once, after reentry_after, always) and a control group (a percentage); returns its journey_id (22023 with a hint for nodes that break a rule or a segment the project does not have)';
