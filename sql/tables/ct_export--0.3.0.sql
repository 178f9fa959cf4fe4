-- The export to mParticle, one per project (ct_configure_export): where it
-- goes, what it sends, when, and how it is going.  The feed's secret is
-- never here: ctaudience-exporter reads it from its own file.
CREATE TABLE ctaudience.ct_export (
	project_id text COLLATE "C" NOT NULL PRIMARY KEY,
	feed_key text NOT NULL
		CONSTRAINT ct_export_feed_key_check CHECK (feed_key ~ '^[!-9;-~]+$' AND length(feed_key) <= 256),
	data_center text NOT NULL DEFAULT 'default'
		CONSTRAINT ct_export_data_center_check CHECK (data_center IN ('default', 'us', 'eu', 'au')),
	endpoint text
		CONSTRAINT ct_export_endpoint_check CHECK (endpoint ~ '^(https://[^/?#@[:space:]]+|http://(localhost|127\.[0-9]+\.[0-9]+\.[0-9]+|\[::1\])(:[0-9]+)?)(/[^?#[:space:]]*)?$'
												  AND length(endpoint) <= 1024),
	customer_id text NOT NULL DEFAULT 'identity'
		CONSTRAINT ct_export_customer_id_check CHECK (customer_id IN ('identity', 'ct_id', 'email', 'mparticle_id')
													  OR (customer_id ~ '^property:.' AND length(customer_id) <= 521)),
	export_type text NOT NULL DEFAULT 'all_events'
		CONSTRAINT ct_export_type_check CHECK (export_type IN ('all_events', 'selected_events',
															   'engagement_events', 'user_properties')),
	events text[] NOT NULL DEFAULT '{}',
	schedule text NOT NULL DEFAULT 'recurring'
		CONSTRAINT ct_export_schedule_check CHECK (schedule IN ('once', 'recurring')),
	every interval NOT NULL DEFAULT '4 hours',
	look_back interval NOT NULL DEFAULT '60 days',
	environment text NOT NULL DEFAULT 'production'
		CONSTRAINT ct_export_environment_check CHECK (environment IN ('production', 'development')),
	enabled boolean NOT NULL DEFAULT true,
	status text NOT NULL DEFAULT 'active'
		CONSTRAINT ct_export_status_check CHECK (status IN ('active', 'paused', 'done')),
	paused_reason text,
	next_run_at timestamptz,
	run_started_at timestamptz,
	properties_through timestamptz,
	last_success_at timestamptz,
	last_error text,
	last_error_at timestamptz,
	requests_sent bigint NOT NULL DEFAULT 0,
	batches_sent bigint NOT NULL DEFAULT 0,
	events_sent bigint NOT NULL DEFAULT 0,
	profiles_sent bigint NOT NULL DEFAULT 0,
	cut bigint NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT ct_export_schedule_rules_check CHECK (
		(schedule = 'once' AND look_back BETWEEN '0' AND '60 days')
		OR (schedule = 'recurring' AND export_type <> 'user_properties' AND every BETWEEN '4 hours' AND '24 hours')
		OR (schedule = 'recurring' AND export_type = 'user_properties' AND every = '24 hours')),
	CONSTRAINT ct_export_events_check CHECK ((export_type = 'selected_events') = (cardinality(events) > 0))
);
COMMENT ON TABLE ctaudience.ct_export IS 'the export of a project''s events or user properties to mParticle (ct_configure_export); the feed secret is never stored';
COMMENT ON COLUMN ctaudience.ct_export.feed_key IS 'the Server to Server Key of the project''s CleverTap feed in mParticle (the HTTP Basic user name; the secret stays with ctaudience-exporter)';
COMMENT ON COLUMN ctaudience.ct_export.data_center IS 'mParticle''s data center: default, us, eu or au (endpoint overrides it)';
COMMENT ON COLUMN ctaudience.ct_export.endpoint IS 'an explicit base URL, https (http only to this host: the feed secret would go in clear); requests go to endpoint || ''/v2/bulkevents''';
COMMENT ON COLUMN ctaudience.ct_export.customer_id IS 'what is sent as mParticle''s customer_id: identity, ct_id, email, mparticle_id, or property:<key> of the profile''s properties';
COMMENT ON COLUMN ctaudience.ct_export.export_type IS 'all_events (but Partner Sync), selected_events (events; Partner Sync only when named), engagement_events (campaign outcomes) or user_properties';
COMMENT ON COLUMN ctaudience.ct_export.schedule IS 'once (the events of the last look_back, then done) or recurring (every interval; user properties every 24 hours)';
COMMENT ON COLUMN ctaudience.ct_export.status IS 'active, paused (paused_reason says why: an operator, or mParticle refused the credentials) or done (a one-time export that finished)';
COMMENT ON COLUMN ctaudience.ct_export.next_run_at IS 'when the next run is due (NULL: none)';
COMMENT ON COLUMN ctaudience.ct_export.run_started_at IS 'when the run in progress started (NULL: none)';
COMMENT ON COLUMN ctaudience.ct_export.properties_through IS 'user_properties: profiles updated before this time were exported';
COMMENT ON COLUMN ctaudience.ct_export.cut IS 'event names, attributes and values cut to mParticle''s limits';

