COMMENT ON VIEW ctaudience.ct_usage IS 'per project and month: Partner Sync events, data points (event + properties), profile property updates; Partner Sync is not counted in monthly_active_users';
