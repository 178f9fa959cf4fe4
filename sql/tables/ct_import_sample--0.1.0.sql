-- Up to 20 samples per message of users skipped or values dropped, for the
-- import log.  Only the reason, where it was in the message and the mpid:
-- never identity values, emails, phones or payloads.
CREATE TABLE ctaudience.ct_import_sample (
	project_id text COLLATE "C" NOT NULL,
	message_id uuid NOT NULL,
	n int NOT NULL,
	reason text NOT NULL,
	profile_index int NOT NULL,
	audience_id bigint,
	mpid text COLLATE "C",
	path text NOT NULL,
	PRIMARY KEY (project_id, message_id, n)
);
