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

CREATE FUNCTION ctaudience.ct_register_project(
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

CREATE FUNCTION ctaudience.ct_rotate_passcode(
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
	LANGUAGE C VOLATILE SECURITY DEFINER
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
	LANGUAGE C VOLATILE SECURITY DEFINER
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

CREATE FUNCTION ctaudience.ct_firehose(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_firehose(jsonb) IS
	'answer any mParticle Firehose message: module registration, audience subscription, membership change, data subject erasure';

CREATE FUNCTION ctaudience.ct_firehose(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_text'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_firehose(text) IS
	'answer any mParticle Firehose message given as JSON text (the body as posted); same result and errors as the jsonb variant';

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

CREATE FUNCTION ctaudience.ct_enqueue(request jsonb) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_enqueue'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_enqueue(jsonb) IS
	'queue a Firehose message for ct_process_inbox: its type and credentials are checked now, and it is stored without its passcode; returns its inbox_id';

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

CREATE FUNCTION ctaudience.ct_process_inbox(max_messages integer DEFAULT 100,
	OUT done integer, OUT retried integer, OUT dead integer)
	AS 'MODULE_PATHNAME', 'ct_process_inbox'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_process_inbox(integer) IS
	'answer up to max_messages due messages of ct_inbox, oldest first, each in its own subtransaction (SKIP LOCKED: several sessions may run it); failures are kept with their error, retried, then dead-lettered';

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

CREATE FUNCTION ctaudience.ct_requeue(inbox_id bigint) RETURNS boolean
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
COMMENT ON FUNCTION ctaudience.ct_requeue(bigint) IS
	'put a dead-lettered inbox message back in the queue, with its attempts reset; false when it is not dead';

CREATE FUNCTION ctaudience.ct_schedule_inbox(schedule text DEFAULT '* * * * *',
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
	LANGUAGE C STABLE SECURITY DEFINER
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
COMMENT ON FUNCTION ctaudience.ct_compact_stats(text) IS
	'fold the statistics and usage delta rows (all projects when NULL); returns how many rows it saved';

CREATE FUNCTION ctaudience.ct_segment_trend(segment_id bigint, days int DEFAULT 30, ending date DEFAULT current_date)
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
COMMENT ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date) IS
	'the Trend graph: members at the end of each day (UTC) and the day''s adds and removes, for the days up to ending';

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
