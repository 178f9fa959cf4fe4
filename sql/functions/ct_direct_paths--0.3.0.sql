-- The paths that read and write the import's tables below SQL (direct
-- index probes, rows written as COPY writes them), and whether the import
-- would take each now: the same check it runs before each use.  A path
-- whose table or index is no longer as the extension made it (an index
-- changed by hand, row security that holds the caller, a trigger, a rule,
-- a Citus shard made by an older version) goes through SQL; reason says
-- what stands in the way.  Answered for the caller in this session (row
-- security, session_replication_role): the owner's, who imports.
CREATE FUNCTION ctaudience.ct_direct_paths(project_id text DEFAULT NULL)
	RETURNS TABLE (path text, relation regclass, index regclass, direct boolean, reason text)
	AS 'MODULE_PATHNAME', 'ct_direct_paths'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_direct_paths(text) IS
	'each path the import takes below SQL (direct index probes, rows written as COPY does), its table and index, whether it is taken now and if not why (then the SQL statement runs); with project_id, the project''s shard on this Citus node (the owner''s only)';
REVOKE ALL ON FUNCTION ctaudience.ct_direct_paths(text) FROM PUBLIC;
