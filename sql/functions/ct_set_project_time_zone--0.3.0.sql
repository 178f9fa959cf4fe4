-- Set a project's time zone (the owner's, like ct_update_project).
CREATE FUNCTION ctaudience.ct_set_project_time_zone(project_id text, time_zone text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE ctaudience.ct_project AS p
	   SET time_zone = ctaudience.ct_check_time_zone(ct_set_project_time_zone.time_zone), updated_at = now()
	 WHERE p.project_id = ct_set_project_time_zone.project_id;
	IF NOT FOUND THEN
		PERFORM ctaudience.ct_unknown_project(project_id);
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_set_project_time_zone(text, text) IS
	'set a project''s time zone (an IANA name such as Asia/Kolkata; 22023 for an unknown one): its journeys'' waits until a time of day without a time_zone of their own end at that time there';
