-- Its errors log no STATEMENT line: a literal body there holds the passcode.
CREATE OR REPLACE FUNCTION ctaudience.ct_enqueue(request jsonb) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_enqueue'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET log_min_error_statement = panic;
