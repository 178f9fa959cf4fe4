-- The next request of a project's export.  Its statements are planned once
-- per backend (generic plans, src/store.c) whatever the outbox's size then:
-- index scans only, as the other C functions (planner_settings--0.1.0.sql);
-- and no JIT, which compiled the outbox read (its generic plan's estimate is
-- over jit_above_cost) for every page, 10-15 ms each time.  ahead: the
-- caller holds the pending request and has not reported it yet (it posts
-- it meanwhile): the request after it, claimed before and not answered,
-- else a new one of the outbox's rows after the pending one's; at most two
-- pending a project.
CREATE FUNCTION ctaudience.ct_export_claim(project_id text, lease_seconds integer DEFAULT 60, ahead boolean DEFAULT false)
	RETURNS TABLE (request_id bigint, source_request_id uuid, url text, feed_key text, body text,
				   batches integer, events integer, attempts integer)
	AS 'MODULE_PATHNAME', 'ct_export_claim'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off;
COMMENT ON FUNCTION ctaudience.ct_export_claim(text, integer, boolean) IS
	'the next request of a project''s export to POST to mParticle (none: nothing to send now); handed to one exporter for lease_seconds, then again with the same id and body until ct_export_result answers it; ahead: the one after the pending request the caller holds';
REVOKE ALL ON FUNCTION ctaudience.ct_export_claim(text, integer, boolean) FROM PUBLIC;
