CREATE FUNCTION ctaudience.ct_inbox_answer(inbox_id bigint) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_inbox_answer'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_inbox_answer(bigint) IS
	'ct_run_inbox''s second step: answer a claimed inbox message and record the outcome (done, retried or dead)';
