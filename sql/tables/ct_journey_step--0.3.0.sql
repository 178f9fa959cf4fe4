-- The record of every step: one row per node a profile went through and
-- what happened there.  Outcomes: entered (the entry node), waiting (it
-- reached a wait or a wait for an event), passed (its wait ended), event
-- or timeout (a wait for an event), yes or no (a condition), sent
-- (a send queued it) or control_group (a send held it back), and the
-- exits: completed, goal, exit_event, left_segment, stopped, merged (a
-- merge kept the other profile's place in the journey: a step only, the
-- state row is gone).  ct_journey_stats counts them.
CREATE TABLE ctaudience.ct_journey_step (
	project_id text COLLATE "C" NOT NULL,
	journey_id bigint NOT NULL,
	step_id bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
	ct_id text COLLATE "C" NOT NULL,
	node text NOT NULL,
	outcome text NOT NULL,
	ts timestamptz NOT NULL,
	-- a journey's steps (the views' per-journey reads); the fixed-width
	-- columns first, so an insert's comparisons are integer ones
	PRIMARY KEY (journey_id, step_id, project_id)
);
-- a profile's steps (an erasure, a merge: both look them up by ct_id
-- equality, the project a recheck).  A hash index: an entry's insert hashes
-- the ct_id once and finds its bucket, where a B-tree's compared texts at
-- every level (about 5,800 instructions an insert against 14,000; the
-- steps are written at every entry and read only for those two)
CREATE INDEX ct_journey_step_profile_idx ON ctaudience.ct_journey_step USING hash (ct_id);
COMMENT ON TABLE ctaudience.ct_journey_step IS 'every step of every profile in a journey: the node and what happened there';
COMMENT ON COLUMN ctaudience.ct_journey_step.outcome IS 'entered, waiting, passed, event, timeout, yes, no, sent, control_group, or an exit: completed, goal, exit_event, left_segment, stopped, merged (its place in the journey dropped at a merge that kept another)';
COMMENT ON COLUMN ctaudience.ct_journey_step.ts IS 'the journey''s time of the step (when the profile reached the node; an exit on leaving the segment: when the clock saw it)';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_journey_step', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_journey_step', 'step_id'), '');
