-- The Partner Sync trigger: statement-level, reading the transition tables,
-- so events are written set-wise, one INSERT per import statement.
CREATE FUNCTION ctaudience.ct_partner_sync_trigger() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ct_partner_sync_trigger' LANGUAGE C
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_partner_sync_trigger() IS
	'raises one Partner Sync event per membership change and keeps segment statistics and usage (trigger on ct_segment_member)';

CREATE TRIGGER ct_partner_sync_insert
	AFTER INSERT ON ctaudience.ct_segment_member
	REFERENCING NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_partner_sync_trigger();
CREATE TRIGGER ct_partner_sync_update
	AFTER UPDATE ON ctaudience.ct_segment_member
	REFERENCING OLD TABLE AS ct_old NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_partner_sync_trigger();
CREATE TRIGGER ct_partner_sync_delete
	AFTER DELETE ON ctaudience.ct_segment_member
	REFERENCING OLD TABLE AS ct_old
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_partner_sync_trigger();
