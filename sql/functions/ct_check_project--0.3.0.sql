-- The check of the extension's SECURITY DEFINER functions: the role that
-- called one may act on the project with one of the capabilities, or 42501.
CREATE FUNCTION ctaudience.ct_check_project(project_id text, capabilities text[], what text DEFAULT NULL,
											unless_scoped boolean DEFAULT false) RETURNS void
	AS 'MODULE_PATHNAME', 'ct_check_project'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_check_project(text, text[], text, boolean) IS
	'refuse (42501) unless the role that called a SECURITY DEFINER function may act on the project with one of the capabilities; what names the object refused; unless_scoped: a role outside ctaudience_scoped acts on every project';
REVOKE ALL ON FUNCTION ctaudience.ct_check_project(text, text[], text, boolean) FROM PUBLIC;
