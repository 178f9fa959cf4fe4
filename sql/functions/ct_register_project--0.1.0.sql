CREATE FUNCTION ctaudience.ct_register_project(
	project_id text,
	passcode text,
	account_token text,
	region text DEFAULT 'eu1',
	name text DEFAULT NULL,
	passcode_expires_at timestamptz DEFAULT NULL,
	default_country text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF project_id IS NULL OR passcode IS NULL OR account_token IS NULL THEN
		RAISE EXCEPTION 'project_id, passcode and account_token must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF length(passcode) < 8 OR length(passcode) > 1024 THEN
		RAISE EXCEPTION 'passcode must be between 8 and 1024 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF project_id !~ '^[A-Za-z0-9_-]{1,64}$' THEN
		RAISE EXCEPTION 'invalid project id "%"', project_id
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A project id is 1 to 64 letters, digits, "-" or "_".';
	END IF;
	region := lower(btrim(coalesce(region, 'eu1')));
	IF region NOT IN ('eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1') THEN
		RAISE EXCEPTION 'unknown region "%"', region
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of eu1, in1, sg1, us1, aps3, mec1, sk1.';
	END IF;
	default_country := upper(btrim(default_country));
	IF default_country IS NOT NULL AND NOT ctaudience.ct_phone_region_supported(default_country) THEN
		RAISE EXCEPTION 'unknown default country "%"', default_country
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use an ISO 3166-1 alpha-2 code such as US, GB or IN.';
	END IF;
	INSERT INTO ctaudience.ct_project AS p
		(project_id, name, region, account_token, passcode_hash, passcode_expires_at, default_country)
	VALUES (ct_register_project.project_id, coalesce(ct_register_project.name, ''), region,
			ct_register_project.account_token, ctaudience.ct_passcode_hash(passcode),
			ct_register_project.passcode_expires_at, default_country)
	ON CONFLICT ON CONSTRAINT ct_project_pkey DO UPDATE
		SET name = coalesce(ct_register_project.name, p.name),
			region = EXCLUDED.region,
			account_token = EXCLUDED.account_token,
			passcode_hash = EXCLUDED.passcode_hash,
			passcode_expires_at = EXCLUDED.passcode_expires_at,
			default_country = EXCLUDED.default_country,
			updated_at = now();
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_register_project(text, text, text, text, text, timestamptz, text) IS
	'create or update a project; the passcode is stored as a salted hash only';
