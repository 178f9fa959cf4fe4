-- Its errors log no STATEMENT line: a literal body there holds the passcode.
-- JIT off: a plan the switches price over jit_above_cost would be compiled
-- again at each execution of a kept plan (seen in the export and the clock).
CREATE OR REPLACE FUNCTION ctaudience.ct_firehose_enqueue(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_enqueue'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
	SET log_min_error_statement = panic;
COMMENT ON FUNCTION ctaudience.ct_firehose_enqueue(text) IS
	'what a receiver in queue mode answers: a membership or erasure message is queued and answered at once (its response, with the inbox_id); a registration or subscription is answered as by ct_firehose';
