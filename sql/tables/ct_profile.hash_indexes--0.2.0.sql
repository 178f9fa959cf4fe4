CREATE INDEX ct_profile_email_idx ON ctaudience.ct_profile USING hash (email);
CREATE INDEX ct_profile_mpid_idx ON ctaudience.ct_profile USING hash (mparticle_id);
