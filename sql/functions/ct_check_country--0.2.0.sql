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
