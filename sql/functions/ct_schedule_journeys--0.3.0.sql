CREATE FUNCTION ctaudience.ct_schedule_journeys(schedule text DEFAULT '* * * * *',
	max_profiles integer DEFAULT 10000, job_name text DEFAULT 'ctaudience_journeys') RETURNS bigint
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	job bigint;
BEGIN
	IF schedule IS NULL OR max_profiles IS NULL OR job_name IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN schedule IS NULL THEN 'schedule' WHEN max_profiles IS NULL THEN 'max_profiles' ELSE 'job_name' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF max_profiles < 1 THEN
		RAISE EXCEPTION 'max_profiles must be at least 1' USING ERRCODE = '22023';
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
			  format('SELECT ctaudience.ct_advance_journeys(%s)', max_profiles),
			  current_database();
	RETURN job;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_schedule_journeys(text, integer, text) IS
	'schedule SELECT ct_advance_journeys(max_profiles) with pg_cron in this database (a cron schedule, e.g. ''* * * * *''); the same job_name replaces the job; returns the job id';
