-- ctaudience 0.1.0 -> 0.2.0
-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION ctaudience UPDATE TO '0.2.0'" to load this file. \quit

-- Projects: re-registering changes only the settings given; ct_update_project
-- changes settings alone; a passcode that has expired already is refused; an
-- unknown project is one error (28000) in every function.
-- The checks of a project's settings, shared by ct_register_project and
-- ct_update_project; each returns the value as stored.
CREATE FUNCTION ctaudience.ct_check_region(region text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	region := lower(btrim(region));
	IF region NOT IN ('eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1') THEN
		RAISE EXCEPTION 'unknown region "%"', region
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of eu1, in1, sg1, us1, aps3, mec1, sk1.';
	END IF;
	RETURN region;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_check_region(text) IS
	'a CleverTap region as stored (lower case), or 22023';

CREATE FUNCTION ctaudience.ct_check_country(default_country text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	default_country := upper(btrim(default_country));
	IF NOT ctaudience.ct_phone_region_supported(default_country) THEN
		RAISE EXCEPTION 'unknown default country "%"', default_country
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use an ISO 3166-1 alpha-2 code such as US, GB or IN.';
	END IF;
	RETURN default_country;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_check_country(text) IS
	'an ISO 3166 country libphonenumber knows, as stored (upper case), or 22023';

CREATE FUNCTION ctaudience.ct_check_passcode(passcode text, expires_at timestamptz) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF passcode IS NULL THEN
		RAISE EXCEPTION 'passcode must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF length(passcode) < 8 OR length(passcode) > 1024 THEN
		RAISE EXCEPTION 'passcode must be between 8 and 1024 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF expires_at IS NOT NULL AND expires_at <= now() THEN
		RAISE EXCEPTION 'the passcode would expire at %, which is not in the future', expires_at
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a time in the future, or NULL for a passcode that never expires (Forever).';
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_check_passcode(text, timestamptz) IS
	'22004 or 22023 unless the passcode is 8 to 1024 characters and its expiry (if any) is in the future';

-- The one error for a project id that names no project, in every function.
CREATE FUNCTION ctaudience.ct_unknown_project(project_id text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'unknown CleverTap project "%"', left(project_id, 64)
		USING ERRCODE = 'invalid_authorization_specification',
			  HINT = 'Register the project with ctaudience.ct_register_project().';
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_unknown_project(text) IS
	'raise the error of an unknown project (28000), as every function of the extension does';

CREATE OR REPLACE FUNCTION ctaudience.ct_register_project(
	project_id text,
	passcode text,
	account_token text,
	region text DEFAULT NULL,
	name text DEFAULT NULL,
	passcode_expires_at timestamptz DEFAULT NULL,
	default_country text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF account_token IS NULL THEN
		RAISE EXCEPTION 'account_token must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_passcode(passcode, passcode_expires_at);
	IF project_id !~ '^[A-Za-z0-9_-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid project id "%"', left(project_id, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A project id is 1 to 64 letters, digits, "-" or "_".';
	END IF;
	region := ctaudience.ct_check_region(region);
	default_country := ctaudience.ct_check_country(default_country);
	-- a new project takes the defaults; an existing one changes only what is given
	INSERT INTO ctaudience.ct_project AS p
		(project_id, name, region, account_token, passcode_hash, passcode_expires_at, default_country)
	VALUES (ct_register_project.project_id, coalesce(ct_register_project.name, ''), coalesce(region, 'eu1'),
			ct_register_project.account_token, ctaudience.ct_passcode_hash(passcode),
			ct_register_project.passcode_expires_at, default_country)
	ON CONFLICT ON CONSTRAINT ct_project_pkey DO UPDATE
		SET name = coalesce(ct_register_project.name, p.name),
			region = coalesce(ct_register_project.region, p.region),
			account_token = EXCLUDED.account_token,
			passcode_hash = EXCLUDED.passcode_hash,
			passcode_expires_at = coalesce(ct_register_project.passcode_expires_at, p.passcode_expires_at),
			default_country = coalesce(ct_register_project.default_country, p.default_country),
			updated_at = EXCLUDED.updated_at;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_register_project(text, text, text, text, text, timestamptz, text) IS
	'create a project, or set the passcode and account token of an existing one and change only the other settings given (non-NULL); the passcode (8 to 1024 characters) is stored as a salted hash only';

CREATE FUNCTION ctaudience.ct_update_project(
	project_id text,
	name text DEFAULT NULL,
	region text DEFAULT NULL,
	account_token text DEFAULT NULL,
	default_country text DEFAULT NULL,
	passcode_expires_at timestamptz DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF account_token IS NOT NULL AND (length(account_token) < 1 OR length(account_token) > 256) THEN
		RAISE EXCEPTION 'account_token must be between 1 and 256 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF passcode_expires_at IS NOT NULL AND passcode_expires_at <> 'infinity' AND passcode_expires_at <= now() THEN
		RAISE EXCEPTION 'the passcode would expire at %, which is not in the future', passcode_expires_at
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a time in the future, or ''infinity'' for a passcode that never expires (Forever).';
	END IF;
	region := ctaudience.ct_check_region(region);
	IF default_country <> '' THEN
		default_country := ctaudience.ct_check_country(default_country);
	END IF;
	UPDATE ctaudience.ct_project AS p
	   SET name = coalesce(ct_update_project.name, p.name),
		   region = coalesce(ct_update_project.region, p.region),
		   account_token = coalesce(ct_update_project.account_token, p.account_token),
		   default_country = CASE WHEN ct_update_project.default_country IS NULL THEN p.default_country
								  ELSE nullif(ct_update_project.default_country, '') END,
		   passcode_expires_at = CASE WHEN ct_update_project.passcode_expires_at IS NULL THEN p.passcode_expires_at
									  ELSE nullif(ct_update_project.passcode_expires_at, 'infinity') END,
		   updated_at = now()
	 WHERE p.project_id = ct_update_project.project_id;
	IF NOT FOUND THEN
		PERFORM ctaudience.ct_unknown_project(project_id);
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_update_project(text, text, text, text, text, timestamptz) IS
	'change the settings given (non-NULL) of a project; default_country => '''' reads only +E.164 numbers, passcode_expires_at => ''infinity'' makes the passcode last Forever';

CREATE OR REPLACE FUNCTION ctaudience.ct_rotate_passcode(
	project_id text,
	new_passcode text,
	expires_at timestamptz DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_passcode(new_passcode, expires_at);
	UPDATE ctaudience.ct_project AS p
	   SET passcode_hash = ctaudience.ct_passcode_hash(new_passcode),
		   passcode_expires_at = expires_at,
		   updated_at = now()
	 WHERE p.project_id = ct_rotate_passcode.project_id;
	IF NOT FOUND THEN
		PERFORM ctaudience.ct_unknown_project(project_id);
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_rotate_passcode(text, text, timestamptz) IS
	'replace a project''s passcode (8 to 1024 characters, stored as a salted hash); NULL expires_at means Forever';

REVOKE ALL ON FUNCTION ctaudience.ct_check_region(text), ctaudience.ct_check_country(text),
	ctaudience.ct_check_passcode(text, timestamptz), ctaudience.ct_unknown_project(text),
	ctaudience.ct_update_project(text, text, text, text, text, timestamptz) FROM PUBLIC;

-- User attributes: the newest message wins, key by key, as for memberships,
-- emails and phones.  The time of each key's newest upsert or delete.
ALTER TABLE ctaudience.ct_profile ADD COLUMN properties_ts jsonb NOT NULL DEFAULT '{}';
COMMENT ON COLUMN ctaudience.ct_profile.properties_ts IS 'per user attribute key: the time (ms since 1970) of the newest message that upserted or deleted it; an older operation on the key is stale';

-- A NULL where a value is required is an error naming the argument (22004),
-- not a NULL answer; the trend of an unknown segment and a day count out of
-- 1..3660 are errors.
ALTER FUNCTION ctaudience.ct_import_audience(jsonb) CALLED ON NULL INPUT;
ALTER FUNCTION ctaudience.ct_import_audience(text) CALLED ON NULL INPUT;
ALTER FUNCTION ctaudience.ct_firehose(jsonb) CALLED ON NULL INPUT;
ALTER FUNCTION ctaudience.ct_firehose(text) CALLED ON NULL INPUT;
ALTER FUNCTION ctaudience.ct_enqueue(jsonb) CALLED ON NULL INPUT;
ALTER FUNCTION ctaudience.ct_process_inbox(integer) CALLED ON NULL INPUT;
ALTER FUNCTION ctaudience.ct_preview_import(jsonb) CALLED ON NULL INPUT;
CREATE OR REPLACE FUNCTION ctaudience.ct_requeue(inbox_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF inbox_id IS NULL THEN
		RAISE EXCEPTION 'inbox_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE ctaudience.ct_inbox AS i
	   SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
	 WHERE i.inbox_id = ct_requeue.inbox_id AND i.status = 'dead';
	RETURN FOUND;
END
$$;
CREATE OR REPLACE FUNCTION ctaudience.ct_segment_trend(segment_id bigint, days int DEFAULT 30, ending date DEFAULT current_date)
RETURNS TABLE (day date, members bigint, added bigint, removed bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	IF segment_id IS NULL OR days IS NULL OR ending IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN segment_id IS NULL THEN 'segment_id' WHEN days IS NULL THEN 'days' ELSE 'ending' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF days < 1 OR days > 3660 THEN
		RAISE EXCEPTION 'days must be between 1 and 3660, not %', days
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT s.project_id INTO project FROM ctaudience.ct_segment s WHERE s.segment_id = ct_segment_trend.segment_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'segment % does not exist', segment_id
			USING ERRCODE = 'undefined_object',
				  HINT = 'The segments and their ids are in ctaudience.ct_segments.';
	END IF;
	RETURN QUERY
	WITH d AS (
		SELECT (x.bucket AT TIME ZONE 'UTC')::date AS day, sum(x.members) AS members,
			   sum(x.added) AS added, sum(x.removed) AS removed
		  FROM ctaudience.ct_segment_delta x
		 WHERE x.project_id = project AND x.segment_id = ct_segment_trend.segment_id
		 GROUP BY 1)
	SELECT g.day::date,
		   (SELECT coalesce(sum(d.members), 0) FROM d WHERE d.day <= g.day)::bigint,
		   coalesce((SELECT d.added FROM d WHERE d.day = g.day), 0)::bigint,
		   coalesce((SELECT d.removed FROM d WHERE d.day = g.day), 0)::bigint
	  FROM generate_series(ending - days + 1, ending, interval '1 day') AS g(day)
	 ORDER BY 1;
END;
$$;

-- The inbox: ct_run_inbox (a procedure) counts each attempt in a committed
-- step of its own before answering, so a message whose session is
-- cancelled or killed is still counted and dead-lettered; pg_cron runs it.
-- The inbox run as steps of their own, each committed: ct_run_inbox claims
-- a message (its attempt counted and committed), answers it, commits, and
-- goes on; whatever ends the session meanwhile, the attempt stays counted.
CREATE FUNCTION ctaudience.ct_inbox_claim() RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_inbox_claim'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_inbox_claim() IS
	'ct_run_inbox''s first step: take the oldest due inbox message, count its attempt and lease it; its id, or NULL when none is due';

CREATE FUNCTION ctaudience.ct_inbox_answer(inbox_id bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_inbox_answer'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_inbox_answer(bigint) IS
	'ct_run_inbox''s second step: answer a claimed inbox message and record the outcome (done, retried or dead)';

CREATE PROCEDURE ctaudience.ct_run_inbox(max_messages integer DEFAULT 100,
	INOUT done integer DEFAULT NULL, INOUT retried integer DEFAULT NULL, INOUT dead integer DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	claimed bigint;
	outcome text;
BEGIN
	IF max_messages IS NULL OR max_messages < 1 THEN
		RAISE EXCEPTION 'max_messages must be at least 1' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	done := 0;
	retried := 0;
	dead := 0;
	FOR i IN 1 .. max_messages LOOP
		claimed := ctaudience.ct_inbox_claim();
		COMMIT;
		EXIT WHEN claimed IS NULL;
		outcome := ctaudience.ct_inbox_answer(claimed);
		COMMIT;
		IF outcome = 'done' THEN
			done := done + 1;
		ELSIF outcome = 'retried' THEN
			retried := retried + 1;
		ELSIF outcome = 'dead' THEN
			dead := dead + 1;
		END IF;
	END LOOP;
END;
$$;
COMMENT ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) IS
	'answer up to max_messages due inbox messages, each claimed (attempt counted) and answered in transactions of its own: CALL it outside a transaction block, e.g. from pg_cron';

CREATE OR REPLACE FUNCTION ctaudience.ct_schedule_inbox(schedule text DEFAULT '* * * * *',
	max_messages integer DEFAULT 100, job_name text DEFAULT 'ctaudience_inbox') RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	job bigint;
BEGIN
	IF schedule IS NULL OR max_messages IS NULL OR job_name IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN schedule IS NULL THEN 'schedule' WHEN max_messages IS NULL THEN 'max_messages' ELSE 'job_name' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
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
			  format('CALL ctaudience.ct_run_inbox(%s)', max_messages),
			  current_database();
	RETURN job;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_schedule_inbox(text, integer, text) IS
	'schedule CALL ct_run_inbox(max_messages) with pg_cron in this database (a cron schedule, e.g. ''* * * * *''); the same job_name replaces the job; returns the job id';

REVOKE ALL ON FUNCTION ctaudience.ct_inbox_claim(), ctaudience.ct_inbox_answer(bigint) FROM PUBLIC;
REVOKE ALL ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_inbox_claim(), ctaudience.ct_inbox_answer(bigint) TO ctaudience_importer;
GRANT EXECUTE ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) TO ctaudience_importer;
-- requeueing dead letters and scheduling are an operator's (pg_cron refuses
-- the importer anyway), not the importer's
REVOKE EXECUTE ON FUNCTION ctaudience.ct_requeue(bigint), ctaudience.ct_schedule_inbox(text, integer, text)
	FROM ctaudience_importer;

-- Erasure: profiles found by email and mParticle ID through indexes (no
-- scan), import log samples by mpid likewise; queued messages lose the
-- profiles that name the subject; answered messages go after
-- ctaudience.inbox_retention.  (On a large ct_profile the two indexes take
-- a while to build, and imports wait for them.)
CREATE INDEX ct_profile_email_idx ON ctaudience.ct_profile USING hash (email);
CREATE INDEX ct_profile_mpid_idx ON ctaudience.ct_profile USING hash (mparticle_id);
CREATE INDEX ct_import_sample_mpid_idx ON ctaudience.ct_import_sample (project_id, mpid) WHERE mpid IS NOT NULL;
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
-- Whether a user profile of a queued message names the subject of an
-- erasure: by mpid, by the value of any raw user identity (a Customer ID or
-- another User ID), by email (normalized) or by Partner ID.
CREATE FUNCTION ctaudience.ct_names_subject(profile jsonb, emails ctaudience.ct_email[],
	identities text[], mpids text[], ct_ids text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT profile ->> 'mpid' = ANY (mpids)
		OR EXISTS (SELECT 1
					 FROM jsonb_array_elements(CASE jsonb_typeof(profile -> 'user_identities')
											   WHEN 'array' THEN profile -> 'user_identities' ELSE '[]' END) AS u(i)
					WHERE u.i ->> 'value' = ANY (identities) OR u.i ->> 'value' = ANY (mpids)
					   OR (u.i ->> 'type' = 'email'
						   AND ctaudience.ct_normalize_email(u.i ->> 'value') OPERATOR(ctaudience.=) ANY (emails)))
		OR EXISTS (SELECT 1
					 FROM jsonb_array_elements(CASE jsonb_typeof(profile -> 'partner_identities')
											   WHEN 'array' THEN profile -> 'partner_identities' ELSE '[]' END) AS u(i)
					WHERE u.i ->> 'value' = ANY (ct_ids))
$$;
COMMENT ON FUNCTION ctaudience.ct_names_subject(jsonb, ctaudience.ct_email[], text[], text[], text[]) IS
	'whether a user profile of a Firehose message names a data subject (mpid, a raw user identity, email or Partner ID); erasure takes such profiles out of the inbox';

REVOKE ALL ON FUNCTION ctaudience.ct_names_subject(jsonb, ctaudience.ct_email[], text[], text[], text[]) FROM PUBLIC;

-- ct_resolve_identity tells whether a profile exists: it needs the
-- project's passcode now, unless the caller is a member of ctaudience_reader.
DROP FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text);
CREATE FUNCTION ctaudience.ct_resolve_identity(
	project_id text,
	partner_id text DEFAULT NULL,
	customer_id text DEFAULT NULL,
	mparticle_id text DEFAULT NULL,
	email text DEFAULT NULL,
	phone text DEFAULT NULL,
	passcode text DEFAULT NULL,
	OUT rule text,
	OUT key text,
	OUT ct_id text,
	OUT email ctaudience.ct_email,
	OUT phone ctaudience.ct_phone)
	AS 'MODULE_PATHNAME', 'ct_resolve_identity'
	LANGUAGE C STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) IS
	'apply the import''s identity rules to one user without writing: rule, key, existing ct_id, normalized email and phone; needs the project''s passcode unless the caller is a member of ctaudience_reader';

REVOKE ALL ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) TO ctaudience_importer;
GRANT EXECUTE ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) TO ctaudience_reader;

-- For the receiver (ctaudience-receiver): the text variant of ct_enqueue,
-- the queue mode's answer, and the inbox's depth for its metrics.
CREATE FUNCTION ctaudience.ct_enqueue(request text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_enqueue_text'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_enqueue(text) IS
	'queue a Firehose message given as JSON text (the body as posted), as ct_enqueue(jsonb) does';

CREATE FUNCTION ctaudience.ct_firehose_enqueue(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_enqueue'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_firehose_enqueue(text) IS
	'what a receiver in queue mode answers: a membership or erasure message is queued and answered at once (its response, with the inbox_id); a registration or subscription is answered as by ct_firehose';

CREATE FUNCTION ctaudience.ct_inbox_depth(OUT pending bigint, OUT dead bigint)
	AS 'MODULE_PATHNAME', 'ct_inbox_depth'
	LANGUAGE C STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_inbox_depth() IS
	'how many inbox messages are pending and dead-lettered (a receiver''s metrics)';

REVOKE ALL ON FUNCTION ctaudience.ct_enqueue(text), ctaudience.ct_firehose_enqueue(text),
	ctaudience.ct_inbox_depth() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_enqueue(text), ctaudience.ct_firehose_enqueue(text),
	ctaudience.ct_inbox_depth() TO ctaudience_importer;

-- ct_process_inbox answers queued messages itself (no longer through
-- ct_firehose in SQL): it plans as ct_firehose does
ALTER FUNCTION ctaudience.ct_process_inbox(integer)
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;

-- Engage (campaigns): the whole of sql/install/50_engage.sql
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

CREATE FUNCTION ctaudience.ct_is_system_event(name text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_is_system_event'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_is_system_event(text) IS
	'whether an event name is one CleverTap raises itself (Partner Sync, Notification Sent, ...): ct_record_event refuses it, and only Partner Sync can trigger a campaign';

-- Channels a Partner Sync can trigger: it is not an SDK event, so the
-- channels shown inside an app or a web page while the user is there
-- cannot use it.
CREATE FUNCTION ctaudience.ct_campaign_check() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	all_channels CONSTANT text[] := ARRAY['push', 'email', 'sms', 'whatsapp', 'webhook', 'web_push',
		'in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	sdk_only CONSTANT text[] := ARRAY['in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	foreign_segment bigint;
BEGIN
	IF NEW.channel IS NULL OR NOT NEW.channel = ANY (all_channels) THEN
		RAISE EXCEPTION 'unknown campaign channel "%"', NEW.channel
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of ' || array_to_string(all_channels, ', ') || '.';
	END IF;
	IF NEW.kind IS NULL OR NEW.kind NOT IN ('past_behavior', 'live_behavior') THEN
		RAISE EXCEPTION 'unknown campaign kind "%"', NEW.kind
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use past_behavior or live_behavior.';
	END IF;
	IF NEW.kind = 'live_behavior' AND (NEW.trigger_event IS NULL OR NEW.trigger_event = '') THEN
		RAISE EXCEPTION 'a live_behavior campaign needs a trigger event'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the event that qualifies a profile, e.g. Partner Sync or App Launched.';
	END IF;
	IF NEW.kind = 'past_behavior' AND NEW.trigger_event IS NOT NULL THEN
		RAISE EXCEPTION 'a past_behavior campaign has no trigger event'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Make it a live_behavior campaign to trigger on "%s".', NEW.trigger_event);
	END IF;
	IF NEW.kind = 'past_behavior' AND cardinality(NEW.segment_ids) = 0 THEN
		RAISE EXCEPTION 'a past_behavior campaign needs at least one segment'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the segments whose members it sends to in segment_ids.';
	END IF;
	IF NEW.trigger_event <> 'Partner Sync' AND ctaudience.ct_is_system_event(NEW.trigger_event) THEN
		RAISE EXCEPTION 'the system event "%" cannot trigger a campaign', NEW.trigger_event
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Of the events CleverTap raises itself, only Partner Sync reaches a campaign here; other triggers are app events recorded with ct_record_event.';
	END IF;
	IF NEW.trigger_event = 'Partner Sync' AND NEW.channel = ANY (sdk_only) THEN
		RAISE EXCEPTION 'the Partner Sync event cannot trigger % campaigns', NEW.channel
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Partner Sync is raised by an import, not by the SDK in an app or a web page, so '
						   || array_to_string(sdk_only, ', ') || ' cannot show it.',
				  HINT = 'Channels that can use Partner Sync: '
						 || array_to_string(ARRAY(SELECT c FROM unnest(all_channels) c
												   WHERE NOT c = ANY (sdk_only)), ', ') || '.';
	END IF;
	IF jsonb_typeof(NEW.trigger_filter) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'trigger_filter must be a JSON object of event properties, not %',
			coalesce(jsonb_typeof(NEW.trigger_filter), 'null')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Action": "Added"}.';
	END IF;
	IF array_position(NEW.segment_ids, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'segment_ids must not contain NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- A segment of another project is refused here, on every write.  (A
	-- segment that does not exist yet is refused by the functions only: a
	-- restore may load the campaigns before the segments.)  Not on a shard
	-- of a Citus cluster (ct_campaign_102008), which cannot read the other
	-- shards: there the functions' check of the project's own segments is
	-- all, and segment ids are unique across its nodes (ct_distribute()).
	IF TG_TABLE_NAME = 'ct_campaign' THEN
		SELECT s.id INTO foreign_segment
		  FROM unnest(NEW.segment_ids) s(id)
		 WHERE EXISTS (SELECT 1 FROM ctaudience.ct_segment g
						WHERE g.segment_id = s.id AND g.project_id <> NEW.project_id)
		 LIMIT 1;
	END IF;
	IF foreign_segment IS NOT NULL THEN
		RAISE EXCEPTION 'segment % is not a segment of project "%"', foreign_segment, NEW.project_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use the segment_id of one of the project''s segments (ctaudience.ct_segments).';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		IF NEW.project_id IS DISTINCT FROM OLD.project_id THEN
			RAISE EXCEPTION 'a campaign cannot move to another project' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		NEW.updated_at := now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_check() IS
	'trigger: refuses a campaign whose channel, kind, trigger, filter or segments break the rules (22023)';
CREATE TRIGGER ct_campaign_check BEFORE INSERT OR UPDATE ON ctaudience.ct_campaign
	FOR EACH ROW EXECUTE FUNCTION ctaudience.ct_campaign_check();

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

-- The campaigns, for readers and senders (who read views, not tables).
CREATE VIEW ctaudience.ct_campaigns AS
SELECT c.project_id, c.campaign_id, c.name, c.channel, c.kind, c.trigger_event, c.trigger_filter,
	   c.segment_ids, c.recurring, c.status, c.created_at, c.updated_at,
	   coalesce(q.queued, 0) AS queued
  FROM ctaudience.ct_campaign c
  LEFT JOIN (SELECT q.project_id, q.campaign_id, count(*) AS queued
			   FROM ctaudience.ct_campaign_queue q
			  WHERE q.taken_at IS NULL
			  GROUP BY q.project_id, q.campaign_id) q ON q.project_id = c.project_id AND q.campaign_id = c.campaign_id;
COMMENT ON VIEW ctaudience.ct_campaigns IS 'the campaigns, with how many qualified profiles wait in the queue';
COMMENT ON COLUMN ctaudience.ct_campaigns.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_campaigns.campaign_id IS 'the campaign''s id';
COMMENT ON COLUMN ctaudience.ct_campaigns.name IS 'the campaign name';
COMMENT ON COLUMN ctaudience.ct_campaigns.channel IS 'the messaging channel';
COMMENT ON COLUMN ctaudience.ct_campaigns.kind IS 'past_behavior or live_behavior';
COMMENT ON COLUMN ctaudience.ct_campaigns.trigger_event IS 'live: the event that qualifies a profile';
COMMENT ON COLUMN ctaudience.ct_campaigns.trigger_filter IS 'live: properties the event must contain';
COMMENT ON COLUMN ctaudience.ct_campaigns.segment_ids IS 'the segments it targets';
COMMENT ON COLUMN ctaudience.ct_campaigns.recurring IS 'live: queue on every occurrence (else once per profile)';
COMMENT ON COLUMN ctaudience.ct_campaigns.status IS 'running or stopped';
COMMENT ON COLUMN ctaudience.ct_campaigns.created_at IS 'when it was created';
COMMENT ON COLUMN ctaudience.ct_campaigns.updated_at IS 'when it last changed';
COMMENT ON COLUMN ctaudience.ct_campaigns.queued IS 'qualified profiles not yet taken by a sender';

SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_campaign', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_campaign_queue', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_campaign', 'campaign_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_campaign_queue', 'queue_id'), '');

-- The functions refuse a segment the project does not have (the trigger
-- refuses only another project's, so that a restore can load campaigns
-- before segments).
CREATE FUNCTION ctaudience.ct_campaign_segments_exist(project_id text, segment_ids bigint[]) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	missing bigint;
BEGIN
	SELECT s.id INTO missing
	  FROM unnest(segment_ids) s(id)
	 WHERE NOT EXISTS (SELECT 1 FROM ctaudience.ct_segment g
						WHERE g.project_id = ct_campaign_segments_exist.project_id AND g.segment_id = s.id)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'segment % is not a segment of project "%"', missing, project_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use the segment_id of one of the project''s segments (ctaudience.ct_segments).';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_segments_exist(text, bigint[]) IS
	'raise 22023 unless every segment id is one of the project''s segments (used by ct_create_campaign and ct_update_campaign)';

CREATE FUNCTION ctaudience.ct_create_campaign(project_id text, name text, channel text, kind text,
											  trigger_event text DEFAULT NULL,
											  trigger_filter jsonb DEFAULT '{}',
											  segment_ids bigint[] DEFAULT '{}',
											  recurring boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id bigint;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_create_campaign.project_id) THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', ct_create_campaign.project_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM ctaudience.ct_campaign_segments_exist(ct_create_campaign.project_id, ct_create_campaign.segment_ids);
	INSERT INTO ctaudience.ct_campaign (project_id, name, channel, kind, trigger_event, trigger_filter,
										segment_ids, recurring)
	VALUES (ct_create_campaign.project_id, ct_create_campaign.name, ct_create_campaign.channel,
			ct_create_campaign.kind, ct_create_campaign.trigger_event,
			coalesce(ct_create_campaign.trigger_filter, '{}'), coalesce(ct_create_campaign.segment_ids, '{}'),
			coalesce(ct_create_campaign.recurring, false))
	RETURNING campaign_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean) IS
	'create a running campaign; returns its campaign_id (22023 for an unknown channel or kind, a live campaign without trigger event, Partner Sync on an in-app channel, a segment of another project)';

CREATE FUNCTION ctaudience.ct_update_campaign(campaign_id bigint, name text DEFAULT NULL,
											  channel text DEFAULT NULL, kind text DEFAULT NULL,
											  trigger_event text DEFAULT NULL,
											  trigger_filter jsonb DEFAULT NULL,
											  segment_ids bigint[] DEFAULT NULL,
											  recurring boolean DEFAULT NULL,
											  status text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	SELECT x.project_id INTO project FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_update_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_update_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	IF ct_update_campaign.segment_ids IS NOT NULL THEN
		PERFORM ctaudience.ct_campaign_segments_exist(project, ct_update_campaign.segment_ids);
	END IF;
	UPDATE ctaudience.ct_campaign c
	   SET name = coalesce(ct_update_campaign.name, c.name),
		   channel = coalesce(ct_update_campaign.channel, c.channel),
		   kind = coalesce(ct_update_campaign.kind, c.kind),
		   trigger_event = CASE WHEN coalesce(ct_update_campaign.kind, c.kind) = 'past_behavior' THEN NULL
								ELSE coalesce(ct_update_campaign.trigger_event, c.trigger_event) END,
		   trigger_filter = coalesce(ct_update_campaign.trigger_filter, c.trigger_filter),
		   segment_ids = coalesce(ct_update_campaign.segment_ids, c.segment_ids),
		   recurring = coalesce(ct_update_campaign.recurring, c.recurring),
		   status = coalesce(ct_update_campaign.status, c.status)
	 WHERE c.campaign_id = ct_update_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_update_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text) IS
	'change the given fields of a campaign (NULL keeps a field), with the checks of ct_create_campaign; status running restarts a stopped one';

CREATE FUNCTION ctaudience.ct_stop_campaign(campaign_id bigint) RETURNS void
	LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	BEGIN ATOMIC
		SELECT ctaudience.ct_update_campaign(ct_stop_campaign.campaign_id, status => 'stopped');
	END;
COMMENT ON FUNCTION ctaudience.ct_stop_campaign(bigint) IS
	'stop a campaign: it qualifies no one from now on; rows already queued can still be taken';

CREATE FUNCTION ctaudience.ct_record_event(project_id text, ct_id text, event_name text,
										   props jsonb DEFAULT '{}', ts timestamptz DEFAULT now())
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_record_event'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_record_event(text, text, text, jsonb, timestamptz) IS
	'record an app event of a profile (e.g. App Launched) and qualify it for live campaigns; returns its event_id; system events such as Partner Sync are refused (22023); counts in ct_usage';

-- The members of a campaign's segments now, with whether each can be
-- reached on its channel: an email address for email, a phone number for
-- sms and whatsapp; the other channels reach the app or browser of a
-- known profile.
CREATE FUNCTION ctaudience.ct_campaign_audience(campaign_id bigint, after_ct_id text DEFAULT NULL,
												page_size integer DEFAULT NULL)
	RETURNS TABLE (ct_id text, identity text, email text, phone text, reachable boolean)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c ctaudience.ct_campaign;
BEGIN
	SELECT * INTO c FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_campaign_audience.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_campaign_audience.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	RETURN QUERY
	SELECT p.ct_id::text, p.identity, p.email::text, p.phone::text,
		   CASE c.channel WHEN 'email' THEN p.email IS NOT NULL
						  WHEN 'sms' THEN p.phone IS NOT NULL
						  WHEN 'whatsapp' THEN p.phone IS NOT NULL
						  ELSE true END
	  FROM ctaudience.ct_profile p
	 WHERE p.project_id = c.project_id
	   AND (ct_campaign_audience.after_ct_id IS NULL OR p.ct_id > ct_campaign_audience.after_ct_id COLLATE "C")
	   AND EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
				    WHERE m.project_id = c.project_id AND m.ct_id = p.ct_id
					  AND m.segment_id = ANY (c.segment_ids) AND m.is_member)
	 ORDER BY p.ct_id
	 LIMIT ct_campaign_audience.page_size;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_audience(bigint, text, integer) IS
	'the profiles in a campaign''s segments now, ordered by ct_id, and whether each is reachable on its channel (email needs an email, sms and whatsapp a phone); page with after_ct_id (the last ct_id of the previous page) and page_size';

-- Hand up to n queued rows of a campaign to a sender, oldest first, and
-- mark them taken.  Rows another session is taking are skipped, so
-- concurrent senders never get the same row.
CREATE FUNCTION ctaudience.ct_campaign_take(campaign_id bigint, n integer DEFAULT 100)
	RETURNS TABLE (queue_id bigint, project_id text, ct_id text, event_name text,
				   event_ts timestamptz, event_props jsonb, qualified_at timestamptz)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	-- by the campaign's project, so that a Citus cluster routes it to one shard
	SELECT c.project_id INTO project FROM ctaudience.ct_campaign c WHERE c.campaign_id = ct_campaign_take.campaign_id;
	RETURN QUERY
	WITH picked AS (
		SELECT q.project_id, q.queue_id
		  FROM ctaudience.ct_campaign_queue q
		 WHERE q.project_id = project AND q.campaign_id = ct_campaign_take.campaign_id AND q.taken_at IS NULL
		 ORDER BY q.queue_id
		 LIMIT greatest(ct_campaign_take.n, 0)
		   FOR UPDATE SKIP LOCKED)
	UPDATE ctaudience.ct_campaign_queue q
	   SET taken_at = now()
	  FROM picked
	 WHERE q.project_id = project AND q.project_id = picked.project_id AND q.queue_id = picked.queue_id
	RETURNING q.queue_id, q.project_id::text, q.ct_id::text, q.event_name, q.event_ts, q.event_props, q.qualified_at;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_take(bigint, integer) IS
	'take up to n queued rows of a campaign (oldest first) and mark them taken; safe from several sessions at once (FOR UPDATE SKIP LOCKED)';

-- Engage: readers see campaigns and their audiences; senders take from
-- the queue.  ct_record_event checks no passcode (it writes to any project):
-- it stays with the owner, who grants it to the event pipeline's role.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_sender') THEN
		CREATE ROLE ctaudience_sender NOLOGIN;
	END IF;
END
$$;
REVOKE ALL ON ctaudience.ct_campaign, ctaudience.ct_campaign_queue, ctaudience.ct_campaigns FROM PUBLIC;
REVOKE ALL ON FUNCTION ctaudience.ct_campaign_check(), ctaudience.ct_is_system_event(text), ctaudience.ct_campaign_segments_exist(text, bigint[]), ctaudience.ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean),
	ctaudience.ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text),
	ctaudience.ct_stop_campaign(bigint), ctaudience.ct_record_event(text, text, text, jsonb, timestamptz),
	ctaudience.ct_campaign_audience(bigint, text, integer), ctaudience.ct_campaign_take(bigint, integer) FROM PUBLIC;
GRANT USAGE ON SCHEMA ctaudience TO ctaudience_sender;
GRANT SELECT ON ctaudience.ct_campaigns TO ctaudience_reader, ctaudience_sender;
GRANT EXECUTE ON FUNCTION ctaudience.ct_campaign_audience(bigint, text, integer) TO ctaudience_reader, ctaudience_sender;
GRANT EXECUTE ON FUNCTION ctaudience.ct_campaign_take(bigint, integer) TO ctaudience_sender;

-- Monthly active users kept apart from the events (ct_purge_events), filled
-- from the app events an installation already has.
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
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_active_user_month', '');
INSERT INTO ctaudience.ct_active_user_month (project_id, month, ct_id)
SELECT DISTINCT e.project_id, date_trunc('month', e.ts AT TIME ZONE 'UTC')::date, e.ct_id
  FROM ctaudience.ct_event e WHERE e.event_name <> 'Partner Sync';

-- Views for BI tools: email and phone as text, no ORDER BY, duration_ms,
-- monthly active users from ct_active_user_month; new: ct_segment_daily,
-- ct_inbox_status, ct_inbox_dead_letters; a comment on every column.
DROP VIEW ctaudience.ct_profile_activity, ctaudience.ct_find_people, ctaudience.ct_usage, ctaudience.ct_import_log;

-- A profile's activity: its events (Partner Sync among them); order by ts
-- DESC when reading (a view does not order).
CREATE VIEW ctaudience.ct_profile_activity AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   e.event_name,
	   e.ts,
	   e.props
  FROM ctaudience.ct_event e
  LEFT JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id;
COMMENT ON VIEW ctaudience.ct_profile_activity IS 'a profile''s events: filter by project_id and ct_id (or identity), order by ts DESC for newest first';

-- Find People: users who did Partner Sync, by segment and action, with the
-- segments they are in now.
CREATE VIEW ctaudience.ct_find_people AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   p.email::text AS email,
	   p.phone::text AS phone,
	   (e.props ->> 'Partner Segment ID')::bigint AS partner_segment_id,
	   e.props ->> 'Partner Segment Name' AS partner_segment_name,
	   e.props ->> 'Action' AS action,
	   count(DISTINCT e.event_id) AS times,
	   max(e.ts) AS last_ts,
	   ARRAY(SELECT x.name
			   FROM unnest(array_agg(DISTINCT ROW(s.name, s.segment_id)) FILTER (WHERE s.segment_id IS NOT NULL))
					AS x(name text, segment_id bigint)
			  ORDER BY x.name, x.segment_id) AS segments
  FROM ctaudience.ct_event e
  JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
  LEFT JOIN ctaudience.ct_segment_member m ON m.project_id = e.project_id AND m.ct_id = e.ct_id AND m.is_member
  LEFT JOIN ctaudience.ct_segment s ON s.project_id = m.project_id AND s.segment_id = m.segment_id
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
	   coalesce(a.users, 0) AS monthly_active_users
  FROM ctaudience.ct_usage_delta u
  LEFT JOIN (SELECT a.project_id, a.month, count(*) AS users
			   FROM ctaudience.ct_active_user_month a
			  GROUP BY a.project_id, a.month) a ON a.project_id = u.project_id AND a.month = u.month
 GROUP BY u.project_id, u.month, a.users;
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
	   round(extract(epoch FROM m.duration) * 1000, 3) AS duration_ms,
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

-- Segment size over time for BI tools: one row per segment and UTC day
-- from its first change to today, members at the end of the day and the
-- day's adds and removes, from the statistics delta rows only (no member
-- or event is read).  Filter by project_id and segment_id: the filter
-- reaches the delta index.
CREATE VIEW ctaudience.ct_segment_daily AS
SELECT x.project_id,
	   x.segment_id,
	   x.day,
	   sum(x.members) OVER (PARTITION BY x.project_id, x.segment_id ORDER BY x.day)::bigint AS members,
	   x.added,
	   x.removed
  FROM (SELECT s.project_id, s.segment_id, g.day::date AS day,
			   coalesce(d.members, 0) AS members, coalesce(d.added, 0)::bigint AS added,
			   coalesce(d.removed, 0)::bigint AS removed
		  FROM ctaudience.ct_segment s
		  JOIN (SELECT f.project_id, f.segment_id, min(f.bucket) AS first
				  FROM ctaudience.ct_segment_delta f
				 GROUP BY f.project_id, f.segment_id) f
			ON f.project_id = s.project_id AND f.segment_id = s.segment_id
		 CROSS JOIN LATERAL generate_series((f.first AT TIME ZONE 'UTC')::date,
											greatest((now() AT TIME ZONE 'UTC')::date, (f.first AT TIME ZONE 'UTC')::date),
											interval '1 day') AS g(day)
		  LEFT JOIN (SELECT y.project_id, y.segment_id, (y.bucket AT TIME ZONE 'UTC')::date AS day,
							sum(y.members) AS members, sum(y.added) AS added, sum(y.removed) AS removed
					   FROM ctaudience.ct_segment_delta y
					  GROUP BY y.project_id, y.segment_id, (y.bucket AT TIME ZONE 'UTC')::date) d
			ON d.project_id = s.project_id AND d.segment_id = s.segment_id AND d.day = g.day::date) x;
COMMENT ON VIEW ctaudience.ct_segment_daily IS 'segment size over time: per segment and UTC day since its first change, members at the end of the day, added and removed that day (from the statistics deltas)';

-- The inbox at a glance, without any message body: counts by project and
-- state, and every dead letter with its error.
CREATE VIEW ctaudience.ct_inbox_status AS
SELECT i.project_id,
	   i.status,
	   count(*) AS messages,
	   min(i.enqueued_at) AS oldest_enqueued_at,
	   min(i.next_attempt_at) FILTER (WHERE i.status = 'pending') AS next_attempt_at,
	   max(i.attempts) AS max_attempts
  FROM ctaudience.ct_inbox i
 GROUP BY i.project_id, i.status;
COMMENT ON VIEW ctaudience.ct_inbox_status IS 'the inbox per project and state (pending, done, dead): how many, the oldest, the next attempt; no message body';

CREATE VIEW ctaudience.ct_inbox_dead_letters AS
SELECT i.project_id,
	   i.inbox_id,
	   i.message_type,
	   i.message_id,
	   i.attempts,
	   i.enqueued_at,
	   i.processed_at,
	   i.last_sqlstate,
	   i.last_error
  FROM ctaudience.ct_inbox i
 WHERE i.status = 'dead';
COMMENT ON VIEW ctaudience.ct_inbox_dead_letters IS 'inbox messages that failed for good, with their SQLSTATE and error (no body); ctaudience.ct_requeue(inbox_id) queues one again';

GRANT SELECT ON ctaudience.ct_profile_activity, ctaudience.ct_find_people, ctaudience.ct_usage,
	ctaudience.ct_import_log, ctaudience.ct_segment_daily, ctaudience.ct_inbox_status,
	ctaudience.ct_inbox_dead_letters TO ctaudience_reader;

-- A description for every column of every view (\d+ and BI tools show them).
COMMENT ON COLUMN ctaudience.ct_segments.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_segments.segment_id IS 'the segment''s id (ct_segment)';
COMMENT ON COLUMN ctaudience.ct_segments.name IS 'the segment name: the mParticle audience name';
COMMENT ON COLUMN ctaudience.ct_segments.type IS 'Partner - mParticle';
COMMENT ON COLUMN ctaudience.ct_segments.partner_name IS 'mParticle';
COMMENT ON COLUMN ctaudience.ct_segments.partner_segment_id IS 'the mParticle audience id';
COMMENT ON COLUMN ctaudience.ct_segments.status IS 'active, or disconnected after a subscription remove';
COMMENT ON COLUMN ctaudience.ct_segments.members IS 'profiles in the segment now';
COMMENT ON COLUMN ctaudience.ct_segments.created_at IS 'when the first message named the audience';
COMMENT ON COLUMN ctaudience.ct_segments.updated_at IS 'when the segment last changed';
COMMENT ON COLUMN ctaudience.ct_segment_stats.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_segment_stats.segment_id IS 'the segment''s id';
COMMENT ON COLUMN ctaudience.ct_segment_stats.name IS 'the segment name';
COMMENT ON COLUMN ctaudience.ct_segment_stats.partner_segment_id IS 'the mParticle audience id';
COMMENT ON COLUMN ctaudience.ct_segment_stats.status IS 'active or disconnected';
COMMENT ON COLUMN ctaudience.ct_segment_stats.members IS 'profiles in the segment now';
COMMENT ON COLUMN ctaudience.ct_segment_stats.reachable_email IS 'members with an email address';
COMMENT ON COLUMN ctaudience.ct_segment_stats.reachable_phone IS 'members with a phone number';
COMMENT ON COLUMN ctaudience.ct_segment_stats.added_24h IS 'members added in the last 24 hours (message time)';
COMMENT ON COLUMN ctaudience.ct_segment_stats.removed_24h IS 'members removed in the last 24 hours';
COMMENT ON COLUMN ctaudience.ct_segment_stats.added_7d IS 'members added in the last 7 days';
COMMENT ON COLUMN ctaudience.ct_segment_stats.removed_7d IS 'members removed in the last 7 days';
COMMENT ON COLUMN ctaudience.ct_segment_stats.added_30d IS 'members added in the last 30 days';
COMMENT ON COLUMN ctaudience.ct_segment_stats.removed_30d IS 'members removed in the last 30 days';
COMMENT ON COLUMN ctaudience.ct_segment_stats.last_sync_at IS 'time of the newest message that stated a membership of the segment';
COMMENT ON COLUMN ctaudience.ct_profile_activity.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_profile_activity.ct_id IS 'the profile''s CleverTap ID';
COMMENT ON COLUMN ctaudience.ct_profile_activity.identity IS 'the profile''s Identity (Customer ID), if any';
COMMENT ON COLUMN ctaudience.ct_profile_activity.event_name IS 'Partner Sync, or a recorded app event';
COMMENT ON COLUMN ctaudience.ct_profile_activity.ts IS 'when it happened (for Partner Sync, the message time)';
COMMENT ON COLUMN ctaudience.ct_profile_activity.props IS 'the event properties';
COMMENT ON COLUMN ctaudience.ct_find_people.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_find_people.ct_id IS 'the profile''s CleverTap ID';
COMMENT ON COLUMN ctaudience.ct_find_people.identity IS 'the profile''s Identity (Customer ID), if any';
COMMENT ON COLUMN ctaudience.ct_find_people.email IS 'the profile''s email, as text';
COMMENT ON COLUMN ctaudience.ct_find_people.phone IS 'the profile''s phone in E.164, as text';
COMMENT ON COLUMN ctaudience.ct_find_people.partner_segment_id IS 'the mParticle audience of the Partner Sync events';
COMMENT ON COLUMN ctaudience.ct_find_people.partner_segment_name IS 'the audience name the events carry';
COMMENT ON COLUMN ctaudience.ct_find_people.action IS 'Added or Removed';
COMMENT ON COLUMN ctaudience.ct_find_people.times IS 'how many such events the profile has';
COMMENT ON COLUMN ctaudience.ct_find_people.last_ts IS 'the newest of them';
COMMENT ON COLUMN ctaudience.ct_find_people.segments IS 'names of the segments the profile is in now';
COMMENT ON COLUMN ctaudience.ct_usage.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_usage.month IS 'the UTC month (its first day)';
COMMENT ON COLUMN ctaudience.ct_usage.events IS 'events: Partner Sync and recorded app events';
COMMENT ON COLUMN ctaudience.ct_usage.data_points IS 'data points: each event and each of its properties';
COMMENT ON COLUMN ctaudience.ct_usage.profile_updates IS 'profile property updates (email and phone merges)';
COMMENT ON COLUMN ctaudience.ct_usage.monthly_active_users IS 'profiles with an app event in the month (Partner Sync does not count)';
COMMENT ON COLUMN ctaudience.ct_import_log.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_import_log.message_id IS 'the Firehose message id';
COMMENT ON COLUMN ctaudience.ct_import_log.message_type IS 'the Firehose message type';
COMMENT ON COLUMN ctaudience.ct_import_log.received_at IS 'when ctaudience answered it';
COMMENT ON COLUMN ctaudience.ct_import_log.message_ts IS 'the message''s timestamp_ms';
COMMENT ON COLUMN ctaudience.ct_import_log.duration IS 'how long answering it took';
COMMENT ON COLUMN ctaudience.ct_import_log.duration_ms IS 'the same, in milliseconds';
COMMENT ON COLUMN ctaudience.ct_import_log.profiles IS 'user profiles in the message';
COMMENT ON COLUMN ctaudience.ct_import_log.added IS 'memberships that became true';
COMMENT ON COLUMN ctaudience.ct_import_log.removed IS 'memberships that became false';
COMMENT ON COLUMN ctaudience.ct_import_log.unchanged IS 'membership statements that changed nothing';
COMMENT ON COLUMN ctaudience.ct_import_log.stale IS 'statements older than the membership''s newest';
COMMENT ON COLUMN ctaudience.ct_import_log.anonymous IS 'users skipped: no identity the rules accept';
COMMENT ON COLUMN ctaudience.ct_import_log.created_profiles IS 'profiles created';
COMMENT ON COLUMN ctaudience.ct_import_log.invalid_email IS 'emails refused';
COMMENT ON COLUMN ctaudience.ct_import_log.invalid_phone IS 'phone numbers refused';
COMMENT ON COLUMN ctaudience.ct_import_log.rejected IS 'users refused by the identity rules';
COMMENT ON COLUMN ctaudience.ct_import_log.refused IS 'entries refused (a disconnected audience)';
COMMENT ON COLUMN ctaudience.ct_import_log.hashed_only IS 'users with hashed identities only';
COMMENT ON COLUMN ctaudience.ct_import_log.forbidden_identity IS 'identities refused as placeholders';
COMMENT ON COLUMN ctaudience.ct_import_log.invalid_attributes IS 'user attributes over the limits';
COMMENT ON COLUMN ctaudience.ct_import_log.identity_conflicts IS 'Customer IDs another profile holds';
COMMENT ON COLUMN ctaudience.ct_import_log.profiles_erased IS 'profiles erased (DSR)';
COMMENT ON COLUMN ctaudience.ct_import_log.samples IS 'up to 20 examples of what was skipped or invalid';
COMMENT ON COLUMN ctaudience.ct_segment_daily.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_segment_daily.segment_id IS 'the segment''s id';
COMMENT ON COLUMN ctaudience.ct_segment_daily.day IS 'the UTC day';
COMMENT ON COLUMN ctaudience.ct_segment_daily.members IS 'members at the end of the day';
COMMENT ON COLUMN ctaudience.ct_segment_daily.added IS 'members added that day';
COMMENT ON COLUMN ctaudience.ct_segment_daily.removed IS 'members removed that day';
COMMENT ON COLUMN ctaudience.ct_inbox_status.project_id IS 'the project the messages were queued for';
COMMENT ON COLUMN ctaudience.ct_inbox_status.status IS 'pending, done or dead';
COMMENT ON COLUMN ctaudience.ct_inbox_status.messages IS 'how many';
COMMENT ON COLUMN ctaudience.ct_inbox_status.oldest_enqueued_at IS 'when the oldest was queued';
COMMENT ON COLUMN ctaudience.ct_inbox_status.next_attempt_at IS 'pending: when the next is due';
COMMENT ON COLUMN ctaudience.ct_inbox_status.max_attempts IS 'the most attempts any of them had';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.project_id IS 'the project the message was queued for';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.inbox_id IS 'its inbox id (for ct_requeue)';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.message_type IS 'the Firehose message type';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.message_id IS 'the Firehose message id';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.attempts IS 'how many times it was tried';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.enqueued_at IS 'when it was queued';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.processed_at IS 'when it died';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.last_sqlstate IS 'the SQLSTATE of its last error';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.last_error IS 'its last error message';

-- Event retention: delete a project's events older than a time.  What is
-- derived from events is kept elsewhere (statistics and trend in the delta
-- rows, usage in ct_usage_delta and ct_active_user_month, campaign
-- qualifications in ct_campaign_queue), so only the events go: Find People
-- and a profile's activity then cover the events kept.
CREATE FUNCTION ctaudience.ct_purge_events(project_id text, older_than timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	IF project_id IS NULL OR older_than IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN project_id IS NULL THEN 'project_id' ELSE 'older_than' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_purge_events.project_id) THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', project_id USING ERRCODE = 'invalid_parameter_value';
	END IF;
	DELETE FROM ctaudience.ct_event e
	 WHERE e.project_id = ct_purge_events.project_id AND e.ts < older_than;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_purge_events(text, timestamptz) IS
	'delete a project''s events older than older_than (event time); statistics, trend, usage and campaign queues are kept; returns how many were deleted';
REVOKE ALL ON FUNCTION ctaudience.ct_purge_events(text, timestamptz) FROM PUBLIC;

-- The same two with the project as an argument: the message must be that
-- project's.  A distributed cluster routes a call by such an argument.
CREATE FUNCTION ctaudience.ct_import_audience(project_id text, request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_import_audience_project'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_import_audience(text, text) IS
	'ct_import_audience(request) for a message that must be project_id''s: another account''s is refused as a wrong passcode is (28000)';

CREATE FUNCTION ctaudience.ct_firehose(project_id text, request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_project'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_firehose(text, text) IS
	'ct_firehose(request) for a message that must be project_id''s (a registration, which names none, is answered as ever): another account''s is refused as a wrong passcode is (28000)';
REVOKE ALL ON FUNCTION ctaudience.ct_import_audience(text, text), ctaudience.ct_firehose(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_import_audience(text, text), ctaudience.ct_firehose(text, text) TO ctaudience_importer;

-- ---------------------------------------------------------------------
-- Scale-out on Citus (docs/scaling.md)
-- ---------------------------------------------------------------------

-- An inbox message answered on the node that holds its project: what
-- ct_inbox_answer runs there, through Citus, on a distributed cluster.
-- Like the inbox, it checks no passcode (ct_enqueue checked it): it is
-- the owner's alone.
CREATE FUNCTION ctaudience.ct_answer_queued(project_id text, request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_answer_queued'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_answer_queued(text, jsonb) IS
	'answer an inbox message of project_id (its passcode was checked when it was queued); the inbox calls it on the node that holds the project';
REVOKE ALL ON FUNCTION ctaudience.ct_answer_queued(text, jsonb) FROM PUBLIC;

-- The project a message names, read from its text without building it:
-- what a receiver on a Citus coordinator routes ct_firehose(project_id,
-- request) by.  A receiver passes ct_message_project($1) and $1: as
-- IMMUTABLE the planner reads it once, and Citus sends the call to the
-- node that holds the project.
CREATE FUNCTION ctaudience.ct_message_project(request text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_message_project'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_message_project(text) IS
	'the project (account.account_settings.accountId) a Firehose message names; NULL when it names none or is not JSON';

CREATE FUNCTION ctaudience.ct_is_distributed() RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_is_distributed'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_is_distributed() IS
	'whether ct_distribute() distributed this database''s tables over a Citus cluster';

-- The functions a distributed cluster runs on the node that holds the
-- project named by their first argument.
CREATE FUNCTION ctaudience.ct_distributed_functions() RETURNS SETOF regprocedure
	LANGUAGE sql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT f::regprocedure
	  FROM unnest(ARRAY['ctaudience.ct_import_audience(text, text)',
						'ctaudience.ct_firehose(text, text)',
						'ctaudience.ct_answer_queued(text, jsonb)',
						'ctaudience.ct_record_event(text, text, text, jsonb, timestamptz)']) AS f
$$;
COMMENT ON FUNCTION ctaudience.ct_distributed_functions() IS
	'the functions ct_distribute() delegates, by their first argument (the project id), to the node that holds the project';
REVOKE ALL ON FUNCTION ctaudience.ct_message_project(text), ctaudience.ct_is_distributed(),
	ctaudience.ct_distributed_functions() FROM PUBLIC;

-- The identity sequences of the extension's tables: on a distributed
-- cluster each node draws from a range of its own.
CREATE FUNCTION ctaudience.ct_identity_sequences() RETURNS SETOF regclass
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_get_serial_sequence(format('ctaudience.%I', c.relname), a.attname)::regclass
	  FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid
	 WHERE c.relnamespace = 'ctaudience'::regnamespace AND c.relkind = 'r'
	   AND a.attidentity <> '' AND NOT a.attisdropped
	 ORDER BY 1
$$;
COMMENT ON FUNCTION ctaudience.ct_identity_sequences() IS
	'the sequences of the identity columns of the extension''s tables';
REVOKE ALL ON FUNCTION ctaudience.ct_identity_sequences() FROM PUBLIC;

-- On a worker: let its identity sequences draw from the range of its
-- group (group << 48 onward), as Citus does for the sequences it manages,
-- so that an id made on one node is never made on another (a project's
-- shards may move).  Run by ct_distribute() through run_command_on_workers.
CREATE FUNCTION ctaudience.ct_set_node_sequences() RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	grp bigint;
	seq regclass;
	first bigint;
BEGIN
	EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
	IF grp IS NULL OR grp <= 0 THEN
		RETURN;
	END IF;
	first := (grp << 48) + 1;
	FOR seq IN SELECT ctaudience.ct_identity_sequences() LOOP
		IF (SELECT coalesce(s.last_value, 0) < first
			  FROM pg_sequences s
			 WHERE format('%I.%I', s.schemaname, s.sequencename)::regclass = seq) THEN
			EXECUTE format('ALTER SEQUENCE %s MINVALUE %s MAXVALUE %s START %s RESTART %s',
						   seq, first, ((grp + 1) << 48) - 1, first, first);
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_set_node_sequences() IS
	'on a Citus worker: make the identity sequences draw from the node''s own range (ct_distribute() runs it)';
REVOKE ALL ON FUNCTION ctaudience.ct_set_node_sequences() FROM PUBLIC;

CREATE FUNCTION ctaudience.ct_distribute() RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	version text;
	node record;
	t text;
	f regprocedure;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'ct_distribute() needs the citus extension in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Install Citus on every node, CREATE EXTENSION citus and ctaudience on each, add the workers on the coordinator: see docs/scaling.md.';
	END IF;
	IF NOT citus_is_coordinator() THEN
		RAISE EXCEPTION 'ct_distribute() runs on the coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive) THEN
		RAISE EXCEPTION 'the Citus cluster has no worker'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Add the workers first: SELECT citus_add_node(host, port).';
	END IF;
	SELECT extversion INTO version FROM pg_extension WHERE extname = 'ctaudience';
	FOR node IN SELECT * FROM run_command_on_workers(
		$q$SELECT coalesce((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'ctaudience'), 'none')$q$)
	LOOP
		IF NOT node.success OR node.result <> version THEN
			RAISE EXCEPTION 'worker %:% has ctaudience %, the coordinator %', node.nodename, node.nodeport,
				CASE WHEN node.success THEN node.result ELSE 'unknown (' || node.result || ')' END, version
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'CREATE EXTENSION ctaudience (or ALTER EXTENSION ctaudience UPDATE) on every node first.';
		END IF;
	END LOOP;
	IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'ctaudience.ct_profile'::regclass) THEN
		RAISE NOTICE 'ctaudience is distributed already';
		RETURN;
	END IF;

	-- the triggers that derive Partner Sync events, statistics and usage
	-- act on the shards, inside the delegated import (see docs/scaling.md)
	PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
	PERFORM create_reference_table('ctaudience.ct_project');
	PERFORM create_distributed_table('ctaudience.ct_profile', 'project_id');
	FOREACH t IN ARRAY ARRAY['ct_segment', 'ct_segment_member', 'ct_event', 'ct_message', 'ct_import_sample',
							 'ct_dsr_request', 'ct_segment_delta', 'ct_usage_delta', 'ct_active_user_month',
							 'ct_campaign', 'ct_campaign_queue'] LOOP
		PERFORM create_distributed_table('ctaudience.' || t, 'project_id', colocate_with => 'ctaudience.ct_profile');
	END LOOP;
	-- rows a single node had are in the shards now: the coordinator's copy goes
	FOREACH t IN ARRAY ARRAY['ct_project', 'ct_profile', 'ct_segment', 'ct_segment_member', 'ct_event', 'ct_message',
							 'ct_import_sample', 'ct_dsr_request', 'ct_segment_delta', 'ct_usage_delta',
							 'ct_active_user_month', 'ct_campaign', 'ct_campaign_queue'] LOOP
		PERFORM truncate_local_data_after_distributing_table('ctaudience.' || t);
	END LOOP;
	-- ct_inbox stays a table of the coordinator, where pg_cron answers it
	FOR f IN SELECT ctaudience.ct_distributed_functions() LOOP
		PERFORM create_distributed_function(f, '$1', colocate_with => 'ctaudience.ct_profile',
											force_delegation => true);
	END LOOP;
	FOR node IN SELECT * FROM run_command_on_workers('SELECT ctaudience.ct_set_node_sequences()') LOOP
		IF NOT node.success THEN
			RAISE EXCEPTION 'could not set the sequences of worker %:%: %', node.nodename, node.nodeport, node.result;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_distribute() IS
	'on a Citus coordinator: distribute the extension''s tables by project (ct_project a reference table, ct_inbox kept on the coordinator) and delegate the import functions to the node that holds the project; see docs/scaling.md';
REVOKE ALL ON FUNCTION ctaudience.ct_distribute() FROM PUBLIC;

-- The segment views as joins of grouped deltas instead of correlated
-- subqueries: the same rows, and on a Citus cluster a read filtered by one
-- project is one task on the worker that holds it (docs/scaling.md).
CREATE OR REPLACE VIEW ctaudience.ct_segments AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.type,
	   s.partner_name,
	   s.partner_segment_id,
	   s.status,
	   coalesce(d.members, 0)::bigint AS members,
	   s.created_at,
	   s.updated_at
  FROM ctaudience.ct_segment s
  LEFT JOIN (SELECT x.project_id, x.segment_id, sum(x.members) AS members
			   FROM ctaudience.ct_segment_delta x
			  GROUP BY x.project_id, x.segment_id) d
	ON d.project_id = s.project_id AND d.segment_id = s.segment_id;
CREATE OR REPLACE VIEW ctaudience.ct_segment_stats AS
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
  LEFT JOIN (
	SELECT x.project_id,
		   x.segment_id,
		   sum(x.members) AS members,
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
	 GROUP BY x.project_id, x.segment_id) d
	ON d.project_id = s.project_id AND d.segment_id = s.segment_id;

-- A receiver on a Citus coordinator routes by the message's project.
GRANT EXECUTE ON FUNCTION ctaudience.ct_message_project(text), ctaudience.ct_is_distributed()
	TO ctaudience_importer;

-- Statistics compaction locks a segment by a hash of its id: on a Citus
-- cluster segment ids pass the int range (each node draws from its own).
CREATE OR REPLACE FUNCTION ctaudience.ct_compact_stats(project_id text DEFAULT NULL)
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
			SELECT DISTINCT s FROM unnest(segs) s WHERE pg_try_advisory_xact_lock(1129595221, hashint8(s))),
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
