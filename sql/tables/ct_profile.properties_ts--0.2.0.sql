COMMENT ON COLUMN ctaudience.ct_profile.properties_ts IS 'per user attribute key: the time (ms since 1970) of the newest message that upserted or deleted it; an older operation on the key is stale';
