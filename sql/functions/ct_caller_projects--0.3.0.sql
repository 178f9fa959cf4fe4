-- The projects the role that called a SECURITY DEFINER function may act on.
CREATE FUNCTION ctaudience.ct_caller_projects(capabilities text[], unless_scoped regprocedure DEFAULT NULL)
	RETURNS text[]
	AS 'MODULE_PATHNAME', 'ct_caller_projects'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_caller_projects(text[], regprocedure) IS
	'the projects the role that called a SECURITY DEFINER function may act on with one of the capabilities; NULL for every project; unless_scoped as in ct_check_project';
REVOKE ALL ON FUNCTION ctaudience.ct_caller_projects(text[], regprocedure) FROM PUBLIC;
