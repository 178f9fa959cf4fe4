-- A time zone as PostgreSQL knows it (an IANA name such as Asia/Kolkata,
-- or UTC), or 22023: the project's time zone and a wait node's.
CREATE FUNCTION ctaudience.ct_check_time_zone(time_zone text) RETURNS text
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF time_zone IS NULL THEN
		RAISE EXCEPTION 'time_zone must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Use an IANA name such as ''Asia/Kolkata'', or ''UTC''.';
	END IF;
	BEGIN
		PERFORM now() AT TIME ZONE time_zone;
	EXCEPTION WHEN OTHERS THEN
		RAISE EXCEPTION 'unknown time zone "%"', time_zone
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use an IANA name such as "Asia/Kolkata" or "Europe/Berlin" (pg_timezone_names), or "UTC".';
	END;
	RETURN time_zone;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_check_time_zone(text) IS
	'a time zone PostgreSQL knows, as given, or 22023 (22004 for NULL)';
