COMMENT ON TABLE ctaudience.ct_profile IS 'user profiles, keyed by CleverTap ID, with Identity, Email and Phone merged from imports';
COMMENT ON COLUMN ctaudience.ct_profile.identity IS 'CleverTap Identity: the Customer ID (or chosen User ID) or the mParticle ID that first matched';
COMMENT ON COLUMN ctaudience.ct_profile.email_ts IS 'time of the newest message whose email was merged (newest message wins)';
COMMENT ON COLUMN ctaudience.ct_profile.phone_ts IS 'time of the newest message whose phone was merged (newest message wins)';
