-- A journey's nodes, checked as a whole graph: one entry, each node's
-- settings, every branch naming a node, every node reachable from the
-- entry, no loop without a wait.  Returns the segments the nodes name,
-- the entry's first (NULL for an entry on an app event, whose segment, if
-- any, is a condition).
CREATE FUNCTION ctaudience.ct_journey_nodes_check(nodes jsonb) RETURNS bigint[]
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	channels CONSTANT text[] := ARRAY['push', 'email', 'sms', 'whatsapp', 'webhook', 'web_push'];
	sdk_only CONSTANT text[] := ARRAY['in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	branches CONSTANT jsonb := '{"entry": ["next"], "wait": ["next"], "wait_for_event": ["next", "timeout"],
								 "condition": ["yes", "no"],
								 "send": ["next"], "exit": []}';
	node jsonb;
	pos bigint;
	id text;
	kind text;
	member text;
	ids text[] := '{}';
	e_src text[] := '{}';
	e_dst text[] := '{}';
	e_waits boolean[] := '{}';
	entry text;
	segments bigint[] := '{}';
	entry_segment bigint;
	reached text[];
	added text[];
	left_over text[];
	removed text[];
	d interval;
BEGIN
	IF jsonb_typeof(nodes) IS DISTINCT FROM 'array' OR jsonb_array_length(nodes) = 0 THEN
		RAISE EXCEPTION 'a journey''s nodes are a non-empty JSON array, not %',
			CASE jsonb_typeof(nodes) WHEN 'array' THEN 'an empty one' ELSE coalesce(jsonb_typeof(nodes), 'null') END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example [{"id": "start", "type": "entry", "segment_id": 1, "next": "bye"}, {"id": "bye", "type": "exit"}].';
	END IF;
	IF jsonb_array_length(nodes) > 100 THEN
		RAISE EXCEPTION 'a journey has at most 100 nodes, not %', jsonb_array_length(nodes)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR node, pos IN SELECT n.value, n.ordinality FROM jsonb_array_elements(nodes) WITH ORDINALITY n LOOP
		IF jsonb_typeof(node) IS DISTINCT FROM 'object' OR jsonb_typeof(node -> 'id') IS DISTINCT FROM 'string'
		   OR octet_length(node ->> 'id') NOT BETWEEN 1 AND 64 THEN
			RAISE EXCEPTION 'node % of the journey has no id', pos
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Every node is a JSON object with an "id" (a string of 1 to 64 bytes, unique in the journey) and a "type".';
		END IF;
		id := node ->> 'id';
		kind := node ->> 'type';
		IF id = ANY (ids) THEN
			RAISE EXCEPTION 'two nodes have the id "%"', id
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Give every node of a journey its own id.';
		END IF;
		IF kind IS NULL OR NOT branches ? kind THEN
			RAISE EXCEPTION 'node "%" has an unknown type "%"', id, kind
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Use entry, wait, wait_for_event, condition, send or exit.';
		END IF;
		FOR member IN SELECT jsonb_array_elements_text(branches -> kind) LOOP
			IF jsonb_typeof(node -> member) IS DISTINCT FROM 'string' THEN
				RAISE EXCEPTION 'node "%" (%) has no "%" branch', id, kind, member
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = format('A %s node names the id of the node that comes next in %s.', kind,
										(SELECT string_agg(format('"%s"', b), ' and ') FROM jsonb_array_elements_text(branches -> kind) b));
			END IF;
			e_src := e_src || id;
			e_dst := e_dst || (node ->> member);
			-- an edge that cannot be taken at once: out of a wait, or a wait
			-- for an event timing out
			e_waits := e_waits || (kind = 'wait' OR kind = 'wait_for_event' AND member = 'timeout');
		END LOOP;
		CASE kind
		WHEN 'entry' THEN
			IF entry IS NOT NULL THEN
				RAISE EXCEPTION 'a journey has one entry node, not "%" and "%"', entry, id
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Profiles enter at one node: merge the entries or make the second another type.';
			END IF;
			IF node ? 'event' THEN
				-- an entry on an app event: its segment_id, if any, is a
				-- condition (a member when it does the event)
				IF jsonb_typeof(node -> 'event') IS DISTINCT FROM 'string' OR octet_length(node ->> 'event') NOT BETWEEN 1 AND 512 THEN
					RAISE EXCEPTION 'the entry node "%" needs an event name of 1 to 512 bytes', id
						USING ERRCODE = 'invalid_parameter_value', HINT = 'For example "event": "App Launched".';
				END IF;
				IF node ->> 'event' = 'Partner Sync' THEN
					RAISE EXCEPTION 'the entry node "%": Partner Sync is not an app event', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'To enter the profiles an import adds to a segment, give the entry a segment_id and no event.';
				END IF;
				IF node ? 'filter' AND jsonb_typeof(node -> 'filter') IS DISTINCT FROM 'object' THEN
					RAISE EXCEPTION 'the entry node "%": filter is a JSON object of event properties', id
						USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Category": "Shoes"}.';
				END IF;
				IF node ? 'segment_id' AND jsonb_typeof(node -> 'segment_id') IS DISTINCT FROM 'number' THEN
					RAISE EXCEPTION 'the entry node "%": segment_id is a segment_id', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'With an event, segment_id is a condition: only its members enter; see ctaudience.ct_segments.';
				END IF;
				IF node ? 'members_at_start' THEN
					RAISE EXCEPTION 'the entry node "%": members_at_start goes with an entry on a segment, not on an event', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'Profiles enter when they do the event after the journey started.';
				END IF;
				IF node ? 'segment_id' THEN
					IF (node ->> 'segment_id')::numeric % 1 <> 0
					   OR (node ->> 'segment_id')::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
						RAISE EXCEPTION 'the % node "%": segment_id is a segment_id (a whole number), not %', kind, id, node -> 'segment_id'
							USING ERRCODE = 'invalid_parameter_value', HINT = 'See ctaudience.ct_segments.';
					END IF;
					segments := segments || (node ->> 'segment_id')::bigint;
				END IF;
			ELSE
				IF jsonb_typeof(node -> 'segment_id') IS DISTINCT FROM 'number' THEN
					RAISE EXCEPTION 'the entry node "%" has no segment_id', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'A profile enters when an import adds it to this segment (Partner Sync, Action Added); see ctaudience.ct_segments.  Or give it an "event": an app event that enters the profile when it is recorded.';
				END IF;
				IF node ? 'filter' THEN
					RAISE EXCEPTION 'the entry node "%": filter goes with an event', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'An entry on a segment takes every profile an import adds to it.';
				END IF;
				IF node ? 'members_at_start' AND jsonb_typeof(node -> 'members_at_start') IS DISTINCT FROM 'boolean' THEN
					RAISE EXCEPTION 'the entry node "%": members_at_start is true or false', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'true: the segment''s members when the journey starts enter too (past behavior).';
				END IF;
				IF (node ->> 'segment_id')::numeric % 1 <> 0
				   OR (node ->> 'segment_id')::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
					RAISE EXCEPTION 'the % node "%": segment_id is a segment_id (a whole number), not %', kind, id, node -> 'segment_id'
						USING ERRCODE = 'invalid_parameter_value', HINT = 'See ctaudience.ct_segments.';
				END IF;
				entry_segment := (node ->> 'segment_id')::bigint;
			END IF;
			entry := id;
		WHEN 'wait' THEN
			IF (node ? 'duration') = (node ? 'until') THEN
				RAISE EXCEPTION 'the wait node "%" needs one of duration and until', id
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = '"duration": an interval such as "1 hour" or "1 day"; or "until": a time of day such as "09:00", in "time_zone" (an IANA name such as "Asia/Kolkata"; the project''s time zone when none).';
			END IF;
			IF node ? 'duration' THEN
				BEGIN
					d := CASE WHEN jsonb_typeof(node -> 'duration') = 'string' THEN (node ->> 'duration')::interval END;
				EXCEPTION WHEN data_exception THEN
					d := NULL;
				END;
				IF d IS NULL OR d <= interval '0' THEN
					RAISE EXCEPTION 'the wait node "%" has no positive duration', id
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'Give it "duration", an interval such as "1 hour" or "1 day".';
				END IF;
				-- every part (months, days, time) positive or none: "1 mon
				-- -29 days" would end before it started
				IF extract(year FROM d) < 0 OR extract(month FROM d) < 0 OR extract(day FROM d) < 0
				   OR d - date_trunc('day', d) < interval '0' THEN
					RAISE EXCEPTION 'the wait node "%": duration "%" has a negative part', id, node ->> 'duration'
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'Write it with positive parts only, such as "1 day 2 hours".';
				END IF;
				IF d > interval '10 years' THEN
					RAISE EXCEPTION 'the wait node "%": duration "%" is longer than 10 years', id, node ->> 'duration'
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'A wait is at most 10 years (120 months, 3600 days).';
				END IF;
			ELSE
				IF coalesce(node ->> 'until', '') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' THEN
					RAISE EXCEPTION 'the wait node "%": until is a time of day, not "%"', id, node ->> 'until'
						USING ERRCODE = 'invalid_parameter_value', HINT = 'Write it HH:MM, from "00:00" to "23:59".';
				END IF;
				-- a name as the project's (ct_check_time_zone): no POSIX
				-- offset such as "+05:30" (which PostgreSQL reads as UTC-05:30)
				BEGIN
					PERFORM ctaudience.ct_check_time_zone(CASE WHEN NOT node ? 'time_zone' THEN 'UTC'
															   WHEN jsonb_typeof(node -> 'time_zone') = 'string'
															   THEN node ->> 'time_zone' ELSE '' END);
				EXCEPTION WHEN invalid_parameter_value THEN
					RAISE EXCEPTION 'the wait node "%": unknown time zone %', id, node -> 'time_zone'
						USING ERRCODE = 'invalid_parameter_value',
							  HINT = 'Use an IANA name such as "Asia/Kolkata" or "Europe/Berlin", spelt as in pg_timezone_names, or "UTC".';
				END;
			END IF;
			IF node ? 'time_zone' AND NOT node ? 'until' THEN
				RAISE EXCEPTION 'the wait node "%": time_zone goes with until', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'A duration is the same in every time zone.';
			END IF;
		WHEN 'wait_for_event' THEN
			IF jsonb_typeof(node -> 'event') IS DISTINCT FROM 'string' OR octet_length(node ->> 'event') NOT BETWEEN 1 AND 512 THEN
				RAISE EXCEPTION 'the wait_for_event node "%" needs an event name of 1 to 512 bytes', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'For example "event": "Charged".';
			END IF;
			-- an import records Partner Sync without making anyone due: the
			-- wait would end at its timeout only
			IF node ->> 'event' = 'Partner Sync' THEN
				RAISE EXCEPTION 'the wait_for_event node "%": Partner Sync is not an app event', id
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Wait for an app event recorded with ctaudience.ct_record_event; to act on an import''s changes, use a condition with in_segment after a wait.';
			END IF;
			IF node ? 'filter' AND jsonb_typeof(node -> 'filter') IS DISTINCT FROM 'object' THEN
				RAISE EXCEPTION 'the wait_for_event node "%": filter is a JSON object of event properties', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Category": "Shoes"}.';
			END IF;
			BEGIN
				d := CASE WHEN jsonb_typeof(node -> 'within') = 'string' THEN (node ->> 'within')::interval END;
			EXCEPTION WHEN data_exception THEN
				d := NULL;
			END;
			IF d IS NULL OR d <= interval '0' THEN
				RAISE EXCEPTION 'the wait_for_event node "%" has no positive "within"', id
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Give it "within", an interval such as "1 day": after it, the profile takes the "timeout" branch.';
			END IF;
			IF extract(year FROM d) < 0 OR extract(month FROM d) < 0 OR extract(day FROM d) < 0
			   OR d - date_trunc('day', d) < interval '0' THEN
				RAISE EXCEPTION 'the wait_for_event node "%": within "%" has a negative part', id, node ->> 'within'
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Write it with positive parts only, such as "1 day 2 hours".';
			END IF;
			IF d > interval '10 years' THEN
				RAISE EXCEPTION 'the wait_for_event node "%": within "%" is longer than 10 years', id, node ->> 'within'
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'A wait is at most 10 years (120 months, 3600 days).';
			END IF;
		WHEN 'condition' THEN
			IF (node ? 'in_segment')::int + (node ? 'did_event')::int + (node ? 'has_properties')::int <> 1 THEN
				RAISE EXCEPTION 'the condition node "%" needs one of in_segment, did_event and has_properties', id
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = '"in_segment": a segment_id (yes: the profile is a member now); "did_event": an event name (yes: the profile did it after it entered), with an optional "filter" of its properties; "has_properties": a JSON object the profile''s properties contain now.';
			END IF;
			IF node ? 'has_properties' AND (jsonb_typeof(node -> 'has_properties') IS DISTINCT FROM 'object'
											OR node -> 'has_properties' = '{}') THEN
				RAISE EXCEPTION 'the condition node "%": has_properties is a non-empty JSON object of profile properties', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Tier": "Gold"}.';
			END IF;
			-- imported attributes are strings: another value would never match
			IF node ? 'has_properties'
			   AND EXISTS (SELECT 1 FROM jsonb_each(node -> 'has_properties') p(k, v)
							WHERE jsonb_typeof(p.v) <> 'string'
							  AND (jsonb_typeof(p.v) <> 'array'
								   OR EXISTS (SELECT 1 FROM jsonb_array_elements(p.v) e WHERE jsonb_typeof(e) <> 'string'))) THEN
				RAISE EXCEPTION 'the condition node "%": has_properties values are strings or arrays of strings', id
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Imported attributes are stored as strings: write {"VIP": "true"} or {"Age": "30"}, not true or 30.';
			END IF;
			IF node ? 'in_segment' AND jsonb_typeof(node -> 'in_segment') IS DISTINCT FROM 'number' THEN
				RAISE EXCEPTION 'the condition node "%": in_segment is a segment_id', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'See ctaudience.ct_segments.';
			END IF;
			IF node ? 'in_segment' THEN
				IF (node ->> 'in_segment')::numeric % 1 <> 0
				   OR (node ->> 'in_segment')::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN
					RAISE EXCEPTION 'the % node "%": in_segment is a segment_id (a whole number), not %', kind, id, node -> 'in_segment'
						USING ERRCODE = 'invalid_parameter_value', HINT = 'See ctaudience.ct_segments.';
				END IF;
				segments := segments || (node ->> 'in_segment')::bigint;
			END IF;
			IF node ? 'did_event' AND (jsonb_typeof(node -> 'did_event') IS DISTINCT FROM 'string'
									   OR octet_length(node ->> 'did_event') NOT BETWEEN 1 AND 512) THEN
				RAISE EXCEPTION 'the condition node "%": did_event is an event name of 1 to 512 bytes', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'For example "Charged".';
			END IF;
			IF node ? 'filter' AND jsonb_typeof(node -> 'filter') IS DISTINCT FROM 'object' THEN
				RAISE EXCEPTION 'the condition node "%": filter is a JSON object of event properties', id
					USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Category": "Shoes"}.';
			END IF;
		WHEN 'send' THEN
			IF (node ->> 'channel') = ANY (sdk_only) THEN
				RAISE EXCEPTION 'the send node "%" cannot use %: a journey sends through the campaign queue', id, node ->> 'channel'
					USING ERRCODE = 'invalid_parameter_value',
						  DETAIL = 'A send node queues the message for a sender when the clock moves the profile, not while the SDK shows an app or a web page, so '
								   || array_to_string(sdk_only, ', ') || ' cannot show it.',
						  HINT = 'Use one of ' || array_to_string(channels, ', ') || '.';
			END IF;
			IF (node ->> 'channel') IS NULL OR NOT (node ->> 'channel') = ANY (channels) THEN
				RAISE EXCEPTION 'the send node "%" has an unknown channel "%"', id, node ->> 'channel'
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Use one of ' || array_to_string(channels, ', ') || '.';
			END IF;
		ELSE
			NULL;
		END CASE;
		ids := ids || id;
	END LOOP;
	IF entry IS NULL THEN
		RAISE EXCEPTION 'a journey needs an entry node'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Add {"id": "start", "type": "entry", "segment_id": ..., "next": ...} (or "event": ... for an app event): profiles enter there.';
	END IF;
	SELECT e.src, e.dst INTO id, member FROM unnest(e_src, e_dst) e(src, dst) WHERE NOT e.dst = ANY (ids) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'node "%" leads to "%", which is not a node of the journey', id, member
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Every branch names the id of a node of the journey.';
	END IF;
	SELECT e.src INTO id FROM unnest(e_src, e_dst) e(src, dst) WHERE e.dst = entry LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'node "%" leads back to the entry node "%"', id, entry
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A profile enters a journey once; lead it to the node after the entry instead.';
	END IF;
	-- every node reachable from the entry
	reached := ARRAY[entry];
	LOOP
		added := ARRAY(SELECT DISTINCT e.dst FROM unnest(e_src, e_dst) e(src, dst)
						WHERE e.src = ANY (reached) AND NOT e.dst = ANY (reached));
		EXIT WHEN cardinality(added) = 0;
		reached := reached || added;
	END LOOP;
	left_over := ARRAY(SELECT i FROM unnest(ids) WITH ORDINALITY u(i, o) WHERE NOT i = ANY (reached) ORDER BY o);
	IF cardinality(left_over) > 0 THEN
		RAISE EXCEPTION 'no path from the entry reaches the node "%"', left_over[1]
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Nodes not reached: ' || array_to_string(left_over, ', ') || '.',
				  HINT = 'Lead a branch of a reachable node to it, or remove it.';
	END IF;
	-- no loop without a wait: without the edges that wait (out of a wait
	-- node, a wait for an event's timeout) the graph has no cycle; peel off
	-- the nodes without an edge out (or in) until none is left, or a loop is
	left_over := ids;
	LOOP
		removed := ARRAY(SELECT i FROM unnest(left_over) i
						  WHERE NOT EXISTS (SELECT 1 FROM unnest(e_src, e_dst, e_waits) e(src, dst, waits)
											 WHERE e.src = i AND e.dst = ANY (left_over) AND NOT e.waits)
							 OR NOT EXISTS (SELECT 1 FROM unnest(e_src, e_dst, e_waits) e(src, dst, waits)
											 WHERE e.dst = i AND e.src = ANY (left_over) AND NOT e.waits));
		EXIT WHEN cardinality(removed) = 0;
		left_over := ARRAY(SELECT i FROM unnest(left_over) i WHERE NOT i = ANY (removed));
	END LOOP;
	IF cardinality(left_over) > 0 THEN
		RAISE EXCEPTION 'the nodes % make a loop without a wait', array_to_string(left_over, ', ')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A profile would go round it at once, for ever: put a wait node in the loop.';
	END IF;
	RETURN entry_segment || segments;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_journey_nodes_check(jsonb) IS
	'check a journey''s nodes as a graph (22023 naming the node, with a hint): one entry with a segment or an app event, each node''s settings, branches complete, every node reachable, no loop without a wait, channels a sender can use; returns the segments named, the entry''s first (NULL for an entry on an event)';
