CREATE FUNCTION ctaudience.ct_firehose(request text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_firehose_text'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
