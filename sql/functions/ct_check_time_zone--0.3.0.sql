-- A time zone as PostgreSQL names it (an IANA name such as Asia/Kolkata,
-- or UTC; as pg_timezone_names spells it), or 22023: the project's time
-- zone.  No exception block (no subtransaction): its trigger runs inside
-- Citus's copy of ct_project to the nodes (ct_distribute), where a
-- savepoint breaks the copy.
CREATE FUNCTION ctaudience.ct_check_time_zone(time_zone text) RETURNS text
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF time_zone IS NULL THEN
		RAISE EXCEPTION 'time_zone must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Use an IANA name such as ''Asia/Kolkata'', or ''UTC''.';
	END IF;
	IF time_zone <> 'UTC' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = time_zone) THEN
		RAISE EXCEPTION 'unknown time zone "%"', time_zone
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use an IANA name such as "Asia/Kolkata" or "Europe/Berlin", spelt as in pg_timezone_names, or "UTC".';
	END IF;
	RETURN time_zone;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_check_time_zone(text) IS
	'a time zone named as in pg_timezone_names (or UTC), as given, or 22023 (22004 for NULL)';
