CREATE FUNCTION ctaudience.ct_import_audience(request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_import_audience'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
