-- Stop a journey: no one enters or moves any more, every profile in it
-- exits (reason stopped), its send nodes' campaigns stop (rows already
-- queued can still be taken).
CREATE FUNCTION ctaudience.ct_stop_journey(journey_id bigint) RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	j ctaudience.ct_journey;
	exited bigint;
BEGIN
	IF ct_stop_journey.journey_id IS NULL THEN
		RAISE EXCEPTION 'journey_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- its project first: on a Citus cluster a row is locked through its
	-- shard only
	SELECT * INTO j FROM ctaudience.ct_journey x WHERE x.journey_id = ct_stop_journey.journey_id;
	IF FOUND THEN
		SELECT * INTO j FROM ctaudience.ct_journey x
		 WHERE x.project_id = j.project_id AND x.journey_id = ct_stop_journey.journey_id FOR UPDATE;
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no journey %', ct_stop_journey.journey_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM ctaudience.ct_check_project(j.project_id, '{operate}', format('journey %s', j.journey_id),
										unless_scoped => 'ctaudience.ct_stop_journey(bigint)'::regprocedure);
	IF j.status = 'stopped' THEN
		RETURN 0;
	END IF;
	UPDATE ctaudience.ct_journey x SET status = 'stopped', stopped_at = now()
	 WHERE x.project_id = j.project_id AND x.journey_id = j.journey_id;
	UPDATE ctaudience.ct_campaign c SET status = 'stopped'
	 WHERE c.project_id = j.project_id AND c.journey_id = j.journey_id AND c.status <> 'stopped';
	-- the profiles ct_advance_journeys is moving now are waited for
	WITH s AS (UPDATE ctaudience.ct_journey_state s
				  SET due_at = NULL, waiting = false, exited_at = now(), exit_reason = 'stopped'
				-- every row still in the journey is due some time: the due
				-- index finds them (the key leads with the profile)
				WHERE s.project_id = j.project_id AND s.due_at IS NOT NULL
				  AND s.journey_id = j.journey_id AND s.exited_at IS NULL
			   RETURNING s.ct_id, s.node),
	r AS (INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
		  SELECT j.project_id, j.journey_id, s.ct_id, s.node, 'stopped', now() FROM s)
	SELECT count(*) INTO exited FROM s;
	RETURN exited;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_stop_journey(bigint) IS
	'stop a journey: no one enters or moves any more, every profile in it exits (reason stopped), its campaigns stop; returns how many exited';
