-- The project a message names, read from its text without building it:
-- what a receiver on a Citus coordinator routes ct_firehose(project_id,
-- request) by.  A receiver passes ct_message_project($1) and $1: as
-- IMMUTABLE the planner reads it once, and Citus sends the call to the
-- node that holds the project.
CREATE FUNCTION ctaudience.ct_message_project(request text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_message_project'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_message_project(text) IS
	'the project (account.account_settings.accountId) a Firehose message names; NULL when it names none or is not JSON';
