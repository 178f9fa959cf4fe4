COMMENT ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date) IS
	'the Trend graph: members at the end of each day (UTC) and the day''s adds and removes, for the days up to ending';
