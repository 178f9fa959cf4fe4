-- Its errors log no STATEMENT, CONTEXT or DETAIL line: a caller's statement
-- there may hold the passcode as a literal.
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
SET log_min_error_statement = panic SET log_error_verbosity = terse
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
