-- Data subject erasure requests: what was asked and how many profiles were
-- erased, never the identities that were asked for.
CREATE TABLE ctaudience.ct_dsr_request (
	project_id text COLLATE "C" NOT NULL,
	message_id uuid NOT NULL,
	subject_request_id text,
	request_type text NOT NULL,
	regulation text,
	received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	profiles_erased int NOT NULL,
	PRIMARY KEY (project_id, message_id)
);
COMMENT ON TABLE ctaudience.ct_dsr_request IS 'data subject requests processed (erasure), without the subject identities';
