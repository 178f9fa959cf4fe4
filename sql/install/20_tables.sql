-- Every table leads with project_id and every primary key and unique
-- constraint includes it, so the schema can be distributed by project.
--
-- Identifiers (project_id, ct_id, identity, mparticle_id) are opaque byte
-- strings, so they use the "C" collation: their indexes compare with memcmp
-- instead of the database's linguistic collation, which is several times
-- slower on every index descent of every import.
--
-- The hot tables (ct_profile, ct_segment_member, ct_event) carry no
-- foreign keys: each would add a per-row lookup and a row lock on the
-- referenced row to every import.  Only the extension's functions write
-- them (see the privileges at the end of the script), and they keep the
-- references whole; ct_erase_profiles deletes across all of them.

CREATE TABLE ctaudience.ct_project (
	project_id text COLLATE "C" NOT NULL PRIMARY KEY
		CONSTRAINT ct_project_id_check CHECK (project_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	name text NOT NULL DEFAULT '',
	region text NOT NULL DEFAULT 'eu1'
		CONSTRAINT ct_project_region_check CHECK (region IN ('eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1')),
	account_token text NOT NULL
		CONSTRAINT ct_project_token_check CHECK (length(account_token) BETWEEN 1 AND 256),
	passcode_hash text NOT NULL,
	passcode_expires_at timestamptz,
	default_country text
		CONSTRAINT ct_project_country_check CHECK (default_country ~ '^[A-Z]{2}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ctaudience.ct_project IS 'CleverTap projects that receive mParticle audiences; the passcode is kept as a salted hash only';
COMMENT ON COLUMN ctaudience.ct_project.passcode_hash IS 'PBKDF2-SHA-256 of the passcode with a random salt; never the passcode itself';
COMMENT ON COLUMN ctaudience.ct_project.passcode_expires_at IS 'when the passcode stops being accepted; NULL means Forever';
COMMENT ON COLUMN ctaudience.ct_project.default_country IS 'ISO 3166 country used to read national phone numbers; NULL accepts only +E.164';

CREATE TABLE ctaudience.ct_profile (
	project_id text COLLATE "C" NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	identity text COLLATE "C",
	email ctaudience.ct_email,
	phone ctaudience.ct_phone,
	mparticle_id text COLLATE "C",
	properties jsonb NOT NULL DEFAULT '{}',
	email_ts timestamptz,
	phone_ts timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	properties_ts jsonb NOT NULL DEFAULT '{}',
	PRIMARY KEY (project_id, ct_id),
	CONSTRAINT ct_profile_identity_key UNIQUE (project_id, identity)
) WITH (fillfactor = 90);
-- A data subject erasure finds profiles by email or mParticle ID too.
-- Hash indexes: an import pays about a third of what B-trees cost it (the
-- equality lookups of an erasure are all they serve).
CREATE INDEX ct_profile_email_idx ON ctaudience.ct_profile USING hash (email);
CREATE INDEX ct_profile_mpid_idx ON ctaudience.ct_profile USING hash (mparticle_id);
COMMENT ON TABLE ctaudience.ct_profile IS 'user profiles, keyed by CleverTap ID, with Identity, Email and Phone merged from imports';
COMMENT ON COLUMN ctaudience.ct_profile.identity IS 'CleverTap Identity: the Customer ID (or chosen User ID) or the mParticle ID that first matched';
COMMENT ON COLUMN ctaudience.ct_profile.email_ts IS 'time of the newest message whose email was merged (newest message wins)';
COMMENT ON COLUMN ctaudience.ct_profile.phone_ts IS 'time of the newest message whose phone was merged (newest message wins)';
COMMENT ON COLUMN ctaudience.ct_profile.properties_ts IS 'per user attribute key: the time (ms since 1970) of the newest message that upserted or deleted it; an older operation on the key is stale';

CREATE TABLE ctaudience.ct_segment (
	project_id text COLLATE "C" NOT NULL,
	segment_id bigint GENERATED ALWAYS AS IDENTITY,
	name text NOT NULL CONSTRAINT ct_segment_name_check CHECK (octet_length(name) BETWEEN 1 AND 512),
	type text NOT NULL DEFAULT 'Partner - mParticle',
	partner_name text COLLATE "C" NOT NULL DEFAULT 'mParticle',
	partner_segment_id bigint NOT NULL,
	status text NOT NULL DEFAULT 'active'
		CONSTRAINT ct_segment_status_check CHECK (status IN ('active', 'disconnected')),
	user_id_field text,
	settings jsonb NOT NULL DEFAULT '{}',
	name_ts timestamptz,
	status_ts timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, segment_id),
	CONSTRAINT ct_segment_partner_key UNIQUE (project_id, partner_name, partner_segment_id)
);
COMMENT ON TABLE ctaudience.ct_segment IS 'segments; one per mParticle audience, of type Partner - mParticle';
COMMENT ON COLUMN ctaudience.ct_segment.partner_segment_id IS 'the mParticle audience id';
COMMENT ON COLUMN ctaudience.ct_segment.user_id_field IS 'the mParticle identity used as Customer ID for this audience (userIdField); NULL means customer';
COMMENT ON COLUMN ctaudience.ct_segment.name_ts IS 'time of the message that set the current name (a newer message renames)';
COMMENT ON COLUMN ctaudience.ct_segment.status IS 'active, or disconnected after an audience subscription remove (membership changes are then refused)';
COMMENT ON COLUMN ctaudience.ct_segment.status_ts IS 'time of the subscription message that set status and settings (an older one changes nothing)';
COMMENT ON COLUMN ctaudience.ct_segment.settings IS 'the audience_subscription_settings of the newest subscription message';

CREATE TABLE ctaudience.ct_segment_member (
	project_id text COLLATE "C" NOT NULL,
	segment_id bigint NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	is_member boolean NOT NULL,
	stated_at timestamptz NOT NULL,
	PRIMARY KEY (project_id, segment_id, ct_id)
) WITH (fillfactor = 90);
-- fillfactor 90: a membership that changes (a removal, a later statement)
-- is updated in place (HOT), without new entries in either index.
CREATE INDEX ct_segment_member_profile_idx ON ctaudience.ct_segment_member (project_id, ct_id);
COMMENT ON TABLE ctaudience.ct_segment_member IS 'membership of profiles in segments, last writer wins by message time';
COMMENT ON COLUMN ctaudience.ct_segment_member.stated_at IS 'time of the newest message that stated this membership; older statements are stale';

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
CREATE INDEX ct_import_sample_mpid_idx ON ctaudience.ct_import_sample (project_id, mpid) WHERE mpid IS NOT NULL;
COMMENT ON TABLE ctaudience.ct_import_sample IS 'up to 20 samples per message of what was skipped or invalid, with the reason';
COMMENT ON COLUMN ctaudience.ct_import_sample.reason IS 'anonymous, hashed_only, forbidden_identity, identity_too_long, invalid_ctid, invalid_email, invalid_phone, identity_conflict, invalid_attribute, stale or refused';
COMMENT ON COLUMN ctaudience.ct_import_sample.path IS 'where in the message: user_profiles[i] or user_profiles[i].audiences[j]';

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

-- Segment statistics as delta rows: every statement that changes memberships
-- appends one row per segment (per hour bucket, UTC) instead of updating a
-- counter row, so concurrent imports into one segment never queue on a hot
-- row.  Reading a segment's statistics sums its rows (an index range, not
-- its members); ct_compact_stats() and the import fold them together.
CREATE TABLE ctaudience.ct_segment_delta (
	project_id text COLLATE "C" NOT NULL,
	segment_id bigint NOT NULL,
	bucket timestamptz NOT NULL,
	members bigint NOT NULL DEFAULT 0,
	reachable_email bigint NOT NULL DEFAULT 0,
	reachable_phone bigint NOT NULL DEFAULT 0,
	added bigint NOT NULL DEFAULT 0,
	removed bigint NOT NULL DEFAULT 0,
	last_sync_at timestamptz
);
CREATE INDEX ct_segment_delta_segment_idx ON ctaudience.ct_segment_delta (project_id, segment_id, bucket);
COMMENT ON TABLE ctaudience.ct_segment_delta IS 'segment statistics as delta rows (summed by ct_segment_stats, folded by ct_compact_stats)';
COMMENT ON COLUMN ctaudience.ct_segment_delta.bucket IS 'the UTC hour of the changes (days for buckets older than 35 days after compaction)';

-- Usage (billing) as delta rows per project and month (UTC, by message time).
CREATE TABLE ctaudience.ct_usage_delta (
	project_id text COLLATE "C" NOT NULL,
	month date NOT NULL,
	events bigint NOT NULL DEFAULT 0,
	data_points bigint NOT NULL DEFAULT 0,
	profile_updates bigint NOT NULL DEFAULT 0
);
CREATE INDEX ct_usage_delta_month_idx ON ctaudience.ct_usage_delta (project_id, month);
COMMENT ON TABLE ctaudience.ct_usage_delta IS 'usage as delta rows: Partner Sync events, their data points, profile property updates';

-- Who was active in a month (an app event recorded, not a Partner Sync):
-- kept apart from the events, so that purging old events leaves
-- ct_usage.monthly_active_users as it was.
CREATE TABLE ctaudience.ct_active_user_month (
	project_id text COLLATE "C" NOT NULL,
	month date NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	PRIMARY KEY (project_id, month, ct_id)
);
COMMENT ON TABLE ctaudience.ct_active_user_month IS 'profiles with an app event (not Partner Sync) in a UTC month: monthly active users, kept when events are purged';

-- Scheduled imports: messages queued by ct_enqueue(), answered by
-- ct_process_inbox().  The body is kept without its passcode.
CREATE TABLE ctaudience.ct_inbox (
	project_id text COLLATE "C" NOT NULL,
	inbox_id bigint GENERATED ALWAYS AS IDENTITY,
	message_type text NOT NULL,
	message_id text NOT NULL,
	body jsonb NOT NULL,
	status text NOT NULL DEFAULT 'pending'
		CONSTRAINT ct_inbox_status_check CHECK (status IN ('pending', 'done', 'dead')),
	attempts integer NOT NULL DEFAULT 0,
	enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	processed_at timestamptz,
	response jsonb,
	last_sqlstate text,
	last_error text,
	PRIMARY KEY (project_id, inbox_id),
	CONSTRAINT ct_inbox_no_passcode CHECK (NOT (body -> 'account' -> 'account_settings') ? 'passcode')
);
CREATE INDEX ct_inbox_due_idx ON ctaudience.ct_inbox (next_attempt_at, inbox_id) WHERE status = 'pending';
-- answered messages are removed after ctaudience.inbox_retention
CREATE INDEX ct_inbox_done_idx ON ctaudience.ct_inbox (processed_at) WHERE status = 'done';
-- dead letters, counted by ct_inbox_depth() without reading the rest
CREATE INDEX ct_inbox_dead_idx ON ctaudience.ct_inbox (inbox_id) WHERE status = 'dead';
-- bodies are compressed with lz4 where the server has it: queueing a message
-- of 1,000 profiles spent a quarter of its time in pglz
DO $$
BEGIN
	ALTER TABLE ctaudience.ct_inbox ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	NULL;
END
$$;
COMMENT ON TABLE ctaudience.ct_inbox IS 'queued Firehose messages (without their passcode) for ct_process_inbox: pending, done (with the response) or dead (with the error)';
COMMENT ON COLUMN ctaudience.ct_inbox.project_id IS 'the project the message was authenticated for when it was queued';
COMMENT ON COLUMN ctaudience.ct_inbox.status IS 'pending (due at next_attempt_at), done, or dead: failed for good (see last_sqlstate, last_error); ct_requeue() retries it';
COMMENT ON COLUMN ctaudience.ct_inbox.attempts IS 'how many times ct_process_inbox() has tried the message';

SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_inbox', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_inbox', 'inbox_id'), '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_segment_delta', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_usage_delta', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_active_user_month', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_dsr_request', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_import_sample', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_project', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_profile', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_segment', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_segment_member', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_event', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_message', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_segment', 'segment_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_event', 'event_id'), '');
