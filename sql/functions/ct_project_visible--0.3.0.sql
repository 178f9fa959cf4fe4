-- The tables' row-level security: whether the current user may see a
-- project's rows with one of the capabilities (see ct_project_grant).
CREATE FUNCTION ctaudience.ct_project_visible(project_id text, capabilities text[]) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_project_visible'
	LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_project_visible(text, text[]) IS
	'whether the current user may see the project''s rows with one of the capabilities (read, send, operate, export): the tables'' row-level security';
REVOKE ALL ON FUNCTION ctaudience.ct_project_visible(text, text[]) FROM PUBLIC;
