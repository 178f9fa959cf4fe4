-- Whose Customer ID is whose (identity rule 1): a profile a Partner ID
-- named keeps the Identity it claimed unless a newer message's claim takes
-- it; a profile whose CleverTap ID was generated here is merged into the
-- Partner ID's profile that claims its Identity.
ALTER TABLE ctaudience.ct_profile
	ADD COLUMN named boolean NOT NULL DEFAULT false,
	ADD COLUMN identity_ts timestamptz;
COMMENT ON COLUMN ctaudience.ct_profile.named IS 'a Partner ID (CleverTap_User_ID) named this profile: its CleverTap ID is not one generated here';
COMMENT ON COLUMN ctaudience.ct_profile.identity_ts IS 'time of the message whose claim set the Identity (rule 1); NULL when unknown or not claimed';
