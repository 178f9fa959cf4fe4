COMMENT ON COLUMN ctaudience.ct_usage.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_usage.month IS 'the UTC month (its first day)';
COMMENT ON COLUMN ctaudience.ct_usage.events IS 'events: Partner Sync and recorded app events';
COMMENT ON COLUMN ctaudience.ct_usage.data_points IS 'data points: each event and each of its properties';
COMMENT ON COLUMN ctaudience.ct_usage.profile_updates IS 'profile property updates (email and phone merges)';
COMMENT ON COLUMN ctaudience.ct_usage.monthly_active_users IS 'profiles with an app event in the month (Partner Sync does not count)';
