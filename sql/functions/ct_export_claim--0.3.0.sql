-- The next request of a project's export.  Its statements are planned once
-- per backend (generic plans, src/store.c) whatever the outbox's size then:
-- index scans only, as the other C functions (planner_settings--0.1.0.sql);
-- and no JIT, which compiled the outbox read (its generic plan's estimate is
-- over jit_above_cost) for every page, 10-15 ms each time.
CREATE FUNCTION ctaudience.ct_export_claim(project_id text, lease_seconds integer DEFAULT 60)
	RETURNS TABLE (request_id bigint, source_request_id uuid, url text, feed_key text, body text,
				   batches integer, events integer, attempts integer)
	AS 'MODULE_PATHNAME', 'ct_export_claim'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off;
COMMENT ON FUNCTION ctaudience.ct_export_claim(text, integer) IS
	'the next request of a project''s export to POST to mParticle (none: nothing to send now); handed to one exporter for lease_seconds, then again with the same id and body until ct_export_result answers it';
REVOKE ALL ON FUNCTION ctaudience.ct_export_claim(text, integer) FROM PUBLIC;
