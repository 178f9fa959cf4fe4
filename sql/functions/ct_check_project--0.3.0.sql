-- The check of the extension's SECURITY DEFINER functions: the role that
-- called one may act on the project with one of the capabilities, or 42501.
CREATE FUNCTION ctaudience.ct_check_project(project_id text, capabilities text[], what text DEFAULT NULL,
											unless_scoped regprocedure DEFAULT NULL) RETURNS void
	AS 'MODULE_PATHNAME', 'ct_check_project'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_check_project(text, text[], text, regprocedure) IS
	'refuse (42501) unless the role that called a SECURITY DEFINER function may act on the project with one of the capabilities; what names the object refused; unless_scoped, the function checking: a role outside ctaudience_scoped that may itself execute it acts on every project';
REVOKE ALL ON FUNCTION ctaudience.ct_check_project(text, text[], text, regprocedure) FROM PUBLIC;
