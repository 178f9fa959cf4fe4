CREATE FUNCTION ctaudience.ct_inbox_depth(OUT pending bigint, OUT dead bigint)
	AS 'MODULE_PATHNAME', 'ct_inbox_depth'
	LANGUAGE C STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_inbox_depth() IS
	'how many inbox messages are pending and dead-lettered (a receiver''s metrics)';
