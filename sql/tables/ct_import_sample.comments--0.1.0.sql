COMMENT ON TABLE ctaudience.ct_import_sample IS 'up to 20 samples per message of what was skipped or invalid, with the reason';
COMMENT ON COLUMN ctaudience.ct_import_sample.reason IS 'anonymous, hashed_only, forbidden_identity, identity_too_long, invalid_ctid, invalid_email, invalid_phone, identity_conflict, invalid_attribute, stale or refused';
COMMENT ON COLUMN ctaudience.ct_import_sample.path IS 'where in the message: user_profiles[i] or user_profiles[i].audiences[j]';
