-- The inbox run as steps of their own, each committed: ct_run_inbox claims
-- a message (its attempt counted and committed), answers it, commits, and
-- goes on; whatever ends the session meanwhile, the attempt stays counted.
CREATE FUNCTION ctaudience.ct_inbox_claim() RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_inbox_claim'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_inbox_claim() IS
	'ct_run_inbox''s first step: take the oldest due inbox message, count its attempt and lease it; its id, or NULL when none is due';
