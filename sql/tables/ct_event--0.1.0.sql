CREATE TABLE ctaudience.ct_event (
	project_id text COLLATE "C" NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	event_id bigint GENERATED ALWAYS AS IDENTITY (CACHE 1000),
	event_name text NOT NULL,
	ts timestamptz NOT NULL,
	props jsonb NOT NULL DEFAULT '{}',
	PRIMARY KEY (project_id, ct_id, event_id)
);
COMMENT ON TABLE ctaudience.ct_event IS 'profile events; Partner Sync rows are written by the trigger on ct_segment_member';
