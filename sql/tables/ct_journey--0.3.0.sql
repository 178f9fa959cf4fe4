-- Journeys: multi-step flows on imported segments.  A profile enters when
-- an import adds it to the segment of the journey's entry node (a Partner
-- Sync with Action Added, after the journey started; in the import's own
-- statement), or, for an entry on an app event, when that event is
-- recorded (in the recording's statement); then it goes through the nodes (a JSON array of objects with
-- an id and a type: entry, wait, wait_for_event, condition, send, exit),
-- moved on a clock by ct_advance_journeys, until it reaches an exit node,
-- leaves the entry segment or an exit segment, or does the journey's goal or exit event.  Where each profile
-- is: ct_journey_state; every step: ct_journey_step.
CREATE TABLE ctaudience.ct_journey (
	project_id text COLLATE "C" NOT NULL,
	journey_id bigint GENERATED ALWAYS AS IDENTITY,
	name text NOT NULL CONSTRAINT ct_journey_name_check CHECK (octet_length(name) BETWEEN 1 AND 512),
	status text NOT NULL DEFAULT 'draft'
		CONSTRAINT ct_journey_status_check CHECK (status IN ('draft', 'live', 'stopped')),
	nodes jsonb NOT NULL,
	segment_id bigint,
	entry_event text,
	goal_event text,
	goal_filter jsonb NOT NULL DEFAULT '{}',
	exit_event text,
	exit_filter jsonb NOT NULL DEFAULT '{}',
	exit_segments bigint[] NOT NULL DEFAULT '{}',
	reentry text NOT NULL DEFAULT 'once'
		CONSTRAINT ct_journey_reentry_check CHECK (reentry IN ('once', 'after', 'always')),
	reentry_after interval,
	control_group integer NOT NULL DEFAULT 0,
	started_at timestamptz,
	stopped_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, journey_id)
);
-- the live journeys an import's Partner Sync events enter profiles into,
-- looked up once per statement
CREATE INDEX ct_journey_live_idx ON ctaudience.ct_journey (project_id) WHERE status = 'live';
COMMENT ON TABLE ctaudience.ct_journey IS 'journeys: multi-step flows (waits, conditions, sends) that the profiles an import adds to a segment go through, on a clock (ct_advance_journeys)';
COMMENT ON COLUMN ctaudience.ct_journey.status IS 'draft (can be changed), live (profiles enter and move; cannot be changed) or stopped (every profile exited)';
COMMENT ON COLUMN ctaudience.ct_journey.nodes IS 'the nodes: a JSON array of objects with an id and a type (entry, wait, wait_for_event, condition, send, exit) and their next nodes (see the README, Journeys)';
COMMENT ON COLUMN ctaudience.ct_journey.segment_id IS 'the segment of the entry node (set from nodes by the check trigger): a Partner Sync adding a profile to it enters the profile; leaving it exits the profile; NULL for an entry on an app event (entry_event)';
COMMENT ON COLUMN ctaudience.ct_journey.entry_event IS 'the app event of the entry node (set from nodes by the check trigger): recording it (with properties that contain the node''s filter, by a member of its segment_id if it names one) enters the profile; NULL for an entry on a segment';
COMMENT ON COLUMN ctaudience.ct_journey.exit_segments IS 'exit criteria: segments of the project that a profile leaves (an import removes it, after it entered) to exit (reason left_segment) before its next step';
COMMENT ON COLUMN ctaudience.ct_journey.goal_event IS 'the conversion goal: a profile that does it (with properties that contain goal_filter) after it entered exits (reason goal) before its next step; NULL: none';
COMMENT ON COLUMN ctaudience.ct_journey.goal_filter IS 'a JSON object the goal event''s properties must contain; {} matches every occurrence';
COMMENT ON COLUMN ctaudience.ct_journey.exit_event IS 'an exit criterion: a profile that does it (with properties that contain exit_filter) after it entered exits (reason exit_event) before its next step; NULL: none';
COMMENT ON COLUMN ctaudience.ct_journey.exit_filter IS 'a JSON object the exit event''s properties must contain; {} matches every occurrence';
COMMENT ON COLUMN ctaudience.ct_journey.reentry IS 'whether a profile that exited enters again when added again: once (never), after (reentry_after since it last entered) or always; never while it is in the journey';
COMMENT ON COLUMN ctaudience.ct_journey.reentry_after IS 'reentry after: how long after its last entry a profile may enter again';
COMMENT ON COLUMN ctaudience.ct_journey.control_group IS 'the percentage of profiles (0 to 90, decided by a hash of the journey and the profile: always the same) held back: at each send node they get the System Control Group event instead of a queued message';
COMMENT ON COLUMN ctaudience.ct_journey.started_at IS 'when it went live: Partner Sync events from then on enter profiles';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_journey', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_journey', 'journey_id'), '');
