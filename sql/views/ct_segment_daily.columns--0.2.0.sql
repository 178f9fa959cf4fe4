COMMENT ON COLUMN ctaudience.ct_segment_daily.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_segment_daily.segment_id IS 'the segment''s id';
COMMENT ON COLUMN ctaudience.ct_segment_daily.day IS 'the UTC day';
COMMENT ON COLUMN ctaudience.ct_segment_daily.members IS 'members at the end of the day';
COMMENT ON COLUMN ctaudience.ct_segment_daily.added IS 'members added that day';
COMMENT ON COLUMN ctaudience.ct_segment_daily.removed IS 'members removed that day';
