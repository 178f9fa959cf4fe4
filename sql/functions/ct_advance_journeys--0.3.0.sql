-- The journeys' clock.  Profiles enter live, in the import's statement
-- (journeys.c), which also makes those it removes from the entry segment
-- due; this claims up to max_profiles due profiles, oldest first, through
-- the index on due_at (FOR UPDATE SKIP LOCKED: several callers never move
-- one twice, and none waits for another) and moves each through its nodes
-- up to the next wait (or wait for an event) or an exit; recording an
-- event makes the profiles that wait for it, or have it as their goal,
-- due at once (engage.c); a profile that did the journey's goal
-- event since it entered exits (reason goal, at the event's time) before
-- its next step, one that did its exit event (reason exit_event) too,
-- and one no longer in the entry segment (reason
-- left_segment) whether its wait is over or not.  The journey's time of a step is the
-- end of the wait before it (the entry: the Partner Sync's time), so a
-- late run shifts no wait.  Every step is a row of ct_journey_step.
CREATE FUNCTION ctaudience.ct_advance_journeys(max_profiles integer DEFAULT 1000, as_of timestamptz DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	clock CONSTANT timestamptz := coalesce(as_of, now());
	scope text[];
	s record;
	nd jsonb;
	cur text;
	waiting boolean;
	t timestamptz;
	yes boolean;
	campaign bigint;
	hops integer;
	goal_at timestamptz;
	exit_at timestamptz;
	arrived timestamptz;
	ets timestamptz;
	moved bigint := 0;
BEGIN
	IF max_profiles IS NULL THEN
		RAISE EXCEPTION 'max_profiles must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF max_profiles < 1 THEN
		RAISE EXCEPTION 'max_profiles must be at least 1' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF as_of IS NOT NULL AND NOT ctaudience.ct_caller_is_owner() THEN
		RAISE EXCEPTION 'only the extension''s owner runs the journeys'' clock as of a given time'
			USING ERRCODE = 'insufficient_privilege', HINT = 'Leave as_of out: the clock runs now.';
	END IF;
	-- an operator given projects moves the journeys of those only
	scope := ctaudience.ct_caller_projects('{operate}');

	-- the due profiles: at the end of a wait, entered, removed from the
	-- entry segment (an import makes them due), or entered by an import
	-- while the journey was being stopped
	FOR s IN
		SELECT x.project_id, x.journey_id, x.ct_id, x.node, x.waiting, x.entered_at, x.node_at, x.due_at, y.nodes, y.status,
			   y.goal_event, y.goal_filter, y.exit_event, y.exit_filter, y.control_group,
			   -- still in: a member of the entry segment (an entry on an app
			   -- event has none), and not removed from an exit segment since
			   -- it entered
			   (y.segment_id IS NULL
				OR EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
							WHERE m.project_id = x.project_id AND m.segment_id = y.segment_id AND m.ct_id = x.ct_id
							  AND m.is_member))
			   AND (y.exit_segments = '{}'
					OR NOT EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
									WHERE m.project_id = x.project_id AND m.segment_id = ANY (y.exit_segments)
									  AND m.ct_id = x.ct_id AND NOT m.is_member AND m.stated_at >= x.entered_at)) AS member
		  FROM ctaudience.ct_journey_state x
		  JOIN ctaudience.ct_journey y ON y.project_id = x.project_id AND y.journey_id = x.journey_id
		 WHERE x.due_at <= clock AND x.exited_at IS NULL AND y.status IN ('live', 'stopped')
		   AND (scope IS NULL OR x.project_id = ANY (scope))
		 ORDER BY x.due_at
		 LIMIT max_profiles
		   FOR UPDATE OF x SKIP LOCKED
	LOOP
		moved := moved + 1;
		-- the goal first: an audience that drops buyers drops the converted
		goal_at := NULL;
		IF s.goal_event IS NOT NULL AND s.status = 'live' THEN
			SELECT min(ev.ts) INTO goal_at FROM ctaudience.ct_event ev
			 WHERE ev.project_id = s.project_id AND ev.ct_id = s.ct_id AND ev.event_name = s.goal_event
			   AND ev.ts >= s.entered_at AND ev.ts <= clock AND ev.props @> s.goal_filter;
		END IF;
		IF goal_at IS NOT NULL THEN
			UPDATE ctaudience.ct_journey_state x
			   SET waiting = false, due_at = NULL, exited_at = goal_at, exit_reason = 'goal'
			 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
			INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
			VALUES (s.project_id, s.journey_id, s.ct_id, s.node, 'goal', goal_at);
			CONTINUE;
		END IF;
		-- then the exit event
		exit_at := NULL;
		IF s.exit_event IS NOT NULL AND s.status = 'live' THEN
			SELECT min(ev.ts) INTO exit_at FROM ctaudience.ct_event ev
			 WHERE ev.project_id = s.project_id AND ev.ct_id = s.ct_id AND ev.event_name = s.exit_event
			   AND ev.ts >= s.entered_at AND ev.ts <= clock AND ev.props @> s.exit_filter;
		END IF;
		IF exit_at IS NOT NULL THEN
			UPDATE ctaudience.ct_journey_state x
			   SET waiting = false, due_at = NULL, exited_at = exit_at, exit_reason = 'exit_event'
			 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
			INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
			VALUES (s.project_id, s.journey_id, s.ct_id, s.node, 'exit_event', exit_at);
			CONTINUE;
		END IF;
		IF s.status = 'stopped' OR NOT s.member THEN
			UPDATE ctaudience.ct_journey_state x
			   SET waiting = false, due_at = NULL, exited_at = clock,
				   exit_reason = CASE WHEN s.status = 'stopped' THEN 'stopped' ELSE 'left_segment' END
			 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
			INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
			VALUES (s.project_id, s.journey_id, s.ct_id, s.node,
					CASE WHEN s.status = 'stopped' THEN 'stopped' ELSE 'left_segment' END, clock);
			CONTINUE;
		END IF;
		cur := s.node;
		waiting := s.waiting;
		t := s.due_at;
		SELECT n INTO nd FROM jsonb_array_elements(s.nodes) n WHERE n ->> 'id' = cur;
		IF waiting AND nd ->> 'type' = 'wait' THEN
			-- made due early (a removal, an event), still in: it waits on
			t := ctaudience.ct_journey_wait_end(nd, s.node_at, s.project_id);
			IF t > clock THEN
				UPDATE ctaudience.ct_journey_state x SET due_at = t
				 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
				moved := moved - 1;		-- claimed, not moved
				CONTINUE;
			END IF;
		END IF;
		hops := 0;
		LOOP
			-- the check trigger refuses a loop without a wait: this is a guard
			hops := hops + 1;
			IF hops > 2 * jsonb_array_length(s.nodes) + 2 THEN
				RAISE EXCEPTION 'journey % went round without a wait at node "%"', s.journey_id, cur
					USING ERRCODE = 'internal_error';
			END IF;
			SELECT n INTO nd FROM jsonb_array_elements(s.nodes) n WHERE n ->> 'id' = cur;
			CASE nd ->> 'type'
			WHEN 'entry' THEN
				cur := nd ->> 'next';
			WHEN 'wait' THEN
				IF waiting THEN
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'passed', t);
					waiting := false;
					cur := nd ->> 'next';
				ELSE
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'waiting', t);
					UPDATE ctaudience.ct_journey_state x
					   SET node = cur, waiting = true, node_at = t, due_at = ctaudience.ct_journey_wait_end(nd, t, s.project_id)
					 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
					EXIT;
				END IF;
			WHEN 'wait_for_event' THEN
				-- the first such event since it got here, if within the time
				-- allowed (and known to the clock); else the timeout
				IF waiting THEN
					arrived := s.node_at;
				ELSE
					arrived := t;
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'waiting', t);
				END IF;
				SELECT min(ev.ts) INTO ets FROM ctaudience.ct_event ev
				 WHERE ev.project_id = s.project_id AND ev.ct_id = s.ct_id AND ev.event_name = nd ->> 'event'
				   AND ev.ts >= arrived AND ev.ts <= least(clock, arrived + (nd ->> 'within')::interval)
				   AND ev.props @> coalesce(nd -> 'filter', '{}');
				IF ets IS NOT NULL THEN
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'event', ets);
					t := ets;
					waiting := false;
					cur := nd ->> 'next';
				ELSIF arrived + (nd ->> 'within')::interval <= clock THEN
					t := arrived + (nd ->> 'within')::interval;
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'timeout', t);
					waiting := false;
					cur := nd ->> 'timeout';
				ELSE
					UPDATE ctaudience.ct_journey_state x
					   SET node = cur, waiting = true, node_at = arrived, due_at = arrived + (nd ->> 'within')::interval
					 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
					IF waiting THEN
						moved := moved - 1;		-- claimed (another event), not moved
					END IF;
					EXIT;
				END IF;
			WHEN 'condition' THEN
				IF nd ? 'in_segment' THEN
					yes := EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
									WHERE m.project_id = s.project_id AND m.segment_id = (nd ->> 'in_segment')::bigint
									  AND m.ct_id = s.ct_id AND m.is_member);
				ELSIF nd ? 'has_properties' THEN
					yes := EXISTS (SELECT 1 FROM ctaudience.ct_profile p
									WHERE p.project_id = s.project_id AND p.ct_id = s.ct_id
									  AND p.properties @> (nd -> 'has_properties'));
				ELSE
					yes := EXISTS (SELECT 1 FROM ctaudience.ct_event ev
									WHERE ev.project_id = s.project_id AND ev.ct_id = s.ct_id
									  AND ev.event_name = nd ->> 'did_event'
									  AND ev.ts >= s.entered_at AND ev.ts <= clock
									  AND ev.props @> coalesce(nd -> 'filter', '{}'));
				END IF;
				INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
				VALUES (s.project_id, s.journey_id, s.ct_id, cur, CASE WHEN yes THEN 'yes' ELSE 'no' END, t);
				cur := nd ->> CASE WHEN yes THEN 'yes' ELSE 'no' END;
			WHEN 'send' THEN
				SELECT c.campaign_id INTO campaign FROM ctaudience.ct_campaign c
				 WHERE c.project_id = s.project_id AND c.journey_id = s.journey_id AND c.journey_node = cur;
				-- the control group: the same profiles at every send of the
				-- journey (a hash of the journey and the profile), held back
				IF s.control_group > 0
				   AND ('x' || left(md5(s.journey_id || '/' || s.ct_id), 8))::bit(32)::bigint % 100 < s.control_group THEN
					PERFORM ctaudience.ct_journey_control_group(s.project_id, campaign, s.ct_id, t);
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'control_group', t);
				ELSE
					INSERT INTO ctaudience.ct_campaign_queue (project_id, campaign_id, ct_id, event_name, event_ts,
															  event_props, once, qualified_at)
					VALUES (s.project_id, campaign, s.ct_id, 'Partner Sync', s.entered_at,
							jsonb_build_object('Journey id', s.journey_id, 'Journey node', cur), false, clock);
					INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
					VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'sent', t);
				END IF;
				cur := nd ->> 'next';
			WHEN 'exit' THEN
				INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
				VALUES (s.project_id, s.journey_id, s.ct_id, cur, 'completed', t);
				UPDATE ctaudience.ct_journey_state x
				   SET node = cur, waiting = false, node_at = t, due_at = NULL, exited_at = t, exit_reason = 'completed'
				 WHERE x.project_id = s.project_id AND x.journey_id = s.journey_id AND x.ct_id = s.ct_id;
				EXIT;
			END CASE;
		END LOOP;
	END LOOP;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_advance_journeys(integer, timestamptz) IS
	'the journeys'' clock: move up to max_profiles due profiles (oldest due first, FOR UPDATE SKIP LOCKED) through their nodes to the next wait or exit, a profile that left the entry segment out; as_of (the extension''s owner only) runs it at that time; returns how many profiles moved';
