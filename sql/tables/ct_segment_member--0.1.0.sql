CREATE TABLE ctaudience.ct_segment_member (
	project_id text COLLATE "C" NOT NULL,
	segment_id bigint NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	is_member boolean NOT NULL,
	stated_at timestamptz NOT NULL,
	PRIMARY KEY (project_id, segment_id, ct_id)
) WITH (fillfactor = 90);
-- fillfactor 90: a membership that changes (a removal, a later statement)
-- is updated in place (HOT), without new entries in either index.
CREATE INDEX ct_segment_member_profile_idx ON ctaudience.ct_segment_member (project_id, ct_id);
COMMENT ON TABLE ctaudience.ct_segment_member IS 'membership of profiles in segments, last writer wins by message time';
COMMENT ON COLUMN ctaudience.ct_segment_member.stated_at IS 'time of the newest message that stated this membership; older statements are stale';
