CREATE TABLE ctaudience.ct_campaign_queue (
	project_id text COLLATE "C" NOT NULL,
	queue_id bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
	campaign_id bigint NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	event_name text NOT NULL,
	event_ts timestamptz NOT NULL,
	event_props jsonb NOT NULL DEFAULT '{}',
	once boolean NOT NULL,
	qualified_at timestamptz NOT NULL DEFAULT now(),
	taken_at timestamptz,
	PRIMARY KEY (project_id, queue_id)
);
-- a one-time campaign queues a profile once ever
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ctaudience.ct_campaign_queue (project_id, campaign_id, ct_id)
	WHERE once;
-- what a sender takes next
CREATE INDEX ct_campaign_queue_due_idx ON ctaudience.ct_campaign_queue (campaign_id, queue_id)
	WHERE taken_at IS NULL;
COMMENT ON TABLE ctaudience.ct_campaign_queue IS 'profiles qualified by a live campaign, one row per event occurrence (per profile for a one-time campaign), until a sender takes them';
COMMENT ON COLUMN ctaudience.ct_campaign_queue.once IS 'queued by a one-time (not recurring) campaign: unique per campaign and profile';
COMMENT ON COLUMN ctaudience.ct_campaign_queue.taken_at IS 'when ct_campaign_take handed the row to a sender; NULL while queued';
