-- Per journey and node, from the record of steps (ct_journey_step) and
-- where profiles are now (ct_journey_state): every node of the journey,
-- with zeros where no one went.
CREATE VIEW ctaudience.ct_journey_stats AS
SELECT j.project_id,
	   j.journey_id,
	   j.name,
	   j.status,
	   n.node ->> 'id' AS node,
	   n.node ->> 'type' AS node_type,
	   n.i::integer AS node_position,
	   coalesce(r.entered, 0) AS entered,
	   coalesce(w.waiting_now, 0) AS waiting_now,
	   coalesce(r.waited, 0) AS waited,
	   coalesce(r.passed, 0) AS passed,
	   coalesce(r.yes, 0) AS yes,
	   coalesce(r.no, 0) AS no,
	   coalesce(r.got_event, 0) AS got_event,
	   coalesce(r.timed_out, 0) AS timed_out,
	   coalesce(r.sent, 0) AS sent,
	   coalesce(r.control_group, 0) AS control_group,
	   coalesce(r.completed, 0) AS completed,
	   coalesce(r.goal, 0) AS goal,
	   coalesce(r.exit_event, 0) AS exit_event,
	   coalesce(r.left_segment, 0) AS left_segment,
	   coalesce(r.stopped, 0) AS stopped,
	   coalesce(r.merged, 0) AS merged
  FROM ctaudience.ct_journey j
 CROSS JOIN LATERAL jsonb_array_elements(j.nodes) WITH ORDINALITY AS n(node, i)
  LEFT JOIN (SELECT s.project_id, s.journey_id, s.node,
					count(*) FILTER (WHERE s.outcome = 'entered') AS entered,
					count(*) FILTER (WHERE s.outcome = 'waiting') AS waited,
					count(*) FILTER (WHERE s.outcome = 'passed') AS passed,
					count(*) FILTER (WHERE s.outcome = 'yes') AS yes,
					count(*) FILTER (WHERE s.outcome = 'no') AS no,
					count(*) FILTER (WHERE s.outcome = 'event') AS got_event,
					count(*) FILTER (WHERE s.outcome = 'timeout') AS timed_out,
					count(*) FILTER (WHERE s.outcome = 'sent') AS sent,
					count(*) FILTER (WHERE s.outcome = 'control_group') AS control_group,
					count(*) FILTER (WHERE s.outcome = 'completed') AS completed,
					count(*) FILTER (WHERE s.outcome = 'goal') AS goal,
					count(*) FILTER (WHERE s.outcome = 'exit_event') AS exit_event,
					count(*) FILTER (WHERE s.outcome = 'left_segment') AS left_segment,
					count(*) FILTER (WHERE s.outcome = 'stopped') AS stopped,
					count(*) FILTER (WHERE s.outcome = 'merged') AS merged
			   FROM ctaudience.ct_journey_step s
			  GROUP BY s.project_id, s.journey_id, s.node) r
	ON r.project_id = j.project_id AND r.journey_id = j.journey_id AND r.node = n.node ->> 'id'
  LEFT JOIN (SELECT x.project_id, x.journey_id, x.node, count(*) AS waiting_now
			   FROM ctaudience.ct_journey_state x
			  WHERE x.waiting AND x.exited_at IS NULL
			  GROUP BY x.project_id, x.journey_id, x.node) w
	ON w.project_id = j.project_id AND w.journey_id = j.journey_id AND w.node = n.node ->> 'id';
COMMENT ON VIEW ctaudience.ct_journey_stats IS 'each journey''s nodes with what happened there, counted from the record of steps: entered, waiting now, passed, each branch, sent, converted (the goal), exited by reason';
COMMENT ON COLUMN ctaudience.ct_journey_stats.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_journey_stats.journey_id IS 'the journey';
COMMENT ON COLUMN ctaudience.ct_journey_stats.name IS 'its name';
COMMENT ON COLUMN ctaudience.ct_journey_stats.status IS 'draft, live or stopped';
COMMENT ON COLUMN ctaudience.ct_journey_stats.node IS 'the node''s id';
COMMENT ON COLUMN ctaudience.ct_journey_stats.node_type IS 'entry, wait, wait_for_event, condition, send or exit';
COMMENT ON COLUMN ctaudience.ct_journey_stats.node_position IS 'its place in the journey''s nodes (1: the first)';
COMMENT ON COLUMN ctaudience.ct_journey_stats.entered IS 'entry node: profiles that entered the journey';
COMMENT ON COLUMN ctaudience.ct_journey_stats.waiting_now IS 'wait or wait_for_event node: profiles waiting there now';
COMMENT ON COLUMN ctaudience.ct_journey_stats.waited IS 'wait or wait_for_event node: profiles that reached it';
COMMENT ON COLUMN ctaudience.ct_journey_stats.passed IS 'wait node: profiles whose wait there ended';
COMMENT ON COLUMN ctaudience.ct_journey_stats.yes IS 'condition node: profiles that took the yes branch';
COMMENT ON COLUMN ctaudience.ct_journey_stats.no IS 'condition node: profiles that took the no branch';
COMMENT ON COLUMN ctaudience.ct_journey_stats.got_event IS 'wait_for_event node: profiles that did the event in time (its next branch)';
COMMENT ON COLUMN ctaudience.ct_journey_stats.timed_out IS 'wait_for_event node: profiles that did not, in time (its timeout branch)';
COMMENT ON COLUMN ctaudience.ct_journey_stats.sent IS 'send node: profiles queued for its campaign';
COMMENT ON COLUMN ctaudience.ct_journey_stats.control_group IS 'send node: profiles of the control group held back (the System Control Group event instead)';
COMMENT ON COLUMN ctaudience.ct_journey_stats.completed IS 'exit node: profiles that left the journey there';
COMMENT ON COLUMN ctaudience.ct_journey_stats.goal IS 'profiles that did the journey''s goal event (converted) while at this node, and exited';
COMMENT ON COLUMN ctaudience.ct_journey_stats.exit_event IS 'profiles that did the journey''s exit event while at this node, and exited';
COMMENT ON COLUMN ctaudience.ct_journey_stats.left_segment IS 'profiles that exited at this node because they left the entry segment or an exit segment';
COMMENT ON COLUMN ctaudience.ct_journey_stats.stopped IS 'profiles that were at this node when the journey was stopped';
COMMENT ON COLUMN ctaudience.ct_journey_stats.merged IS 'profiles that were at this node when they were merged (identity rule 1) into a profile that stayed in the journey elsewhere, and exited';
REVOKE ALL ON ctaudience.ct_journey_stats FROM PUBLIC;
