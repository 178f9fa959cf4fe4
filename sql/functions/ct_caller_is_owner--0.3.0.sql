-- What only the extension's owner may do inside a SECURITY DEFINER function.
CREATE FUNCTION ctaudience.ct_caller_is_owner() RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_caller_is_owner'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_caller_is_owner() IS
	'whether the role that called a SECURITY DEFINER function has the extension owner''s privileges (or is a superuser)';
REVOKE ALL ON FUNCTION ctaudience.ct_caller_is_owner() FROM PUBLIC;
