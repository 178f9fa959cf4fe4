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
			updated_at = now();
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
			  format('SELECT * FROM ctaudience.ct_process_inbox(%s)', max_messages),
			  current_database();
	RETURN job;
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
