CREATE FUNCTION ctaudience.ct_is_distributed() RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_is_distributed'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_is_distributed() IS
	'whether ct_distribute() distributed this database''s tables over a Citus cluster';
