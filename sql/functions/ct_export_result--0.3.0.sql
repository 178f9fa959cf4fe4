-- mParticle's answer to a request: 202 moves the export on (the events
-- leave the outbox in the transaction that records it), 400 keeps the
-- request as a dead letter and moves on, 401 and 403 pause the project's
-- export with nothing skipped, anything else leaves it to be sent again.
-- In C (src/exportresult.c) with kept plans; planner settings as
-- ct_export_claim's.
CREATE FUNCTION ctaudience.ct_export_result(project_id text, request_id bigint, http_status integer,
											error text DEFAULT NULL, retry_after_seconds integer DEFAULT NULL)
RETURNS text
	AS 'MODULE_PATHNAME', 'ct_export_result'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off;
COMMENT ON FUNCTION ctaudience.ct_export_result(text, bigint, integer, text, integer) IS
	'record mParticle''s answer to an export request: accepted (2xx), dead (400: kept with its error), paused (401, 403) or retry (anything else, 0 for no answer); returns it';
REVOKE ALL ON FUNCTION ctaudience.ct_export_result(text, bigint, integer, text, integer) FROM PUBLIC;
