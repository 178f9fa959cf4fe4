-- The checks of a project's settings, shared by ct_register_project and
-- ct_update_project; each returns the value as stored.
CREATE FUNCTION ctaudience.ct_check_region(region text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	region := lower(btrim(region));
	IF region NOT IN ('eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1') THEN
		RAISE EXCEPTION 'unknown region "%"', region
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of eu1, in1, sg1, us1, aps3, mec1, sk1.';
	END IF;
	RETURN region;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_check_region(text) IS
	'a CleverTap region as stored (lower case), or 22023';
