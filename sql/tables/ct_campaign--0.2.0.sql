-- Engage: campaigns that target imported segments.  A past-behavior
-- campaign sends to the members of its segments now
-- (ct_campaign_audience); a live campaign qualifies a profile when it does
-- the trigger event -- a Partner Sync raised by an import, or an event
-- recorded with ct_record_event -- with properties that contain
-- trigger_filter while it is a member of one of segment_ids (any profile
-- when segment_ids is empty).  Qualified profiles wait in
-- ct_campaign_queue until a sender takes them (ct_campaign_take).

CREATE TABLE ctaudience.ct_campaign (
	project_id text COLLATE "C" NOT NULL,
	campaign_id bigint GENERATED ALWAYS AS IDENTITY,
	name text NOT NULL CONSTRAINT ct_campaign_name_check CHECK (octet_length(name) BETWEEN 1 AND 512),
	channel text NOT NULL,
	kind text NOT NULL,
	trigger_event text,
	trigger_filter jsonb NOT NULL DEFAULT '{}',
	segment_ids bigint[] NOT NULL DEFAULT '{}',
	recurring boolean NOT NULL DEFAULT false,
	status text NOT NULL DEFAULT 'running'
		CONSTRAINT ct_campaign_status_check CHECK (status IN ('running', 'stopped')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, campaign_id)
);
-- the live campaigns an event can trigger, looked up once per statement
CREATE INDEX ct_campaign_live_idx ON ctaudience.ct_campaign (project_id, trigger_event)
	WHERE status = 'running' AND kind = 'live_behavior';
COMMENT ON TABLE ctaudience.ct_campaign IS 'campaigns on imported segments: past_behavior (the members now) or live_behavior (a trigger event, filtered by its properties and the segments)';
COMMENT ON COLUMN ctaudience.ct_campaign.channel IS 'push, email, sms, whatsapp, webhook, web_push, in_app, web_popup, web_exit_intent, app_inbox or native_display';
COMMENT ON COLUMN ctaudience.ct_campaign.kind IS 'past_behavior or live_behavior';
COMMENT ON COLUMN ctaudience.ct_campaign.trigger_event IS 'live_behavior: the event that qualifies a profile (Partner Sync, or a recorded event such as App Launched); NULL for past_behavior';
COMMENT ON COLUMN ctaudience.ct_campaign.trigger_filter IS 'a JSON object the event''s properties must contain, e.g. {"Action": "Added"}; {} matches every occurrence';
COMMENT ON COLUMN ctaudience.ct_campaign.segment_ids IS 'segments of the same project; a profile must be a member of one of them (none: every profile)';
COMMENT ON COLUMN ctaudience.ct_campaign.recurring IS 'live_behavior: true queues a profile on every occurrence; false at most once per profile ever';
COMMENT ON COLUMN ctaudience.ct_campaign.status IS 'running, or stopped (qualifies no one; queued rows stay)';
