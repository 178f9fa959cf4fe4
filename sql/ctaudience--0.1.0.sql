-- ctaudience install script, assembled by the Makefile from sql/install/*.sql.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION ctaudience" to load this file. \quit
-- ct_email: a normalized email address (trimmed, ASCII lower-cased,
-- syntax-checked, at most 254 bytes).  Stored like text; compared bytewise,
-- which is exact because the input function normalizes.
CREATE TYPE ctaudience.ct_email;

CREATE FUNCTION ctaudience.ct_email_in(cstring) RETURNS ctaudience.ct_email
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_email_out(ctaudience.ct_email) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_email_recv(internal) RETURNS ctaudience.ct_email
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_email_send(ctaudience.ct_email) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE ctaudience.ct_email (
	INPUT = ctaudience.ct_email_in,
	OUTPUT = ctaudience.ct_email_out,
	RECEIVE = ctaudience.ct_email_recv,
	SEND = ctaudience.ct_email_send,
	INTERNALLENGTH = VARIABLE,
	STORAGE = extended,
	ALIGNMENT = int4,
	CATEGORY = 'S'
);
COMMENT ON TYPE ctaudience.ct_email IS 'email address, trimmed, lower-cased and syntax-checked on input';

-- Comparison support: the representation is a plain varlena of bytes, so
-- bytea's collation-free functions order and hash it correctly.
CREATE FUNCTION ctaudience.ct_email_eq(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_ne(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteane' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_lt(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'bytealt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_le(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteale' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_gt(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteagt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_ge(ctaudience.ct_email, ctaudience.ct_email) RETURNS bool
	AS 'byteage' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email) RETURNS int4
	AS 'byteacmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_hash(ctaudience.ct_email) RETURNS int4
	AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8) RETURNS int8
	AS 'hashvarlenaextended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR ctaudience.= (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_eq, COMMUTATOR = OPERATOR(ctaudience.=),
	NEGATOR = OPERATOR(ctaudience.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR ctaudience.<> (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_ne, COMMUTATOR = OPERATOR(ctaudience.<>),
	NEGATOR = OPERATOR(ctaudience.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR ctaudience.< (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_lt, COMMUTATOR = OPERATOR(ctaudience.>),
	NEGATOR = OPERATOR(ctaudience.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR ctaudience.<= (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_le, COMMUTATOR = OPERATOR(ctaudience.>=),
	NEGATOR = OPERATOR(ctaudience.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR ctaudience.> (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_gt, COMMUTATOR = OPERATOR(ctaudience.<),
	NEGATOR = OPERATOR(ctaudience.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR ctaudience.>= (LEFTARG = ctaudience.ct_email, RIGHTARG = ctaudience.ct_email,
	PROCEDURE = ctaudience.ct_email_ge, COMMUTATOR = OPERATOR(ctaudience.<=),
	NEGATOR = OPERATOR(ctaudience.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS ctaudience.ct_email_ops DEFAULT FOR TYPE ctaudience.ct_email USING btree AS
	OPERATOR 1 ctaudience.<,
	OPERATOR 2 ctaudience.<=,
	OPERATOR 3 ctaudience.=,
	OPERATOR 4 ctaudience.>=,
	OPERATOR 5 ctaudience.>,
	FUNCTION 1 ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email);
CREATE OPERATOR CLASS ctaudience.ct_email_hash_ops DEFAULT FOR TYPE ctaudience.ct_email USING hash AS
	OPERATOR 1 ctaudience.=,
	FUNCTION 1 ctaudience.ct_email_hash(ctaudience.ct_email),
	FUNCTION 2 ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8);

-- text -> ct_email validates through the input function; ct_email -> text
-- is free (same representation).
CREATE CAST (ctaudience.ct_email AS text) WITHOUT FUNCTION AS ASSIGNMENT;
CREATE CAST (text AS ctaudience.ct_email) WITH INOUT AS ASSIGNMENT;

-- ct_phone: a phone number in E.164 ("+" and 8-15 digits), validated with
-- libphonenumber.  Stored as the digits in an int8: fixed width, fast to
-- compare, and E.164 country codes never begin with 0.
CREATE TYPE ctaudience.ct_phone;

CREATE FUNCTION ctaudience.ct_phone_in(cstring) RETURNS ctaudience.ct_phone
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_phone_out(ctaudience.ct_phone) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_phone_recv(internal) RETURNS ctaudience.ct_phone
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ctaudience.ct_phone_send(ctaudience.ct_phone) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE ctaudience.ct_phone (
	INPUT = ctaudience.ct_phone_in,
	OUTPUT = ctaudience.ct_phone_out,
	RECEIVE = ctaudience.ct_phone_recv,
	SEND = ctaudience.ct_phone_send,
	INTERNALLENGTH = 8,
	PASSEDBYVALUE,
	ALIGNMENT = double,
	STORAGE = plain,
	CATEGORY = 'S'
);
COMMENT ON TYPE ctaudience.ct_phone IS 'phone number in E.164 form, validated with libphonenumber';

CREATE FUNCTION ctaudience.ct_phone_eq(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_ne(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_lt(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_le(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_gt(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_ge(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS bool
	AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone) RETURNS int4
	AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_hash(ctaudience.ct_phone) RETURNS int4
	AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8) RETURNS int8
	AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

CREATE OPERATOR ctaudience.= (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_eq, COMMUTATOR = OPERATOR(ctaudience.=),
	NEGATOR = OPERATOR(ctaudience.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR ctaudience.<> (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_ne, COMMUTATOR = OPERATOR(ctaudience.<>),
	NEGATOR = OPERATOR(ctaudience.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR ctaudience.< (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_lt, COMMUTATOR = OPERATOR(ctaudience.>),
	NEGATOR = OPERATOR(ctaudience.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR ctaudience.<= (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_le, COMMUTATOR = OPERATOR(ctaudience.>=),
	NEGATOR = OPERATOR(ctaudience.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR ctaudience.> (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_gt, COMMUTATOR = OPERATOR(ctaudience.<),
	NEGATOR = OPERATOR(ctaudience.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR ctaudience.>= (LEFTARG = ctaudience.ct_phone, RIGHTARG = ctaudience.ct_phone,
	PROCEDURE = ctaudience.ct_phone_ge, COMMUTATOR = OPERATOR(ctaudience.<=),
	NEGATOR = OPERATOR(ctaudience.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS ctaudience.ct_phone_ops DEFAULT FOR TYPE ctaudience.ct_phone USING btree AS
	OPERATOR 1 ctaudience.<,
	OPERATOR 2 ctaudience.<=,
	OPERATOR 3 ctaudience.=,
	OPERATOR 4 ctaudience.>=,
	OPERATOR 5 ctaudience.>,
	FUNCTION 1 ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone);
CREATE OPERATOR CLASS ctaudience.ct_phone_hash_ops DEFAULT FOR TYPE ctaudience.ct_phone USING hash AS
	OPERATOR 1 ctaudience.=,
	FUNCTION 1 ctaudience.ct_phone_hash(ctaudience.ct_phone),
	FUNCTION 2 ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8);

CREATE CAST (ctaudience.ct_phone AS text) WITH INOUT AS ASSIGNMENT;
-- the E.164 digits as a number (every ct_phone is a valid int8; not the reverse)
CREATE CAST (ctaudience.ct_phone AS int8) WITHOUT FUNCTION;
CREATE CAST (text AS ctaudience.ct_phone) WITH INOUT AS ASSIGNMENT;

-- Read a national or international number with a default region.
CREATE FUNCTION ctaudience.ct_normalize_phone(number text, default_country text DEFAULT NULL) RETURNS ctaudience.ct_phone
	AS 'MODULE_PATHNAME', 'ct_normalize_phone_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_normalize_phone(text, text) IS
	'parse a phone number, reading national numbers with the given ISO 3166 country; NULL when invalid';

-- Normalize an email the way the import does; NULL when it is not an address.
CREATE FUNCTION ctaudience.ct_normalize_email(address text) RETURNS ctaudience.ct_email
	AS 'MODULE_PATHNAME', 'ct_normalize_email_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_normalize_email(text) IS
	'normalize an email address as the import does; NULL when it is not an address';
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
	PRIMARY KEY (project_id, ct_id),
	CONSTRAINT ct_profile_identity_key UNIQUE (project_id, identity)
) WITH (fillfactor = 90);
COMMENT ON TABLE ctaudience.ct_profile IS 'user profiles, keyed by CleverTap ID, with Identity, Email and Phone merged from imports';
COMMENT ON COLUMN ctaudience.ct_profile.identity IS 'CleverTap Identity: the Customer ID (or chosen User ID) or the mParticle ID that first matched';
COMMENT ON COLUMN ctaudience.ct_profile.email_ts IS 'time of the newest message whose email was merged (newest message wins)';
COMMENT ON COLUMN ctaudience.ct_profile.phone_ts IS 'time of the newest message whose phone was merged (newest message wins)';

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
COMMENT ON TABLE ctaudience.ct_inbox IS 'queued Firehose messages (without their passcode) for ct_process_inbox: pending, done (with the response) or dead (with the error)';
COMMENT ON COLUMN ctaudience.ct_inbox.project_id IS 'the project the message was authenticated for when it was queued';
COMMENT ON COLUMN ctaudience.ct_inbox.status IS 'pending (due at next_attempt_at), done, or dead: failed for good (see last_sqlstate, last_error); ct_requeue() retries it';
COMMENT ON COLUMN ctaudience.ct_inbox.attempts IS 'how many times ct_process_inbox() has tried the message';

SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_inbox', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_inbox', 'inbox_id'), '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_segment_delta', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_usage_delta', '');
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
-- Planner settings of the C functions.  Every statement they run is a batch
-- of key lookups, inserts or updates through unique indexes, for one message
-- (about a thousand keys): a nested loop over an index is the right plan at
-- every table size.  Left to itself the planner picks hash joins and
-- sequential scans for such batches, and a plan chosen while the tables were
-- small would be kept as they grow to millions of rows.  With these settings
-- the statements keep generic plans, so nothing is planned per message.
--
-- Passcode hashing lives in C (PBKDF2-SHA-256 with a random salt).
CREATE FUNCTION ctaudience.ct_passcode_hash(passcode text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_passcode_hash' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_passcode_hash(text) IS
	'salted PBKDF2-SHA-256 verifier of a passcode, in the form stored by ct_project';

CREATE FUNCTION ctaudience.ct_register_project(
	project_id text,
	passcode text,
	account_token text,
	region text DEFAULT 'eu1',
	name text DEFAULT NULL,
	passcode_expires_at timestamptz DEFAULT NULL,
	default_country text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF project_id IS NULL OR passcode IS NULL OR account_token IS NULL THEN
		RAISE EXCEPTION 'project_id, passcode and account_token must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF length(passcode) < 8 OR length(passcode) > 1024 THEN
		RAISE EXCEPTION 'passcode must be between 8 and 1024 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF project_id !~ '^[A-Za-z0-9_-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid project id "%"', project_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A project id is 1 to 64 letters, digits, "-" or "_".';
	END IF;
	region := lower(btrim(coalesce(region, 'eu1')));
	IF region NOT IN ('eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1') THEN
		RAISE EXCEPTION 'unknown region "%"', region
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of eu1, in1, sg1, us1, aps3, mec1, sk1.';
	END IF;
	default_country := upper(btrim(default_country));
	IF default_country IS NOT NULL AND NOT ctaudience.ct_phone_region_supported(default_country) THEN
		RAISE EXCEPTION 'unknown default country "%"', default_country
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use an ISO 3166-1 alpha-2 code such as US, GB or IN.';
	END IF;
	INSERT INTO ctaudience.ct_project AS p
		(project_id, name, region, account_token, passcode_hash, passcode_expires_at, default_country)
	VALUES (ct_register_project.project_id, coalesce(ct_register_project.name, ''), region,
			ct_register_project.account_token, ctaudience.ct_passcode_hash(passcode),
			ct_register_project.passcode_expires_at, default_country)
	ON CONFLICT ON CONSTRAINT ct_project_pkey DO UPDATE
		SET name = coalesce(ct_register_project.name, p.name),
			region = EXCLUDED.region,
			account_token = EXCLUDED.account_token,
			passcode_hash = EXCLUDED.passcode_hash,
			passcode_expires_at = EXCLUDED.passcode_expires_at,
			default_country = EXCLUDED.default_country,
			updated_at = now();
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_register_project(text, text, text, text, text, timestamptz, text) IS
	'create or update a project; the passcode is stored as a salted hash only';

CREATE FUNCTION ctaudience.ct_rotate_passcode(
	project_id text,
	new_passcode text,
	expires_at timestamptz DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF new_passcode IS NULL OR length(new_passcode) < 8 OR length(new_passcode) > 1024 THEN
		RAISE EXCEPTION 'passcode must be between 8 and 1024 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF expires_at IS NOT NULL AND expires_at <= now() THEN
		RAISE EXCEPTION 'expires_at must be in the future'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass NULL for a passcode that never expires (Forever).';
	END IF;
	UPDATE ctaudience.ct_project AS p
	   SET passcode_hash = ctaudience.ct_passcode_hash(new_passcode),
		   passcode_expires_at = expires_at,
		   updated_at = now()
	 WHERE p.project_id = ct_rotate_passcode.project_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', project_id
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register the project with ctaudience.ct_register_project().';
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_rotate_passcode(text, text, timestamptz) IS
	'replace a project''s passcode (stored as a salted hash); NULL expires_at means Forever';

CREATE FUNCTION ctaudience.ct_phone_region_supported(region text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_phone_region_supported_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_phone_region_supported(text) IS
	'true when libphonenumber can read national numbers of this ISO 3166 country';

-- The Partner Sync trigger: statement-level, reading the transition tables,
-- so events are written set-wise, one INSERT per import statement.
CREATE FUNCTION ctaudience.ct_partner_sync_trigger() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ct_partner_sync_trigger' LANGUAGE C
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_partner_sync_trigger() IS
	'raises one Partner Sync event per membership change and keeps segment statistics and usage (trigger on ct_segment_member)';

CREATE TRIGGER ct_partner_sync_insert
	AFTER INSERT ON ctaudience.ct_segment_member
	REFERENCING NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_partner_sync_trigger();
CREATE TRIGGER ct_partner_sync_update
	AFTER UPDATE ON ctaudience.ct_segment_member
	REFERENCING OLD TABLE AS ct_old NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_partner_sync_trigger();
CREATE TRIGGER ct_partner_sync_delete
	AFTER DELETE ON ctaudience.ct_segment_member
	REFERENCING OLD TABLE AS ct_old
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_partner_sync_trigger();

-- Profiles: reachable-by-email/phone statistics and property-update usage.
CREATE FUNCTION ctaudience.ct_profile_trigger() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ct_profile_trigger' LANGUAGE C
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_profile_trigger() IS
	'keeps reachable-by-email/phone statistics and property-update usage (trigger on ct_profile)';
CREATE TRIGGER ct_profile_insert
	AFTER INSERT ON ctaudience.ct_profile
	REFERENCING NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_profile_trigger();
CREATE TRIGGER ct_profile_update
	AFTER UPDATE ON ctaudience.ct_profile
	REFERENCING OLD TABLE AS ct_old NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_profile_trigger();

CREATE FUNCTION ctaudience.ct_import_audience(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_import_audience'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_import_audience(jsonb) IS
	'import one mParticle audience_membership_change_request; returns the Firehose response with ctaudience counts';

-- The same, taking the message as the JSON text mParticle posted: a receiver
-- passes the body as it came, and well-formed messages are read without
-- building jsonb first (faster, less memory); anything else behaves exactly
-- as the jsonb variant.
CREATE FUNCTION ctaudience.ct_import_audience(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_import_audience_text'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_import_audience(text) IS
	'import one mParticle audience_membership_change_request given as JSON text (the body as posted); same result and errors as the jsonb variant';

CREATE FUNCTION ctaudience.ct_resolve_identity(
	project_id text,
	partner_id text DEFAULT NULL,
	customer_id text DEFAULT NULL,
	mparticle_id text DEFAULT NULL,
	email text DEFAULT NULL,
	phone text DEFAULT NULL,
	OUT rule text,
	OUT key text,
	OUT ct_id text,
	OUT email ctaudience.ct_email,
	OUT phone ctaudience.ct_phone)
	AS 'MODULE_PATHNAME', 'ct_resolve_identity'
	LANGUAGE C STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text) IS
	'apply the import''s identity rules to one user without writing: rule, key, existing ct_id, normalized email and phone';

CREATE FUNCTION ctaudience.ct_firehose(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_firehose(jsonb) IS
	'answer any mParticle Firehose message: module registration, audience subscription, membership change, data subject erasure';

CREATE FUNCTION ctaudience.ct_firehose(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_text'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_firehose(text) IS
	'answer any mParticle Firehose message given as JSON text (the body as posted); same result and errors as the jsonb variant';

CREATE FUNCTION ctaudience.ct_enqueue(request jsonb) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_enqueue'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_enqueue(jsonb) IS
	'queue a Firehose message for ct_process_inbox: its type and credentials are checked now, and it is stored without its passcode; returns its inbox_id';

CREATE FUNCTION ctaudience.ct_process_inbox(max_messages integer DEFAULT 100,
	OUT done integer, OUT retried integer, OUT dead integer)
	AS 'MODULE_PATHNAME', 'ct_process_inbox'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_process_inbox(integer) IS
	'answer up to max_messages due messages of ct_inbox, oldest first, each in its own subtransaction (SKIP LOCKED: several sessions may run it); failures are kept with their error, retried, then dead-lettered';

CREATE FUNCTION ctaudience.ct_requeue(inbox_id bigint) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	WITH requeued AS (
		UPDATE ctaudience.ct_inbox
		   SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
		 WHERE ct_inbox.inbox_id = ct_requeue.inbox_id AND status = 'dead'
		RETURNING 1)
	SELECT count(*) > 0 FROM requeued
$$;
COMMENT ON FUNCTION ctaudience.ct_requeue(bigint) IS
	'put a dead-lettered inbox message back in the queue, with its attempts reset; false when it is not dead';

CREATE FUNCTION ctaudience.ct_schedule_inbox(schedule text DEFAULT '* * * * *',
	max_messages integer DEFAULT 100, job_name text DEFAULT 'ctaudience_inbox') RETURNS bigint
	LANGUAGE plpgsql VOLATILE STRICT
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	job bigint;
BEGIN
	IF max_messages < 1 THEN
		RAISE EXCEPTION 'max_messages must be at least 1' USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in this database'
			USING ERRCODE = '55000',
				  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name, and CREATE EXTENSION pg_cron.';
	END IF;
	-- the job runs in this database, as the user calling this function
	EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)'
		INTO job
		USING job_name, schedule,
			  format('SELECT * FROM ctaudience.ct_process_inbox(%s)', max_messages),
			  current_database();
	RETURN job;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_schedule_inbox(text, integer, text) IS
	'schedule ct_process_inbox(max_messages) with pg_cron in this database (a cron schedule, e.g. ''* * * * *''); the same job_name replaces the job; returns the job id';

CREATE FUNCTION ctaudience.ct_preview_import(
	request jsonb,
	OUT profile int,
	OUT mpid text,
	OUT audience_index int,
	OUT audience_id bigint,
	OUT action text,
	OUT rule text,
	OUT key text,
	OUT ct_id text,
	OUT creates_profile boolean,
	OUT email ctaudience.ct_email,
	OUT phone ctaudience.ct_phone,
	OUT change text,
	OUT problem text)
RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'ct_preview_import'
	LANGUAGE C STABLE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_preview_import(jsonb) IS
	'dry run of ct_import_audience: one row per user and audience with the resolution and the change it would make; writes nothing';

CREATE FUNCTION ctaudience.ct_compact_stats(project_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p text;
	segs bigint[];
	folded bigint := 0;
	n bigint;
BEGIN
	FOR p, segs IN
		SELECT d.project_id, array_agg(DISTINCT d.segment_id)
		  FROM ctaudience.ct_segment_delta d
		 WHERE d.project_id = coalesce(ct_compact_stats.project_id, d.project_id)
		 GROUP BY d.project_id
	LOOP
		-- segment by segment, each under the advisory lock the import's own folding takes
		WITH seg AS MATERIALIZED (
			SELECT DISTINCT s FROM unnest(segs) s WHERE pg_try_advisory_xact_lock(1129595221, s::int)),
		d AS (DELETE FROM ctaudience.ct_segment_delta x USING seg
			   WHERE x.project_id = p AND x.segment_id = seg.s RETURNING x.*),
		ins AS (INSERT INTO ctaudience.ct_segment_delta
				  (project_id, segment_id, bucket, members, reachable_email, reachable_phone, added, removed, last_sync_at)
				SELECT d.project_id, d.segment_id,
					   CASE WHEN d.bucket < now() - interval '35 days'
							THEN date_trunc('day', d.bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' ELSE d.bucket END,
					   sum(d.members), sum(d.reachable_email), sum(d.reachable_phone), sum(d.added), sum(d.removed),
					   max(d.last_sync_at)
				  FROM d GROUP BY 1, 2, 3 RETURNING 1)
		SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM ins) INTO n;
		folded := folded + n;
	END LOOP;

	IF pg_try_advisory_xact_lock(1129595221, 0) THEN
		WITH d AS (DELETE FROM ctaudience.ct_usage_delta x
					WHERE x.project_id = coalesce(ct_compact_stats.project_id, x.project_id) RETURNING x.*),
		ins AS (INSERT INTO ctaudience.ct_usage_delta (project_id, month, events, data_points, profile_updates)
				SELECT d.project_id, d.month, sum(d.events), sum(d.data_points), sum(d.profile_updates)
				  FROM d GROUP BY 1, 2 RETURNING 1)
		SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM ins) INTO n;
		folded := folded + n;
	END IF;
	RETURN folded;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_compact_stats(text) IS
	'fold the statistics and usage delta rows (all projects when NULL); returns how many rows it saved';

CREATE FUNCTION ctaudience.ct_segment_trend(segment_id bigint, days int DEFAULT 30, ending date DEFAULT current_date)
RETURNS TABLE (day date, members bigint, added bigint, removed bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH d AS (
		SELECT (x.bucket AT TIME ZONE 'UTC')::date AS day, sum(x.members) AS members,
			   sum(x.added) AS added, sum(x.removed) AS removed
		  FROM ctaudience.ct_segment_delta x
		 WHERE x.segment_id = ct_segment_trend.segment_id
		   AND x.project_id = (SELECT s.project_id FROM ctaudience.ct_segment s
								WHERE s.segment_id = ct_segment_trend.segment_id)
		 GROUP BY 1)
	SELECT g.day::date,
		   (SELECT coalesce(sum(d.members), 0) FROM d WHERE d.day <= g.day)::bigint,
		   coalesce((SELECT d.added FROM d WHERE d.day = g.day), 0)::bigint,
		   coalesce((SELECT d.removed FROM d WHERE d.day = g.day), 0)::bigint
	  FROM generate_series(ending - greatest(days, 1) + 1, ending, interval '1 day') AS g(day)
	 ORDER BY 1
$$;
COMMENT ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date) IS
	'the Trend graph: members at the end of each day (UTC) and the day''s adds and removes, for the days up to ending';
-- The Segments list, with member counts from the statistics deltas (no member scan).
CREATE VIEW ctaudience.ct_segments AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.type,
	   s.partner_name,
	   s.partner_segment_id,
	   s.status,
	   coalesce((SELECT sum(d.members) FROM ctaudience.ct_segment_delta d
				  WHERE d.project_id = s.project_id AND d.segment_id = s.segment_id), 0)::bigint AS members,
	   s.created_at,
	   s.updated_at
  FROM ctaudience.ct_segment s;
COMMENT ON VIEW ctaudience.ct_segments IS 'the Segments list: one row per imported mParticle audience, with its members now';

-- Segment statistics, like any other segment's: read from the delta rows, so
-- a segment of a million members costs an index range of its deltas, never a
-- scan of its members.  Windows are by message time, at hour granularity.
CREATE VIEW ctaudience.ct_segment_stats AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.partner_segment_id,
	   s.status,
	   coalesce(d.members, 0)::bigint AS members,
	   coalesce(d.reachable_email, 0)::bigint AS reachable_email,
	   coalesce(d.reachable_phone, 0)::bigint AS reachable_phone,
	   coalesce(d.added_24h, 0)::bigint AS added_24h,
	   coalesce(d.removed_24h, 0)::bigint AS removed_24h,
	   coalesce(d.added_7d, 0)::bigint AS added_7d,
	   coalesce(d.removed_7d, 0)::bigint AS removed_7d,
	   coalesce(d.added_30d, 0)::bigint AS added_30d,
	   coalesce(d.removed_30d, 0)::bigint AS removed_30d,
	   d.last_sync_at
  FROM ctaudience.ct_segment s
  LEFT JOIN LATERAL (
	SELECT sum(x.members) AS members,
		   sum(x.reachable_email) AS reachable_email,
		   sum(x.reachable_phone) AS reachable_phone,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '24 hours') AS added_24h,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '24 hours') AS removed_24h,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '7 days') AS added_7d,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '7 days') AS removed_7d,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '30 days') AS added_30d,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '30 days') AS removed_30d,
		   max(x.last_sync_at) AS last_sync_at
	  FROM ctaudience.ct_segment_delta x
	 WHERE x.project_id = s.project_id AND x.segment_id = s.segment_id) d ON true;
COMMENT ON VIEW ctaudience.ct_segment_stats IS 'per segment: members now, reachable by email and phone, added/removed in the last 24 hours, 7 and 30 days (message time), last sync';

-- A profile's activity: its events, newest first (Partner Sync among them).
CREATE VIEW ctaudience.ct_profile_activity AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   e.event_name,
	   e.ts,
	   e.props
  FROM ctaudience.ct_event e
  LEFT JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
 ORDER BY e.project_id, e.ct_id, e.ts DESC, e.event_id DESC;
COMMENT ON VIEW ctaudience.ct_profile_activity IS 'a profile''s events, newest first: filter by project_id and ct_id (or identity)';

-- Find People: users who did Partner Sync, by segment and action, with the
-- segments they are in now.
CREATE VIEW ctaudience.ct_find_people AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   p.email,
	   p.phone,
	   (e.props ->> 'Partner Segment ID')::bigint AS partner_segment_id,
	   e.props ->> 'Partner Segment Name' AS partner_segment_name,
	   e.props ->> 'Action' AS action,
	   count(*) AS times,
	   max(e.ts) AS last_ts,
	   (SELECT coalesce(array_agg(s.name ORDER BY s.name), '{}')
		  FROM ctaudience.ct_segment_member m
		  JOIN ctaudience.ct_segment s ON s.project_id = m.project_id AND s.segment_id = m.segment_id
		 WHERE m.project_id = e.project_id AND m.ct_id = e.ct_id AND m.is_member) AS segments
  FROM ctaudience.ct_event e
  JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
 WHERE e.event_name = 'Partner Sync'
 GROUP BY e.project_id, e.ct_id, p.identity, p.email, p.phone,
		  e.props ->> 'Partner Segment ID', e.props ->> 'Partner Segment Name', e.props ->> 'Action';
COMMENT ON VIEW ctaudience.ct_find_people IS 'Find People: users who did Partner Sync (filter by partner_segment_id and action) with the segments they are in now';

-- Usage per project and month (UTC, message time), as CleverTap bills it: an
-- event and each of its properties are data points (a Partner Sync, with its
-- five properties, is six); email and phone merges are profile property
-- updates; Partner Sync does not count toward monthly active users.
CREATE VIEW ctaudience.ct_usage AS
SELECT u.project_id,
	   u.month,
	   sum(u.events)::bigint AS events,
	   sum(u.data_points)::bigint AS data_points,
	   sum(u.profile_updates)::bigint AS profile_updates,
	   (SELECT count(DISTINCT e.ct_id) FROM ctaudience.ct_event e
		 WHERE e.project_id = u.project_id AND e.event_name <> 'Partner Sync'
		   AND e.ts >= u.month::timestamp AT TIME ZONE 'UTC'
		   AND e.ts < (u.month + interval '1 month')::timestamp AT TIME ZONE 'UTC') AS monthly_active_users
  FROM ctaudience.ct_usage_delta u
 GROUP BY u.project_id, u.month;
COMMENT ON VIEW ctaudience.ct_usage IS 'per project and month: Partner Sync events, data points (event + properties), profile property updates; Partner Sync is not counted in monthly_active_users';

-- The import log: one row per processed message, every count of its
-- response, and its samples of what was skipped or invalid.
CREATE VIEW ctaudience.ct_import_log AS
SELECT m.project_id,
	   m.message_id,
	   m.message_type,
	   m.received_at,
	   m.message_ts,
	   m.duration,
	   (m.counts ->> 'profiles')::bigint AS profiles,
	   (m.counts ->> 'added')::bigint AS added,
	   (m.counts ->> 'removed')::bigint AS removed,
	   (m.counts ->> 'unchanged')::bigint AS unchanged,
	   (m.counts ->> 'stale')::bigint AS stale,
	   (m.counts ->> 'anonymous')::bigint AS anonymous,
	   (m.counts ->> 'created_profiles')::bigint AS created_profiles,
	   (m.counts ->> 'invalid_email')::bigint AS invalid_email,
	   (m.counts ->> 'invalid_phone')::bigint AS invalid_phone,
	   (m.counts ->> 'rejected')::bigint AS rejected,
	   (m.counts ->> 'refused')::bigint AS refused,
	   (m.counts ->> 'hashed_only')::bigint AS hashed_only,
	   (m.counts ->> 'forbidden_identity')::bigint AS forbidden_identity,
	   (m.counts ->> 'invalid_attributes')::bigint AS invalid_attributes,
	   (m.counts ->> 'identity_conflicts')::bigint AS identity_conflicts,
	   (m.counts ->> 'profiles_erased')::bigint AS profiles_erased,
	   (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
				'reason', s.reason, 'path', s.path, 'audience_id', s.audience_id, 'mpid', s.mpid)) ORDER BY s.n)
		  FROM ctaudience.ct_import_sample s
		 WHERE s.project_id = m.project_id AND s.message_id = m.message_id) AS samples
  FROM ctaudience.ct_message m;
COMMENT ON VIEW ctaudience.ct_import_log IS 'one row per processed Firehose message: counts, duration and up to 20 samples of what was skipped or invalid';
-- Two roles: importers may call the import functions only; readers may
-- read the views only.  Roles are cluster-wide and outlive the extension.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_importer') THEN
		CREATE ROLE ctaudience_importer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_reader') THEN
		CREATE ROLE ctaudience_reader NOLOGIN;
	END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA ctaudience FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ctaudience FROM PUBLIC;
-- Type support functions stay callable by everyone, or the types are unusable.
GRANT EXECUTE ON FUNCTION
	ctaudience.ct_email_in(cstring), ctaudience.ct_email_out(ctaudience.ct_email),
	ctaudience.ct_email_recv(internal), ctaudience.ct_email_send(ctaudience.ct_email),
	ctaudience.ct_email_eq(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_ne(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_lt(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_le(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_gt(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_ge(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_hash(ctaudience.ct_email),
	ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8),
	ctaudience.ct_phone_in(cstring), ctaudience.ct_phone_out(ctaudience.ct_phone),
	ctaudience.ct_phone_recv(internal), ctaudience.ct_phone_send(ctaudience.ct_phone),
	ctaudience.ct_phone_eq(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_ne(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_lt(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_le(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_gt(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_ge(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_hash(ctaudience.ct_phone),
	ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8),
	ctaudience.ct_normalize_email(text), ctaudience.ct_normalize_phone(text, text),
	ctaudience.ct_phone_region_supported(text)
	TO PUBLIC;

GRANT USAGE ON SCHEMA ctaudience TO ctaudience_importer, ctaudience_reader;
GRANT EXECUTE ON FUNCTION
	ctaudience.ct_import_audience(jsonb),
	ctaudience.ct_import_audience(text),
	ctaudience.ct_firehose(jsonb),
	ctaudience.ct_firehose(text),
	ctaudience.ct_preview_import(jsonb),
	ctaudience.ct_enqueue(jsonb),
	ctaudience.ct_process_inbox(integer),
	ctaudience.ct_requeue(bigint),
	ctaudience.ct_schedule_inbox(text, integer, text),
	ctaudience.ct_compact_stats(text),
	ctaudience.ct_resolve_identity(text, text, text, text, text, text)
	TO ctaudience_importer;
GRANT SELECT ON ctaudience.ct_segments, ctaudience.ct_segment_stats, ctaudience.ct_profile_activity,
	ctaudience.ct_find_people, ctaudience.ct_usage, ctaudience.ct_import_log TO ctaudience_reader;
GRANT EXECUTE ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date) TO ctaudience_reader;
