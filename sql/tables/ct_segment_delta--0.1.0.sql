-- Segment statistics as delta rows: every statement that changes memberships
-- appends one row per segment (per hour bucket, UTC) instead of updating a
-- counter row, so concurrent imports into one segment never queue on a hot
-- row.  Reading a segment's statistics sums its rows (an index range, not
-- its members); ct_compact_stats() and the import fold them together.
CREATE TABLE ctaudience.ct_segment_delta (
	project_id text COLLATE "C" NOT NULL,
	segment_id bigint NOT NULL,
	bucket timestamptz NOT NULL,
	members bigint NOT NULL DEFAULT 0,
	reachable_email bigint NOT NULL DEFAULT 0,
	reachable_phone bigint NOT NULL DEFAULT 0,
	added bigint NOT NULL DEFAULT 0,
	removed bigint NOT NULL DEFAULT 0,
	last_sync_at timestamptz
);
CREATE INDEX ct_segment_delta_segment_idx ON ctaudience.ct_segment_delta (project_id, segment_id, bucket);
COMMENT ON TABLE ctaudience.ct_segment_delta IS 'segment statistics as delta rows (summed by ct_segment_stats, folded by ct_compact_stats)';
COMMENT ON COLUMN ctaudience.ct_segment_delta.bucket IS 'the UTC hour of the changes (days for buckets older than 35 days after compaction)';
