-- Start a draft journey: it goes live, each of its send nodes gets a
-- campaign of kind journey, whose queue the node fills and senders take,
-- and, when its entry node says members_at_start, the members of the
-- entry segment enter (past behavior).
CREATE FUNCTION ctaudience.ct_start_journey(journey_id bigint, as_of timestamptz DEFAULT NULL) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j ctaudience.ct_journey;
	entry jsonb;
	-- (a variable: Citus takes no now() inside a coalesce of its UPDATE)
	start_at CONSTANT timestamptz := coalesce(as_of, now());
BEGIN
	IF ct_start_journey.journey_id IS NULL THEN
		RAISE EXCEPTION 'journey_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- its project first: on a Citus cluster a row is locked through its
	-- shard only
	SELECT * INTO j FROM ctaudience.ct_journey x WHERE x.journey_id = ct_start_journey.journey_id;
	IF FOUND THEN
		SELECT * INTO j FROM ctaudience.ct_journey x
		 WHERE x.project_id = j.project_id AND x.journey_id = ct_start_journey.journey_id FOR UPDATE;
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no journey %', ct_start_journey.journey_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM ctaudience.ct_check_project(j.project_id, '{operate}', format('journey %s', j.journey_id),
										unless_scoped => 'ctaudience.ct_start_journey(bigint, timestamptz)'::regprocedure);
	IF as_of IS NOT NULL AND NOT ctaudience.ct_caller_is_owner() THEN
		RAISE EXCEPTION 'only the extension''s owner starts a journey as of a given time'
			USING ERRCODE = 'insufficient_privilege', HINT = 'Leave as_of out: the journey starts now.';
	END IF;
	IF j.status <> 'draft' THEN
		RAISE EXCEPTION 'journey % is % already', j.journey_id, j.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Only a draft journey starts; a stopped one stays stopped (create a new one).';
	END IF;
	-- (an entry on an event has no entry segment: NULL)
	PERFORM ctaudience.ct_campaign_segments_exist(j.project_id, array_remove(ctaudience.ct_journey_nodes_check(j.nodes) || j.exit_segments, NULL));
	-- the campaigns first: the check trigger refuses a live journey without
	-- them
	INSERT INTO ctaudience.ct_campaign (project_id, name, channel, kind, journey_id, journey_node)
	SELECT j.project_id, left(j.name || ': ' || (n.node ->> 'id'), 512), n.node ->> 'channel', 'journey', j.journey_id,
		   n.node ->> 'id'
	  FROM jsonb_array_elements(j.nodes) WITH ORDINALITY AS n(node, i)
	 WHERE n.node ->> 'type' = 'send'
	 ORDER BY n.i;
	UPDATE ctaudience.ct_journey x SET status = 'live', started_at = start_at
	 WHERE x.project_id = j.project_id AND x.journey_id = j.journey_id;
	-- past behavior: the entry segment's members now enter too
	SELECT n.node INTO entry FROM jsonb_array_elements(j.nodes) AS n(node) WHERE n.node ->> 'type' = 'entry';
	IF (entry ->> 'members_at_start')::boolean THEN
		WITH ins AS (
			INSERT INTO ctaudience.ct_journey_state (project_id, journey_id, ct_id, node, entered_at, node_at, due_at)
			SELECT j.project_id, j.journey_id, m.ct_id, entry ->> 'id', start_at, start_at,
				   start_at
			  FROM ctaudience.ct_segment_member m
			 WHERE m.project_id = j.project_id AND m.segment_id = j.segment_id AND m.is_member
			ON CONFLICT DO NOTHING
			RETURNING ct_id, entered_at)
		INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
		SELECT j.project_id, j.journey_id, ins.ct_id, entry ->> 'id', 'entered', ins.entered_at FROM ins;
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_start_journey(bigint, timestamptz) IS
	'start a draft journey (a live or stopped one: 55000): the Partner Sync events from then on enter profiles (with members_at_start, the segment''s members now too), and each send node gets its campaign (kind journey); as_of (the extension''s owner only): start it as of that time';
