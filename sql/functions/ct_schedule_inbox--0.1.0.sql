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
