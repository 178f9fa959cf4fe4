COMMENT ON FUNCTION ctaudience.ct_compact_stats(text) IS
	'fold the statistics and usage delta rows (all projects when NULL); returns how many rows it saved';
