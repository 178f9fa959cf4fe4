-- Its errors log no STATEMENT, CONTEXT or DETAIL line: a caller's statement
-- there may hold the passcode as a literal.
CREATE OR REPLACE FUNCTION ctaudience.ct_check_passcode(passcode text, expires_at timestamptz) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic SET log_error_verbosity = terse
AS $$
BEGIN
	IF passcode IS NULL THEN
		RAISE EXCEPTION 'passcode must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF length(passcode) < 8 OR length(passcode) > 1024 THEN
		RAISE EXCEPTION 'passcode must be between 8 and 1024 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF expires_at IS NOT NULL AND expires_at <= now() THEN
		RAISE EXCEPTION 'the passcode would expire at %, which is not in the future', expires_at
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Give a time in the future, or NULL for a passcode that never expires (Forever).';
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_check_passcode(text, timestamptz) IS
	'22004 or 22023 unless the passcode is 8 to 1024 characters and its expiry (if any) is in the future';
