-- Every write of ct_journey, through the functions or direct DML, is
-- checked: the nodes (ct_journey_nodes_check), the goal and exit events,
-- the re-entry policy, the control group, no segment of another project,
-- and the life of a journey: only a draft changes; draft -> live ->
-- stopped.  segment_id and entry_event are the entry node's; exit_segments
-- are checked here.
CREATE FUNCTION ctaudience.ct_journey_check() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	segments bigint[];
	foreign_segment bigint;
	missing text;
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF (NEW.project_id, NEW.journey_id) IS DISTINCT FROM (OLD.project_id, OLD.journey_id) THEN
			RAISE EXCEPTION 'a journey cannot move to another project or id' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		IF OLD.status <> 'draft'
		   AND (NEW.name, NEW.nodes, NEW.goal_event, NEW.goal_filter, NEW.exit_event, NEW.exit_filter, NEW.reentry,
				NEW.reentry_after, NEW.control_group, NEW.exit_segments)
			   IS DISTINCT FROM
			   (OLD.name, OLD.nodes, OLD.goal_event, OLD.goal_filter, OLD.exit_event, OLD.exit_filter, OLD.reentry,
				OLD.reentry_after, OLD.control_group, OLD.exit_segments) THEN
			RAISE EXCEPTION 'journey % is %: only a draft journey can be changed', OLD.journey_id, OLD.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Profiles go through it as it is.  Stop it and create a new journey with the changes.';
		END IF;
		IF NEW.status IS DISTINCT FROM OLD.status
		   AND NOT (OLD.status = 'draft' AND NEW.status IN ('live', 'stopped') OR OLD.status = 'live' AND NEW.status = 'stopped') THEN
			RAISE EXCEPTION 'journey % cannot go from % to %', OLD.journey_id, OLD.status, NEW.status
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'A journey goes from draft to live (ct_start_journey) to stopped (ct_stop_journey); a stopped journey stays stopped.';
		END IF;
		NEW.updated_at := now();
	END IF;
	IF NEW.status = 'live' AND NEW.started_at IS NULL THEN
		RAISE EXCEPTION 'a live journey has a start time' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Start it with ctaudience.ct_start_journey.';
	END IF;
	IF octet_length(NEW.goal_event) NOT BETWEEN 1 AND 512 OR octet_length(NEW.exit_event) NOT BETWEEN 1 AND 512 THEN
		RAISE EXCEPTION 'a goal or exit event''s name is 1 to 512 bytes long' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'For example Charged; NULL for none.';
	END IF;
	IF jsonb_typeof(NEW.goal_filter) IS DISTINCT FROM 'object' OR jsonb_typeof(NEW.exit_filter) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'goal_filter and exit_filter must be JSON objects of event properties, not %',
			coalesce(jsonb_typeof(CASE WHEN jsonb_typeof(NEW.goal_filter) IS DISTINCT FROM 'object' THEN NEW.goal_filter
									   ELSE NEW.exit_filter END), 'null')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Category": "Shoes"}.';
	END IF;
	-- an import records Partner Sync without making anyone due: such a goal
	-- or exit would be seen late, after the sends in between
	IF 'Partner Sync' IN (NEW.goal_event, NEW.exit_event) THEN
		RAISE EXCEPTION 'Partner Sync cannot be a journey''s % event',
			CASE WHEN NEW.goal_event = 'Partner Sync' THEN 'goal' ELSE 'exit' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use an app event recorded with ctaudience.ct_record_event; a profile an import removes from the entry segment or an exit segment exits by itself.';
	END IF;
	IF NEW.goal_event IS NULL AND NEW.goal_filter <> '{}' OR NEW.exit_event IS NULL AND NEW.exit_filter <> '{}' THEN
		RAISE EXCEPTION 'a % needs a %', CASE WHEN NEW.goal_event IS NULL AND NEW.goal_filter <> '{}' THEN 'goal_filter' ELSE 'exit_filter' END,
			CASE WHEN NEW.goal_event IS NULL AND NEW.goal_filter <> '{}' THEN 'goal_event' ELSE 'exit_event' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the event the filter applies to, e.g. goal_event => ''Charged''.';
	END IF;
	IF NEW.reentry IS NULL OR NEW.reentry NOT IN ('once', 'after', 'always') THEN
		RAISE EXCEPTION 'unknown re-entry policy "%"', NEW.reentry
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use once (a profile enters once ever), after (with reentry_after) or always.';
	END IF;
	IF (NEW.reentry = 'after') <> (NEW.reentry_after IS NOT NULL) OR NEW.reentry_after <= interval '0' THEN
		RAISE EXCEPTION 'reentry % %', NEW.reentry,
			CASE WHEN NEW.reentry = 'after' THEN 'needs a positive reentry_after' ELSE 'takes no reentry_after' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'reentry => ''after'' with reentry_after => ''30 days''; ''once'' and ''always'' without.';
	END IF;
	-- every part (months, days, time) positive or none, and at most 10
	-- years: an entry adds it to the time the profile last entered
	IF extract(year FROM NEW.reentry_after) < 0 OR extract(month FROM NEW.reentry_after) < 0
	   OR extract(day FROM NEW.reentry_after) < 0 OR NEW.reentry_after - date_trunc('day', NEW.reentry_after) < interval '0' THEN
		RAISE EXCEPTION 'reentry_after has a negative part'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Write it with positive parts only, such as ''30 days''.';
	END IF;
	IF NEW.reentry_after > interval '10 years' THEN
		RAISE EXCEPTION 'reentry_after is longer than 10 years'
			USING ERRCODE = 'invalid_parameter_value', HINT = 'reentry_after is at most 10 years (120 months, 3600 days).';
	END IF;
	IF NEW.control_group IS NULL OR NEW.control_group NOT BETWEEN 0 AND 90 THEN
		RAISE EXCEPTION 'a control group is 0 to 90 percent of the profiles, not %', NEW.control_group
			USING ERRCODE = 'invalid_parameter_value', HINT = 'For example control_group => 10; 0 for none.';
	END IF;
	-- exit criteria: leaving any of these segments
	IF NEW.exit_segments IS NULL OR array_position(NEW.exit_segments, NULL) IS NOT NULL
	   OR cardinality(NEW.exit_segments) > 20 OR array_ndims(NEW.exit_segments) > 1 THEN
		RAISE EXCEPTION 'exit_segments is a list of at most 20 segment ids, without NULLs'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example exit_segments => ARRAY[12, 15]: a profile an import removes from one of them exits; ''{}'' for none.';
	END IF;
	segments := ctaudience.ct_journey_nodes_check(NEW.nodes);
	NEW.segment_id := segments[1];
	-- an entry on an app event (segment_id NULL: its segment is a condition)
	NEW.entry_event := (SELECT n ->> 'event' FROM jsonb_array_elements(NEW.nodes) n WHERE n ->> 'type' = 'entry');
	-- the entering event is one "since it entered": as the goal or the exit
	-- event it would exit every profile at once
	IF NEW.entry_event IN (NEW.goal_event, NEW.exit_event) THEN
		RAISE EXCEPTION 'the journey enters on "%", which is also its % event', NEW.entry_event,
			CASE WHEN NEW.entry_event = NEW.goal_event THEN 'goal' ELSE 'exit' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The event that enters a profile would count as done at once: choose another goal_event or exit_event.';
	END IF;
	-- live: each send node has its campaign, which the clock queues for.
	-- ct_start_journey makes them before it makes the journey live; a
	-- journey set live directly would have none.  Not a restore's INSERT
	-- (pg_dump's script and pg_restore set row_security off; pg_restore
	-- --jobs may load ct_journey before ct_campaign), nor on a Citus shard
	-- (see below)
	IF NEW.status = 'live' AND (TG_OP = 'INSERT' OR OLD.status = 'draft') AND TG_TABLE_NAME = 'ct_journey'
	   AND NOT (TG_OP = 'INSERT' AND current_setting('row_security') = 'off') THEN
		SELECT n ->> 'id' INTO missing
		  FROM jsonb_array_elements(NEW.nodes) n
		 WHERE n ->> 'type' = 'send'
		   AND NOT EXISTS (SELECT 1 FROM ctaudience.ct_campaign c
							WHERE c.project_id = NEW.project_id AND c.journey_id = NEW.journey_id
							  AND c.journey_node = n ->> 'id' AND c.kind = 'journey')
		 LIMIT 1;
		IF missing IS NOT NULL THEN
			RAISE EXCEPTION 'journey % has no campaign for its send node "%": it cannot be live', NEW.journey_id, missing
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Start a draft journey with ctaudience.ct_start_journey, which makes its send nodes'' campaigns; do not set status live directly.';
		END IF;
	END IF;
	segments := segments || NEW.exit_segments;
	-- A segment of another project is refused here, on every write; one that
	-- does not exist by the functions only (a restore may load journeys
	-- before segments), as for campaigns.  Not on a shard of a Citus
	-- cluster (ct_journey_102008), which cannot read the other projects'
	-- segments: there the functions (ct_campaign_segments_exist) refuse it.
	IF TG_TABLE_NAME = 'ct_journey' THEN
		SELECT s.id INTO foreign_segment
		  FROM unnest(segments) s(id)
		 WHERE EXISTS (SELECT 1 FROM ctaudience.ct_segment g WHERE g.segment_id = s.id AND g.project_id <> NEW.project_id)
		 LIMIT 1;
	END IF;
	IF foreign_segment IS NOT NULL THEN
		RAISE EXCEPTION 'segment % is not a segment of project "%"', foreign_segment, NEW.project_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use the segment_id of one of the project''s segments (ctaudience.ct_segments).';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_journey_check() IS
	'trigger: refuses a journey whose nodes break the rules or name another project''s segment (22023), a change to a journey that is not a draft, a status change out of order and a live journey without its send nodes'' campaigns (55000)';
CREATE TRIGGER ct_journey_check BEFORE INSERT OR UPDATE ON ctaudience.ct_journey
	FOR EACH ROW EXECUTE FUNCTION ctaudience.ct_journey_check();
