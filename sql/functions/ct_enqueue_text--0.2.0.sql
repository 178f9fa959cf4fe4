CREATE FUNCTION ctaudience.ct_enqueue(request text) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_enqueue_text'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_enqueue(text) IS
	'queue a Firehose message given as JSON text (the body as posted), as ct_enqueue(jsonb) does';
