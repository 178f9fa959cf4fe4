CREATE VIEW ctaudience.ct_export_dead_letters AS
SELECT r.project_id,
	   r.request_id,
	   r.source_request_id,
	   r.created_at,
	   r.answered_at,
	   r.attempts,
	   r.batches,
	   r.events,
	   r.http_status,
	   r.error
  FROM ctaudience.ct_export_request r
 WHERE r.state = 'dead';
COMMENT ON VIEW ctaudience.ct_export_dead_letters IS 'export requests mParticle refused (400), with its error; their bodies stay in ct_export_request, for the owner';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.request_id IS 'the request';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.source_request_id IS 'the id mParticle saw';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.created_at IS 'when it was built';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.answered_at IS 'when mParticle refused it';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.attempts IS 'how often it was sent';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.batches IS 'its batches';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.events IS 'its events';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.http_status IS 'mParticle''s answer (400)';
COMMENT ON COLUMN ctaudience.ct_export_dead_letters.error IS 'mParticle''s error, as it gave it (first 1 KB)';
REVOKE ALL ON ctaudience.ct_export_dead_letters FROM PUBLIC;
