-- The text of a statement on one project's rows, for the functions that a
-- Citus cluster runs on the node holding the project: there each of the
-- extension's tables named by the project's shard, so the statement runs
-- as on a single node (Citus plans no statement of many CTEs into one
-- shard's); on a single node the statement itself.
CREATE FUNCTION ctaudience.ct_project_sql(project text, sql text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_project_sql'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ctaudience.ct_project_sql(text, text) IS
	'sql with each of the extension''s tables named by project''s shard on this Citus worker (0A000 when the project is on another node), or sql itself on a single node; for ct_advance_project_journeys';
REVOKE ALL ON FUNCTION ctaudience.ct_project_sql(text, text) FROM PUBLIC;
