-- An erasure keeps the months' counts: the erased profile's CleverTap ID
-- is replaced by a random token that names no one.
COMMENT ON TABLE ctaudience.ct_active_user_month IS 'profiles with an event of app use (not Partner Sync, App Uninstalled, ...) in a UTC month: monthly active users, kept when events are purged and, under a random token that names no one, when the profile is erased';
