CREATE FUNCTION ctaudience.ct_export_claim(project_id text, lease_seconds integer DEFAULT 60)
	RETURNS TABLE (request_id bigint, source_request_id uuid, url text, feed_key text, body text,
				   batches integer, events integer, attempts integer)
	AS 'MODULE_PATHNAME', 'ct_export_claim'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_export_claim(text, integer) IS
	'the next request of a project''s export to POST to mParticle (none: nothing to send now); handed to one exporter for lease_seconds, then again with the same id and body until ct_export_result answers it';
REVOKE ALL ON FUNCTION ctaudience.ct_export_claim(text, integer) FROM PUBLIC;
