-- Its errors log no STATEMENT, CONTEXT or DETAIL line: a caller's statement
-- there may hold the account token as a literal.
CREATE OR REPLACE FUNCTION ctaudience.ct_update_project(
	project_id text,
	name text DEFAULT NULL,
	region text DEFAULT NULL,
	account_token text DEFAULT NULL,
	default_country text DEFAULT NULL,
	passcode_expires_at timestamptz DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic SET log_error_verbosity = terse
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
REVOKE ALL ON FUNCTION ctaudience.ct_update_project(text, text, text, text, text, timestamptz) FROM PUBLIC;
