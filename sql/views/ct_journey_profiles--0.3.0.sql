-- Per profile, the journeys it entered and where it is in each.
CREATE VIEW ctaudience.ct_journey_profiles AS
SELECT x.project_id,
	   x.journey_id,
	   j.name,
	   x.ct_id,
	   x.node,
	   x.waiting,
	   x.entered_at,
	   x.node_at,
	   x.due_at,
	   x.exited_at,
	   x.exit_reason
  FROM ctaudience.ct_journey_state x
  JOIN ctaudience.ct_journey j ON j.project_id = x.project_id AND j.journey_id = x.journey_id;
COMMENT ON VIEW ctaudience.ct_journey_profiles IS 'the journeys each profile entered and where it is in each (a profile enters a journey once)';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.journey_id IS 'the journey';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.name IS 'its name';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.ct_id IS 'the profile''s CleverTap ID';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.node IS 'the node it is at (the last one once it exited)';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.waiting IS 'it waits at a wait node until due_at';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.entered_at IS 'the time of the Partner Sync that entered it';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.node_at IS 'when it reached node (the journey''s time)';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.due_at IS 'when the clock moves it next; NULL once it exited';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.exited_at IS 'when it left the journey';
COMMENT ON COLUMN ctaudience.ct_journey_profiles.exit_reason IS 'completed (an exit node), goal, exit_event, left_segment or stopped';
REVOKE ALL ON ctaudience.ct_journey_profiles FROM PUBLIC;
