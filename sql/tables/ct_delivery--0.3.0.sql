-- What senders reported of the profiles they took from a campaign
-- (ct_record_delivery): one row per outcome, beside the event it recorded,
-- so that a campaign's results are read from its own rows, not from every
-- event of the project.
CREATE TABLE ctaudience.ct_delivery (
	project_id text COLLATE "C" NOT NULL,
	campaign_id bigint NOT NULL,
	delivery_id bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
	ct_id text COLLATE "C" NOT NULL,
	outcome text NOT NULL
		CONSTRAINT ct_delivery_outcome_check CHECK (outcome IN ('sent', 'delivered', 'viewed', 'clicked', 'replied',
																 'webhook_delivered', 'control_group')),
	ts timestamptz NOT NULL,
	event_id bigint NOT NULL,
	PRIMARY KEY (project_id, campaign_id, delivery_id),
	-- a report is recorded once: a retry conflicts here (ct_record_delivery
	-- inserts ON CONFLICT DO NOTHING, then returns the stored event_id)
	CONSTRAINT ct_delivery_report_key UNIQUE (project_id, campaign_id, ct_id, outcome, ts)
);
-- an erasure finds a subject's rows
CREATE INDEX ct_delivery_profile_idx ON ctaudience.ct_delivery (project_id, ct_id);
COMMENT ON TABLE ctaudience.ct_delivery IS 'outcomes senders reported for profiles taken from a campaign (ct_record_delivery), each with the event it recorded';
COMMENT ON COLUMN ctaudience.ct_delivery.outcome IS 'sent, delivered (Push Impressions: push and web_push campaigns), viewed, clicked, replied (WhatsApp), webhook_delivered (webhook) or control_group; one row per campaign, profile, outcome and ts (a retry is not recorded again)';
COMMENT ON COLUMN ctaudience.ct_delivery.ts IS 'when it happened, as the sender reported it';
COMMENT ON COLUMN ctaudience.ct_delivery.event_id IS 'the event it recorded in ct_event (Notification Sent, Push Impressions, ...)';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_delivery', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_delivery', 'delivery_id'), '');
REVOKE ALL ON ctaudience.ct_delivery FROM PUBLIC;