-- The events (and, with event_id 0, the profiles' properties) waiting for
-- an export of their project.  A row goes when mParticle accepted it.
CREATE TABLE ctaudience.ct_export_outbox (
	project_id text COLLATE "C" NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	event_id bigint NOT NULL,
	PRIMARY KEY (project_id, ct_id, event_id)
);
COMMENT ON TABLE ctaudience.ct_export_outbox IS 'what waits to be exported: events (event_id) and user properties (event_id 0), by profile';

-- The requests built for mParticle: one pending per project at a time,
-- sent again as it is until answered; accepted ones keep their figures,
-- dead letters (400) their body and error.
CREATE TABLE ctaudience.ct_export_request (
	project_id text COLLATE "C" NOT NULL,
	request_id bigint GENERATED ALWAYS AS IDENTITY,
	source_request_id uuid NOT NULL,
	state text NOT NULL DEFAULT 'pending'
		CONSTRAINT ct_export_request_state_check CHECK (state IN ('pending', 'accepted', 'dead')),
	created_at timestamptz NOT NULL DEFAULT now(),
	lease_until timestamptz,
	attempts integer NOT NULL DEFAULT 0,
	batches integer NOT NULL,
	events integer NOT NULL,
	profiles integer NOT NULL,
	cut integer NOT NULL DEFAULT 0,
	ct_ids text[] COLLATE "C",
	event_ids bigint[],
	body text,
	http_status integer,
	error text,
	answered_at timestamptz,
	PRIMARY KEY (project_id, request_id)
);
CREATE UNIQUE INDEX ct_export_request_pending_idx ON ctaudience.ct_export_request (project_id) WHERE state = 'pending';
-- What an erasure, a merge and ct_export_status read: the requests not
-- accepted (pending, dead), few beside the accepted ones kept for a while
-- (ct_purge_events deletes those).
CREATE INDEX ct_export_request_open_idx ON ctaudience.ct_export_request (project_id) WHERE state <> 'accepted';
-- A request's body (up to 256 KB) and what it covers are compressed with
-- lz4, not pglz: they are written once per request (and into the WAL, which
-- the claim's commit waits for) and dropped when mParticle accepts it;
-- pglz was the largest single cost of building a request, and stored as
-- they are they made about 300 KB of WAL a request.  Where the server has
-- no lz4 they are stored as they are (EXTERNAL: pglz costs more than it
-- saves here).
DO $$
BEGIN
	ALTER TABLE ctaudience.ct_export_request
		ALTER COLUMN body SET COMPRESSION lz4,
		ALTER COLUMN ct_ids SET COMPRESSION lz4,
		ALTER COLUMN event_ids SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
	ALTER TABLE ctaudience.ct_export_request
		ALTER COLUMN body SET STORAGE EXTERNAL,
		ALTER COLUMN ct_ids SET STORAGE EXTERNAL,
		ALTER COLUMN event_ids SET STORAGE EXTERNAL;
END
$$;
COMMENT ON TABLE ctaudience.ct_export_request IS 'requests to mParticle''s Events API: pending (sent again as it is until answered), accepted, or dead (mParticle answered 400; kept with its body, no secret, and the error)';
COMMENT ON COLUMN ctaudience.ct_export_request.source_request_id IS 'derived from the request''s events: the same events give the same id, which mParticle de-duplicates';
COMMENT ON COLUMN ctaudience.ct_export_request.lease_until IS 'a pending request handed to an exporter is not handed to another before this time';
COMMENT ON COLUMN ctaudience.ct_export_request.ct_ids IS 'with event_ids: the outbox rows the request covers (until it is answered; a dead letter keeps ct_ids, for erasure)';

SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_export', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_export_outbox', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_export_request', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_export_request', 'request_id'), '');
REVOKE ALL ON ctaudience.ct_export, ctaudience.ct_export_outbox, ctaudience.ct_export_request FROM PUBLIC;
