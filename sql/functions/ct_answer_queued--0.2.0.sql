-- ---------------------------------------------------------------------
-- Scale-out on Citus (docs/scaling.md)
-- ---------------------------------------------------------------------

-- An inbox message answered on the node that holds its project: what
-- ct_inbox_answer runs there, through Citus, on a distributed cluster.
-- Like the inbox, it checks no passcode (ct_enqueue checked it): it is
-- the owner's alone.
CREATE FUNCTION ctaudience.ct_answer_queued(project_id text, request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_answer_queued'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_answer_queued(text, jsonb) IS
	'answer an inbox message of project_id (its passcode was checked when it was queued); the inbox calls it on the node that holds the project';
REVOKE ALL ON FUNCTION ctaudience.ct_answer_queued(text, jsonb) FROM PUBLIC;
