-- Whose Customer ID is whose (identity rule 1): a profile a Partner ID
-- named keeps the Identity it claimed unless a newer message's claim takes
-- it; a profile whose CleverTap ID was generated here is merged into the
-- Partner ID's profile that claims its Identity.  A row from before 0.3.0
-- (updated, or restored from an older backup into this version: COPY
-- leaves the column out) has named NULL, not known, and the import decides
-- it by its CleverTap ID: named unless 32 lowercase hex characters whose
-- first 12 are a time in milliseconds from created_at to an hour later
-- (src/importstate.h, ct_ctid_generated).  There is deliberately no default: a
-- default would say false, generated, for every such row.
ALTER TABLE ctaudience.ct_profile
	ADD COLUMN named boolean,
	ADD COLUMN identity_ts timestamptz;
COMMENT ON COLUMN ctaudience.ct_profile.named IS 'a Partner ID (CleverTap_User_ID) named this profile (true) or its CleverTap ID was generated here (false); NULL for a row written before 0.3.0: named unless its CleverTap ID is 32 lowercase hex characters that start with the time of created_at in milliseconds, up to an hour later';
COMMENT ON COLUMN ctaudience.ct_profile.identity_ts IS 'time of the message whose claim set the Identity (rule 1); NULL when unknown or not claimed';
