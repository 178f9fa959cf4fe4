CREATE FUNCTION ctaudience.ct_process_inbox(max_messages integer DEFAULT 100,
	OUT done integer, OUT retried integer, OUT dead integer)
	AS 'MODULE_PATHNAME', 'ct_process_inbox'
	LANGUAGE C VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
