COMMENT ON COLUMN ctaudience.ct_profile_activity.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_profile_activity.ct_id IS 'the profile''s CleverTap ID';
COMMENT ON COLUMN ctaudience.ct_profile_activity.identity IS 'the profile''s Identity (Customer ID), if any';
COMMENT ON COLUMN ctaudience.ct_profile_activity.event_name IS 'Partner Sync, or a recorded app event';
COMMENT ON COLUMN ctaudience.ct_profile_activity.ts IS 'when it happened (for Partner Sync, the message time)';
COMMENT ON COLUMN ctaudience.ct_profile_activity.props IS 'the event properties';
