-- project_id last in the memberships' indexes, as in ct_profile's keys
-- (ct_profile.key_order): a segment's members are still one range of the
-- key (segment_id first), a profile's memberships one of the profile
-- index.  The names stay.
ALTER TABLE ctaudience.ct_segment_member
	DROP CONSTRAINT ct_segment_member_pkey,
	ADD CONSTRAINT ct_segment_member_pkey PRIMARY KEY (segment_id, ct_id, project_id);
DROP INDEX ctaudience.ct_segment_member_profile_idx;
CREATE INDEX ct_segment_member_profile_idx ON ctaudience.ct_segment_member (ct_id, project_id);
