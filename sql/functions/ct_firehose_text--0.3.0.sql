-- Its errors log no STATEMENT line: a literal body there holds the passcode.
-- JIT off: a plan the switches price over jit_above_cost would be compiled
-- again at each execution of a kept plan (seen in the export and the clock).
CREATE OR REPLACE FUNCTION ctaudience.ct_firehose(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_text'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
	SET log_min_error_statement = panic;
