-- Where each profile is in each journey it entered: one row per journey and
-- profile, kept after it exits (the journey's re-entry policy reads it),
-- its latest entry.
-- due_at is when ct_advance_journeys moves it next (NULL once it exited):
-- the end of its wait, or, for a profile that has just entered, the time
-- of the Partner Sync that entered it.
CREATE TABLE ctaudience.ct_journey_state (
	project_id text COLLATE "C" NOT NULL,
	journey_id bigint NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	node text NOT NULL,
	waiting boolean NOT NULL DEFAULT false,
	entered_at timestamptz NOT NULL,
	node_at timestamptz NOT NULL,
	due_at timestamptz,
	exited_at timestamptz,
	exit_reason text,
	-- a profile's rows together: every writer finds rows by project and
	-- profile (the live entry, a recorded event, the import's merges, an
	-- erasure), so no second index on (project_id, ct_id) is written at
	-- each entry.  ct_stop_journey and the clock find a project's rows still
	-- in a journey by the due index; the views read the whole table (all
	-- projects': a view filtered by one project or journey reads them all).
	-- ct_id first: the column that tells keys apart, at a fixed place in
	-- the index tuple, so an insert's comparisons rarely reach the rest
	-- (project_id first, every comparison compared the project's text,
	-- equal, and then found ct_id behind it)
	PRIMARY KEY (ct_id, journey_id, project_id)
) WITH (fillfactor = 90);
-- fillfactor 90: a removal from the entry segment (CT_Q_JOURNEY_LEFT)
-- rewrites the row of a profile in the journey, its due_at most often
-- unchanged (already due): with room on the page that is an update in place
-- (HOT), without new entries in either index (a full page: a new version
-- elsewhere and both keys inserted again)
-- what ct_advance_journeys moves next, project by project (each
-- project's earliest due time: one probe)
CREATE INDEX ct_journey_state_due_idx ON ctaudience.ct_journey_state (project_id, due_at) WHERE due_at IS NOT NULL;
COMMENT ON TABLE ctaudience.ct_journey_state IS 'where each profile is in each journey it entered (its latest entry), moved on a clock by ct_advance_journeys';
COMMENT ON COLUMN ctaudience.ct_journey_state.node IS 'the id of the node it is at (the last one once it exited)';
COMMENT ON COLUMN ctaudience.ct_journey_state.waiting IS 'true: it waits at a wait or wait_for_event node (until due_at at the latest); false: it is due to go through node';
COMMENT ON COLUMN ctaudience.ct_journey_state.node_at IS 'when it reached node (the journey''s clock: the end of the wait before, not when the clock ran)';
COMMENT ON COLUMN ctaudience.ct_journey_state.due_at IS 'when ct_advance_journeys moves it next; NULL once it exited';
COMMENT ON COLUMN ctaudience.ct_journey_state.exit_reason IS 'completed (an exit node), goal (did the journey''s goal event), exit_event, left_segment or stopped (the journey was stopped)';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_journey_state', '');
