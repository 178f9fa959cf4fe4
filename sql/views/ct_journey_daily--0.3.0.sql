-- Per journey, node and day (UTC), from the record of steps
-- (ct_journey_step): what happened there that day.  Only the days and nodes
-- where something happened have a row; a filter on the journey reaches the
-- record's key.
CREATE VIEW ctaudience.ct_journey_daily AS
SELECT s.project_id,
	   s.journey_id,
	   j.name,
	   s.node,
	   s.day,
	   s.entered,
	   s.waited,
	   s.passed,
	   s.yes,
	   s.no,
	   s.got_event,
	   s.timed_out,
	   s.sent,
	   s.control_group,
	   s.converted,
	   s.completed,
	   s.exit_event,
	   s.left_segment,
	   s.stopped,
	   s.merged
  FROM (SELECT r.project_id, r.journey_id, r.node, (r.ts AT TIME ZONE 'UTC')::date AS day,
			   count(*) FILTER (WHERE r.outcome = 'entered') AS entered,
			   count(*) FILTER (WHERE r.outcome = 'waiting') AS waited,
			   count(*) FILTER (WHERE r.outcome = 'passed') AS passed,
			   count(*) FILTER (WHERE r.outcome = 'yes') AS yes,
			   count(*) FILTER (WHERE r.outcome = 'no') AS no,
			   count(*) FILTER (WHERE r.outcome = 'event') AS got_event,
			   count(*) FILTER (WHERE r.outcome = 'timeout') AS timed_out,
			   count(*) FILTER (WHERE r.outcome = 'sent') AS sent,
			   count(*) FILTER (WHERE r.outcome = 'control_group') AS control_group,
			   count(*) FILTER (WHERE r.outcome = 'goal') AS converted,
			   count(*) FILTER (WHERE r.outcome = 'completed') AS completed,
			   count(*) FILTER (WHERE r.outcome = 'exit_event') AS exit_event,
			   count(*) FILTER (WHERE r.outcome = 'left_segment') AS left_segment,
			   count(*) FILTER (WHERE r.outcome = 'stopped') AS stopped,
			   count(*) FILTER (WHERE r.outcome = 'merged') AS merged
		  FROM ctaudience.ct_journey_step r
		 GROUP BY r.project_id, r.journey_id, r.node, (r.ts AT TIME ZONE 'UTC')::date) s
  JOIN ctaudience.ct_journey j ON j.project_id = s.project_id AND j.journey_id = s.journey_id;
COMMENT ON VIEW ctaudience.ct_journey_daily IS 'each journey''s nodes per day (UTC), counted from the record of steps: entered, waited, passed, each branch, sent, converted (the goal), exited by reason; only days and nodes where something happened';
COMMENT ON COLUMN ctaudience.ct_journey_daily.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_journey_daily.journey_id IS 'the journey';
COMMENT ON COLUMN ctaudience.ct_journey_daily.name IS 'its name';
COMMENT ON COLUMN ctaudience.ct_journey_daily.node IS 'the node''s id';
COMMENT ON COLUMN ctaudience.ct_journey_daily.day IS 'the day (UTC) of the steps: the journey''s time of each (the end of the wait before it), not when the clock ran';
COMMENT ON COLUMN ctaudience.ct_journey_daily.entered IS 'entry node: profiles that entered the journey that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.waited IS 'wait or wait_for_event node: profiles that reached it that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.passed IS 'wait node: profiles whose wait there ended that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.yes IS 'condition node: profiles that took the yes branch that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.no IS 'condition node: profiles that took the no branch that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.got_event IS 'wait_for_event node: profiles that did the event in time that day (its next branch)';
COMMENT ON COLUMN ctaudience.ct_journey_daily.timed_out IS 'wait_for_event node: profiles whose time ran out that day (its timeout branch)';
COMMENT ON COLUMN ctaudience.ct_journey_daily.sent IS 'send node: profiles queued for its campaign that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.control_group IS 'send node: profiles of the control group held back that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.converted IS 'profiles that did the journey''s goal event that day while at this node, and exited (reason goal)';
COMMENT ON COLUMN ctaudience.ct_journey_daily.completed IS 'exit node: profiles that left the journey there that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.exit_event IS 'profiles that exited that day at this node on the journey''s exit event';
COMMENT ON COLUMN ctaudience.ct_journey_daily.left_segment IS 'profiles that exited that day at this node because they left the entry segment or an exit segment';
COMMENT ON COLUMN ctaudience.ct_journey_daily.stopped IS 'profiles that were at this node when the journey was stopped that day';
COMMENT ON COLUMN ctaudience.ct_journey_daily.merged IS 'profiles that were at this node when they were merged that day (identity rule 1) into a profile that stayed in the journey elsewhere, and exited';
REVOKE ALL ON ctaudience.ct_journey_daily FROM PUBLIC;
