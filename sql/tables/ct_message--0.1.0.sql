-- One row per processed message: the redelivery check and the import log.
CREATE TABLE ctaudience.ct_message (
	project_id text COLLATE "C" NOT NULL,
	message_id uuid NOT NULL,
	message_type text NOT NULL,
	message_ts timestamptz,
	received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	duration interval,
	counts jsonb NOT NULL DEFAULT '{}',
	response jsonb NOT NULL,
	PRIMARY KEY (project_id, message_id)
);
COMMENT ON TABLE ctaudience.ct_message IS 'processed Firehose messages with their response; a redelivered id is answered from here';
