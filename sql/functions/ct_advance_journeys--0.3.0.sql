-- The journeys' clock, for one project.  Profiles enter live, in the import's statement
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
-- late run shifts no wait.  A duration (and the time a wait for an event
-- allows) is added in UTC, as ct_journey_wait_end adds it: a day is 24
-- hours whatever the caller's TimeZone.  Every step is a row of
-- ct_journey_step.
--
-- Set-based: one statement claims the batch, the next (a snapshot taken
-- after the claim, so that a goal event or a removal committed meanwhile
-- is seen) exits those that must exit
-- (or puts back those made due early whose wait is not over), passes the
-- waits that are over and returns the others as arrays (the walk: the
-- project is $1 throughout); then one statement per hop moves every
-- profile of the walk through the node it is at -- the steps, queue rows
-- and states of the whole batch written in bulk -- and on into a next node
-- that is a wait or an exit (it stops there), and returns those that go
-- on to another node, until each has reached a wait or an exit.  A
-- profile's steps are written in its order (step_id).
CREATE FUNCTION ctaudience.ct_advance_project_journeys(project text, max_profiles integer DEFAULT 1000,
	as_of timestamptz DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	-- a batch's statements cost much in the planner's eyes, little in
	-- truth: compiling them (seconds a call) would cost more than it saves
	SET jit = off
AS $$
DECLARE
	clock CONSTANT timestamptz := coalesce(as_of, now());
	-- the claimed profiles (journey, profile, node, waiting, entry time,
	-- time at the node, due time)
	k_j bigint[];
	k_c text[];
	k_n text[];
	k_w boolean[];
	k_e timestamptz[];
	k_a timestamptz[];
	k_d timestamptz[];
	claimed bigint;
	kept bigint;
	moved bigint;
	-- the walk: one element per profile moving on (journey, profile, entry
	-- time, node, whether it waits there, the journey's time, when it got
	-- to the node it waits at)
	w_j bigint[];
	w_c text[];
	w_e timestamptz[];
	w_n text[];
	w_w boolean[];
	w_t timestamptz[];
	w_a timestamptz[];
	journeys bigint[];
	most integer;
	hops integer := 0;
	lost bigint;
	held bigint;
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
	IF project IS NULL THEN
		RAISE EXCEPTION 'project must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- an operator given projects moves the journeys of those only
	PERFORM ctaudience.ct_check_project(project, '{operate}', format('the journeys of project %s', project),
										unless_scoped => 'ctaudience.ct_advance_project_journeys(text, integer, timestamptz)'::regprocedure);

	-- the due profiles: at the end of a wait, entered, removed from the
	-- entry segment (an import makes them due), or entered by an import
	-- while the journey was being stopped.  The goal first (an audience
	-- that drops buyers drops the converted), then the exit event, the
	-- journey stopped, the entry segment left; one made due early (a
	-- removal, an event) that is still in waits on
	-- The claim is a statement of its own: a goal or exit event, or a
	-- removal, that commits while it runs (after its snapshot, before it
	-- locks the row) is then seen by the next statement, whose snapshot is
	-- taken after the claim (READ COMMITTED), and no one else writes the
	-- claimed rows until this transaction ends: the claim returns them (as
	-- they are now: a row updated since its snapshot is locked and read
	-- as it is now), the next statement reads them back from the arrays
	EXECUTE ctaudience.ct_project_sql(project, $sql$
	SELECT array_agg(c.journey_id), array_agg(c.ct_id), array_agg(c.node), array_agg(c.waiting),
		   array_agg(c.entered_at), array_agg(c.node_at), array_agg(c.due_at)
	  FROM (SELECT x.journey_id, x.ct_id, x.node, x.waiting, x.entered_at, x.node_at, x.due_at
			  FROM ctaudience.ct_journey_state x
			  JOIN ctaudience.ct_journey y ON y.project_id = x.project_id AND y.journey_id = x.journey_id
			 WHERE x.project_id = $1 AND y.project_id = $1
			   AND x.due_at <= $2 AND x.exited_at IS NULL AND y.status IN ('live', 'stopped')
			 ORDER BY x.due_at
			 LIMIT $3
			   FOR UPDATE OF x SKIP LOCKED) c
	$sql$)
	  INTO k_j, k_c, k_n, k_w, k_e, k_a, k_d
	  USING project, clock, max_profiles;
	IF k_c IS NULL THEN
		RETURN 0;
	END IF;
	EXECUTE ctaudience.ct_project_sql(project, $sql$
	WITH c AS MATERIALIZED (
		SELECT $1::text AS project_id, x.journey_id, x.ct_id, x.node, x.waiting, x.entered_at, x.node_at, x.due_at,
			   y.status, y.segment_id, y.exit_segments, y.goal_event, y.goal_filter, y.exit_event, y.exit_filter
		  FROM unnest($3, $4, $5, $6, $7, $8, $9) AS x(journey_id, ct_id, node, waiting, entered_at, node_at, due_at)
		  JOIN ctaudience.ct_journey y ON y.project_id = $1 AND y.journey_id = x.journey_id),
	jn AS MATERIALIZED (
		SELECT y.journey_id, n ->> 'id' AS id, n AS nd
		  FROM ctaudience.ct_journey y CROSS JOIN LATERAL jsonb_array_elements(y.nodes) n
		 WHERE y.project_id = $1 AND y.journey_id IN (SELECT DISTINCT c.journey_id FROM c)),
	g AS MATERIALIZED (
		SELECT c.*,
			   CASE WHEN c.goal_event IS NOT NULL AND c.status = 'live' THEN
					(SELECT min(ev.ts) FROM ctaudience.ct_event ev
					  WHERE ev.project_id = $1 AND ev.ct_id = c.ct_id AND ev.event_name = c.goal_event
						AND ev.ts >= c.entered_at AND ev.ts <= $2 AND ev.props @> c.goal_filter) END AS goal_at,
			   CASE WHEN c.exit_event IS NOT NULL AND c.status = 'live' THEN
					(SELECT min(ev.ts) FROM ctaudience.ct_event ev
					  WHERE ev.project_id = $1 AND ev.ct_id = c.ct_id AND ev.event_name = c.exit_event
						AND ev.ts >= c.entered_at AND ev.ts <= $2 AND ev.props @> c.exit_filter) END AS exit_at,
			   -- still in: a member of the entry segment (an entry on an app
			   -- event has none), and not removed from an exit segment since
			   -- it entered
			   (c.segment_id IS NULL
				OR EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
							WHERE m.project_id = $1 AND m.segment_id = c.segment_id AND m.ct_id = c.ct_id
							  AND m.is_member OFFSET 0))
			   AND (c.exit_segments = '{}'
					OR NOT EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
									WHERE m.project_id = $1 AND m.segment_id = ANY (c.exit_segments)
									  AND m.ct_id = c.ct_id AND NOT m.is_member AND m.stated_at >= c.entered_at)) AS member,
			   CASE WHEN c.waiting AND jn.nd ->> 'type' = 'wait' THEN
					CASE WHEN jn.nd ? 'until' THEN ctaudience.ct_journey_wait_end(jn.nd, c.node_at, c.project_id)
						 ELSE ((c.node_at AT TIME ZONE 'UTC') + (jn.nd ->> 'duration')::interval) AT TIME ZONE 'UTC' END
					ELSE c.due_at END AS t,
			   -- at the end of a wait: it passes it here (no hop for it)
			   c.waiting AND jn.nd ->> 'type' = 'wait' AS passing, jn.nd ->> 'next' AS next
		  FROM c LEFT JOIN jn ON jn.journey_id = c.journey_id AND jn.id = c.node),
	f AS MATERIALIZED (
		SELECT g.*,
			   CASE WHEN g.goal_at IS NOT NULL THEN 'goal'
					WHEN g.exit_at IS NOT NULL THEN 'exit_event'
					WHEN g.status = 'stopped' THEN 'stopped'
					WHEN NOT g.member THEN 'left_segment'
					WHEN g.t > $2 THEN 'kept' END AS fate,
			   coalesce(g.goal_at, g.exit_at, CASE WHEN g.status = 'stopped' OR NOT g.member THEN $2 END) AS fate_at
		  FROM g),
	st AS (
		UPDATE ctaudience.ct_journey_state x
		   SET waiting = CASE WHEN f.fate = 'kept' THEN x.waiting ELSE false END,
			   due_at = CASE WHEN f.fate = 'kept' THEN f.t END,
			   exited_at = CASE WHEN f.fate <> 'kept' THEN f.fate_at END,
			   exit_reason = CASE WHEN f.fate <> 'kept' THEN f.fate END
		  FROM f
		 WHERE f.fate IS NOT NULL
		   AND x.project_id = $1 AND x.journey_id = f.journey_id AND x.ct_id = f.ct_id),
	sp AS (
		INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, step_id, ct_id, node, outcome, ts)
		OVERRIDING SYSTEM VALUE
		SELECT f.project_id, f.journey_id, nextval('ctaudience.ct_journey_step_step_id_seq'), f.ct_id, f.node,
			   coalesce(f.fate, 'passed'), coalesce(f.fate_at, f.t)
		  FROM f WHERE f.fate <> 'kept' OR f.fate IS NULL AND f.passing)
	SELECT count(*), count(*) FILTER (WHERE f.fate = 'kept'),
		   array_agg(f.journey_id) FILTER (WHERE f.fate IS NULL),
		   array_agg(f.ct_id) FILTER (WHERE f.fate IS NULL), array_agg(f.entered_at) FILTER (WHERE f.fate IS NULL),
		   array_agg(CASE WHEN f.passing THEN f.next ELSE f.node END) FILTER (WHERE f.fate IS NULL),
		   array_agg(f.waiting AND NOT f.passing) FILTER (WHERE f.fate IS NULL),
		   array_agg(f.t) FILTER (WHERE f.fate IS NULL), array_agg(f.node_at) FILTER (WHERE f.fate IS NULL),
		   array_agg(DISTINCT f.journey_id) FILTER (WHERE f.fate IS NULL)
	  FROM f
	$sql$)
	  INTO claimed, kept, w_j, w_c, w_e, w_n, w_w, w_t, w_a, journeys
	  USING project, clock, k_j, k_c, k_n, k_w, k_e, k_a, k_d;
	moved := claimed - kept;
	IF journeys IS NULL THEN
		RETURN moved;
	END IF;
	SELECT max(jsonb_array_length(y.nodes)) INTO most FROM ctaudience.ct_journey y WHERE y.project_id = project AND y.journey_id = ANY (journeys);

	-- the walk, one node a hop for every profile of it
	WHILE cardinality(w_c) > 0 LOOP
		-- the check trigger refuses a loop without a wait: this is a guard
		hops := hops + 1;
		IF hops > 2 * most + 2 THEN
			RAISE EXCEPTION 'journey % went round without a wait at node "%"', w_j[1], w_n[1]
				USING ERRCODE = 'internal_error';
		END IF;
		EXECUTE ctaudience.ct_project_sql(project, $sql$
		WITH a AS (
			SELECT $1::text AS project_id, a.*
			  FROM unnest($3, $4, $5, $6, $7, $8, $9) WITH ORDINALITY
				   AS a(journey_id, ct_id, entered_at, cur, waiting, t, node_at, ord)),
		jn AS MATERIALIZED (
			-- the event that enters a profile: the entry's app event (with
			-- properties that contain its filter), else the Partner Sync
			SELECT y.journey_id, y.control_group, n ->> 'id' AS id, n ->> 'type' AS type, n AS nd, cp.campaign_id,
				   coalesce(y.entry_event, 'Partner Sync') AS entry_name,
				   coalesce((SELECT e -> 'filter' FROM jsonb_array_elements(y.nodes) e
							  WHERE e ->> 'type' = 'entry' LIMIT 1), '{}') AS entry_filter
			  FROM ctaudience.ct_journey y CROSS JOIN LATERAL jsonb_array_elements(y.nodes) n
			  LEFT JOIN ctaudience.ct_campaign cp
					 ON cp.project_id = $1 AND cp.journey_id = y.journey_id AND cp.journey_node = n ->> 'id'
			 WHERE y.project_id = $1 AND y.journey_id = ANY ($10)),
		-- where it is; a wait for an event: since when it waits there
		b AS (
			SELECT a.*, jn.type, jn.nd, jn.campaign_id, jn.control_group, jn.entry_name, jn.entry_filter,
				   CASE WHEN a.waiting THEN a.node_at ELSE a.t END AS arrived
			  FROM a LEFT JOIN jn ON jn.journey_id = a.journey_id AND jn.id = a.cur),
		-- what happens there: a wait for an event takes the first such event
		-- since it got there, if within the time allowed (and known to the
		-- clock), else the timeout; a condition's answer; a send holds back
		-- the journey's control group (a hash of the journey and the
		-- profile: the same profiles at every send)
		d AS MATERIALIZED (
			SELECT b.*,
				   CASE WHEN b.type = 'wait_for_event' THEN
						(SELECT min(ev.ts) FROM ctaudience.ct_event ev
						  WHERE ev.project_id = $1 AND ev.ct_id = b.ct_id AND ev.event_name = b.nd ->> 'event'
							-- since it got there (an event at that very time
							-- too: SDK times are often whole seconds), but not
							-- the event that entered it: one of the entry's
							-- event, at the entry's time, that the entry's
							-- filter takes (as for a condition)
							AND ev.ts >= b.arrived AND ev.ts <= least($2, ((b.arrived AT TIME ZONE 'UTC') + (b.nd ->> 'within')::interval) AT TIME ZONE 'UTC')
							AND ev.props @> coalesce(b.nd -> 'filter', '{}')
							AND NOT (ev.ts = b.entered_at AND ev.event_name = b.entry_name
									 AND ev.props @> b.entry_filter)
							-- nor the one that ended a wait for an event just
							-- before (at that time, of its name, that its
							-- filter takes: its step says so)
							AND NOT (ev.ts = b.arrived
									 AND EXISTS (SELECT 1 FROM ctaudience.ct_journey_step s
												  JOIN jn pw ON pw.journey_id = s.journey_id AND pw.id = s.node
												 WHERE s.ct_id = b.ct_id AND s.project_id = $1
												   AND s.journey_id = b.journey_id AND s.outcome = 'event'
												   AND s.ts = ev.ts AND pw.nd ->> 'event' = ev.event_name
												   AND ev.props @> coalesce(pw.nd -> 'filter', '{}')))) END AS ets,
				   CASE WHEN b.type = 'wait_for_event' THEN ((b.arrived AT TIME ZONE 'UTC') + (b.nd ->> 'within')::interval) AT TIME ZONE 'UTC' END AS timeout_at,
				   CASE WHEN b.type <> 'condition' THEN NULL
						WHEN b.nd ? 'in_segment' THEN
							EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
									 WHERE m.project_id = $1 AND m.segment_id = (b.nd ->> 'in_segment')::bigint
									   AND m.ct_id = b.ct_id AND m.is_member OFFSET 0)
						WHEN b.nd ? 'has_properties' THEN
							EXISTS (SELECT 1 FROM ctaudience.ct_profile p
									 WHERE p.project_id = $1 AND p.ct_id = b.ct_id
									   AND p.properties @> (b.nd -> 'has_properties') OFFSET 0)
						ELSE
							EXISTS (SELECT 1 FROM ctaudience.ct_event ev
									 WHERE ev.project_id = $1 AND ev.ct_id = b.ct_id
									   AND ev.event_name = b.nd ->> 'did_event'
									   -- since the entry (at its very time too), but
									   -- not the event that entered it (as for a wait
									   -- for an event)
									   AND ev.ts >= b.entered_at AND ev.ts <= $2
									   AND ev.props @> coalesce(b.nd -> 'filter', '{}')
									   AND NOT (ev.ts = b.entered_at AND ev.event_name = b.entry_name
												AND ev.props @> b.entry_filter) OFFSET 0) END AS yes,
				   b.type = 'send' AND b.control_group > 0
					   AND ('x' || left(md5(b.journey_id || '/' || b.ct_id), 8))::bit(32)::bigint % 100 < b.control_group AS held
			  FROM b),
		-- the steps (a wait for an event reached now: waiting, then event or
		-- timeout), and the next node, none where it stops
		e AS (
			SELECT d.*,
				   CASE d.type WHEN 'wait' THEN CASE WHEN d.waiting THEN 'passed' ELSE 'waiting' END
							   WHEN 'wait_for_event' THEN CASE WHEN NOT d.waiting THEN 'waiting' END
							   WHEN 'condition' THEN CASE WHEN d.yes THEN 'yes' ELSE 'no' END
							   WHEN 'send' THEN CASE WHEN d.held THEN 'control_group' ELSE 'sent' END
							   WHEN 'exit' THEN 'completed' END AS outcome,
				   CASE WHEN d.type <> 'wait_for_event' THEN NULL
						WHEN d.ets IS NOT NULL THEN 'event'
						WHEN d.timeout_at <= $2 THEN 'timeout' END AS outcome2
			  FROM d),
		n AS (
			SELECT e.*,
				   CASE e.outcome2 WHEN 'event' THEN e.ets WHEN 'timeout' THEN e.timeout_at END AS ts2,
				   CASE e.type WHEN 'entry' THEN e.nd ->> 'next'
							   WHEN 'wait' THEN CASE WHEN e.waiting THEN e.nd ->> 'next' END
							   WHEN 'wait_for_event' THEN CASE e.outcome2 WHEN 'event' THEN e.nd ->> 'next'
																		  WHEN 'timeout' THEN e.nd ->> 'timeout' END
							   WHEN 'condition' THEN e.nd ->> e.outcome
							   WHEN 'send' THEN e.nd ->> 'next' END AS next
			  FROM e),
		-- a next node that is a wait or an exit: it gets there in this hop
		-- (its step, and where it stops), so no hop of its own.  stop_*:
		-- the node it stops at, of either kind
		r AS MATERIALIZED (
			SELECT n.*, v.lands, v.next_type,
				   CASE WHEN v.lands THEN v.next_type WHEN n.next IS NULL THEN n.type END AS stop_type,
				   CASE WHEN v.lands THEN n.next ELSE n.cur END AS stop_node,
				   CASE WHEN v.lands THEN nx.nd ELSE n.nd END AS stop_nd,
				   CASE WHEN v.lands THEN coalesce(n.ts2, n.t) ELSE n.t END AS stop_t
			  FROM n LEFT JOIN jn nx ON nx.journey_id = n.journey_id AND nx.id = n.next
			 CROSS JOIN LATERAL (SELECT coalesce(nx.type IN ('wait', 'exit'), false) AS lands, nx.type AS next_type) v),
		sp AS (
			INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, step_id, ct_id, node, outcome, ts)
			OVERRIDING SYSTEM VALUE
			SELECT r.project_id, r.journey_id, nextval('ctaudience.ct_journey_step_step_id_seq'), r.ct_id, s.node, s.outcome, s.ts
			  FROM r CROSS JOIN LATERAL (VALUES (1, r.cur, r.outcome, r.t), (2, r.cur, r.outcome2, r.ts2),
												(3, r.next, CASE WHEN r.lands THEN CASE r.next_type WHEN 'wait' THEN 'waiting'
																					   ELSE 'completed' END END,
												 r.stop_t)) AS s(k, node, outcome, ts)
			 WHERE s.outcome IS NOT NULL
			 ORDER BY r.ord, s.k),
		q AS (
			INSERT INTO ctaudience.ct_campaign_queue (project_id, queue_id, campaign_id, ct_id, event_name, event_ts,
													  event_props, once, qualified_at)
			OVERRIDING SYSTEM VALUE
			SELECT r.project_id, nextval('ctaudience.ct_campaign_queue_queue_id_seq'), r.campaign_id, r.ct_id,
				   'Partner Sync', r.entered_at,
				   jsonb_build_object('Journey id', r.journey_id, 'Journey node', r.cur), false, $2
			  FROM r WHERE r.type = 'send' AND NOT r.held),
		cg AS (
			SELECT ctaudience.ct_journey_control_group(r.project_id, r.campaign_id, r.ct_id, r.t) AS event_id
			  FROM r WHERE r.held),
		-- where it stops: a wait (until its end), a wait for an event (until
		-- its timeout), an exit
		st AS (
			UPDATE ctaudience.ct_journey_state x
			   SET node = r.stop_node, waiting = r.stop_type <> 'exit',
				   node_at = CASE WHEN r.stop_type = 'wait_for_event' THEN r.arrived ELSE r.stop_t END,
				   due_at = CASE r.stop_type WHEN 'wait' THEN
										CASE WHEN r.stop_nd ? 'until' THEN ctaudience.ct_journey_wait_end(r.stop_nd, r.stop_t, r.project_id)
											 ELSE ((r.stop_t AT TIME ZONE 'UTC') + (r.stop_nd ->> 'duration')::interval) AT TIME ZONE 'UTC' END
									   WHEN 'wait_for_event' THEN r.timeout_at END,
				   exited_at = CASE WHEN r.stop_type = 'exit' THEN r.stop_t END,
				   exit_reason = CASE WHEN r.stop_type = 'exit' THEN 'completed' END
			  FROM r
			 WHERE r.stop_type IN ('wait', 'wait_for_event', 'exit')
			   AND x.project_id = $1 AND x.journey_id = r.journey_id AND x.ct_id = r.ct_id)
		SELECT array_agg(r.journey_id) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   array_agg(r.ct_id) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   array_agg(r.entered_at) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   array_agg(r.next) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   array_agg(false) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   array_agg(coalesce(r.ts2, r.t)) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   array_agg(r.node_at) FILTER (WHERE r.next IS NOT NULL AND NOT r.lands),
			   -- claimed (another event) and waiting on: not moved
			   count(*) FILTER (WHERE r.next IS NULL AND r.type = 'wait_for_event' AND r.waiting),
			   count(*) FILTER (WHERE r.next IS NULL AND r.type NOT IN ('wait', 'wait_for_event', 'exit') OR r.type IS NULL),
			   (SELECT count(*) FROM cg)
		  FROM r
		$sql$)
		  INTO w_j, w_c, w_e, w_n, w_w, w_t, w_a, kept, lost, held
		  USING project, clock, w_j, w_c, w_e, w_n, w_w, w_t, w_a, journeys;
		IF lost > 0 THEN
			RAISE EXCEPTION 'a journey of % has a node without a next node or an unknown one', journeys::text
				USING ERRCODE = 'internal_error';
		END IF;
		moved := moved - kept;
	END LOOP;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_advance_project_journeys(text, integer, timestamptz) IS
	'the journeys'' clock for one project: move up to max_profiles of its due profiles (oldest due first, FOR UPDATE SKIP LOCKED) through their nodes to the next wait or exit, a profile that left the entry segment out; as_of (the extension''s owner only) runs it at that time; returns how many profiles moved; on a Citus cluster it runs on the worker that holds the project (ct_distribute())';
