-- Its errors log no STATEMENT line: a literal body there holds the passcode.
CREATE OR REPLACE FUNCTION ctaudience.ct_enqueue(request text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_enqueue_text'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET log_min_error_statement = panic;
COMMENT ON FUNCTION ctaudience.ct_enqueue(text) IS
	'queue a Firehose message given as JSON text (the body as posted), as ct_enqueue(jsonb) does';
