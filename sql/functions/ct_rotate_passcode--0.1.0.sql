CREATE FUNCTION ctaudience.ct_rotate_passcode(
	project_id text,
	new_passcode text,
	expires_at timestamptz DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF new_passcode IS NULL OR length(new_passcode) < 8 OR length(new_passcode) > 1024 THEN
		RAISE EXCEPTION 'passcode must be between 8 and 1024 characters long'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF expires_at IS NOT NULL AND expires_at <= now() THEN
		RAISE EXCEPTION 'expires_at must be in the future'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass NULL for a passcode that never expires (Forever).';
	END IF;
	UPDATE ctaudience.ct_project AS p
	   SET passcode_hash = ctaudience.ct_passcode_hash(new_passcode),
		   passcode_expires_at = expires_at,
		   updated_at = now()
	 WHERE p.project_id = ct_rotate_passcode.project_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', project_id
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register the project with ctaudience.ct_register_project().';
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_rotate_passcode(text, text, timestamptz) IS
	'replace a project''s passcode (stored as a salted hash); NULL expires_at means Forever';
