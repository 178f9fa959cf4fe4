CREATE FUNCTION ctaudience.ct_pause_export(project_id text, reason text DEFAULT 'paused by an operator')
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	at CONSTANT timestamptz := now();	-- a value, as Citus plans it
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE ctaudience.ct_export x
	   SET status = 'paused', paused_reason = coalesce(reason, 'paused by an operator'), updated_at = at
	 WHERE x.project_id = ct_pause_export.project_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'project "%" has no export', left(project_id, 64)
			USING ERRCODE = 'no_data_found', HINT = 'Set one up with ctaudience.ct_configure_export().';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_pause_export(text, text) IS
	'pause a project''s export: nothing is sent until ct_resume_export; new events still wait for it';
REVOKE ALL ON FUNCTION ctaudience.ct_pause_export(text, text) FROM PUBLIC;

CREATE FUNCTION ctaudience.ct_resume_export(project_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	at CONSTANT timestamptz := now();	-- a value, as Citus plans it
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE ctaudience.ct_export x
	   SET status = 'active', paused_reason = NULL, next_run_at = least(coalesce(x.next_run_at, at), at),
		   updated_at = at
	 WHERE x.project_id = ct_resume_export.project_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'project "%" has no export', left(project_id, 64)
			USING ERRCODE = 'no_data_found', HINT = 'Set one up with ctaudience.ct_configure_export().';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_resume_export(text) IS
	'resume a paused export (or run a finished one-time export again): due at once, the waiting request first';
REVOKE ALL ON FUNCTION ctaudience.ct_resume_export(text) FROM PUBLIC;
