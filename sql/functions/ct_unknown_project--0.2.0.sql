-- The one error for a project id that names no project, in every function.
CREATE FUNCTION ctaudience.ct_unknown_project(project_id text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'unknown CleverTap project "%"', left(project_id, 64)
		USING ERRCODE = 'invalid_authorization_specification',
			  HINT = 'Register the project with ctaudience.ct_register_project().';
END;
$$;
COMMENT ON FUNCTION ctaudience.ct_unknown_project(text) IS
	'raise the error of an unknown project (28000), as every function of the extension does';
