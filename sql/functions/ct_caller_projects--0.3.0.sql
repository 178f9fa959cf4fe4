-- The projects the role that called a SECURITY DEFINER function may act on.
CREATE FUNCTION ctaudience.ct_caller_projects(capabilities text[], unless_scoped boolean DEFAULT false)
	RETURNS text[]
	AS 'MODULE_PATHNAME', 'ct_caller_projects'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_caller_projects(text[], boolean) IS
	'the projects the role that called a SECURITY DEFINER function may act on with one of the capabilities; NULL for every project';
REVOKE ALL ON FUNCTION ctaudience.ct_caller_projects(text[], boolean) FROM PUBLIC;
