-- Its errors log no STATEMENT, CONTEXT or DETAIL line: a caller's statement
-- there may hold the passcode as a literal.
CREATE OR REPLACE FUNCTION ctaudience.ct_rotate_passcode(
	project_id text,
	new_passcode text,
	expires_at timestamptz DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic SET log_error_verbosity = terse
AS $$
BEGIN
	IF project_id IS NULL THEN
		RAISE EXCEPTION 'project_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_passcode(new_passcode, expires_at);
	UPDATE ctaudience.ct_project AS p
	   SET passcode_hash = ctaudience.ct_passcode_hash(new_passcode),
		   passcode_expires_at = expires_at,
		   updated_at = now()
	 WHERE p.project_id = ct_rotate_passcode.project_id;
	IF NOT FOUND THEN
		PERFORM ctaudience.ct_unknown_project(project_id);
	END IF;
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_rotate_passcode(text, text, timestamptz) IS
	'replace a project''s passcode (8 to 1024 characters, stored as a salted hash); NULL expires_at means Forever';
