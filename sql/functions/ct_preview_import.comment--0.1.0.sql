COMMENT ON FUNCTION ctaudience.ct_preview_import(jsonb) IS
	'dry run of ct_import_audience: one row per user and audience with the resolution and the change it would make; writes nothing';