-- The journeys' clock for every project (of an operator given projects:
-- those): the projects with due profiles, the one due longest first, each
-- moved by ct_advance_project_journeys -- on a Citus cluster on the worker
-- that holds it, where its rows are claimed (FOR UPDATE SKIP LOCKED needs
-- a query of one shard) -- until max_profiles moved.  A project whose
-- batch fails is skipped with a WARNING (its batch rolled back), so one
-- broken project does not stop the others' clock.
CREATE FUNCTION ctaudience.ct_advance_journeys(max_profiles integer DEFAULT 1000, as_of timestamptz DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET jit = off
AS $$
DECLARE
	clock CONSTANT timestamptz := coalesce(as_of, now());
	scope text[];
	p text;
	due timestamptz;
	projects text[] := '{}';
	dues timestamptz[] := '{}';
	moved bigint := 0;
	n bigint;
	failed_state text;
	failed_message text;
BEGIN
	-- ct_advance_project_journeys's checks, repeated: this one refuses before
	-- it reads any project (there may be none due), that one is called
	-- directly too (and on Citus runs on the worker)
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
	scope := ctaudience.ct_caller_projects('{operate}');
	-- the projects of live (or stopped) journeys, and the earliest due
	-- time of each: a probe of the index on (project_id, due_at), one
	-- shard's query on a Citus cluster
	FOR p IN SELECT DISTINCT y.project_id FROM ctaudience.ct_journey y
			  WHERE y.status IN ('live', 'stopped') AND (scope IS NULL OR y.project_id = ANY (scope)) LOOP
		SELECT min(s.due_at) INTO due FROM ctaudience.ct_journey_state s WHERE s.project_id = p AND s.due_at IS NOT NULL;
		IF due <= clock THEN
			projects := projects || p;
			dues := dues || due;
		END IF;
	END LOOP;
	FOR p IN SELECT u.p FROM unnest(projects, dues) AS u(p, due) ORDER BY u.due, u.p LOOP
		-- one project's error (a journey restored without its campaigns, a
		-- broken row) stops the clock of no other: its batch is rolled back
		-- (a subtransaction), a WARNING names it, and the next goes on
		BEGIN
			-- in FROM: Citus delegates no call that is a simple expression
			SELECT r INTO n FROM ctaudience.ct_advance_project_journeys(p, max_profiles - moved::integer, as_of) AS r;
			moved := moved + n;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT;
			RAISE WARNING 'the journeys'' clock skipped project %: % (SQLSTATE %)', p, failed_message, failed_state
				USING HINT = 'Its due profiles stay due; ct_advance_project_journeys for the project raises the error.';
		END;
		EXIT WHEN moved >= max_profiles;
	END LOOP;
	RETURN moved;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_advance_journeys(integer, timestamptz) IS
	'the journeys'' clock: move up to max_profiles due profiles (the project due longest first; ct_advance_project_journeys for each, on a Citus cluster on the worker that holds it) through their nodes to the next wait or exit, a profile that left the entry segment out; as_of (the extension''s owner only) runs it at that time; a project whose batch fails is skipped with a WARNING; returns how many profiles moved';
