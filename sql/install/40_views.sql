-- The Segments list.  Member counts come from ct_segment_member here;
-- ct_segment_stats (which does not scan members) is the view for large segments.
CREATE VIEW ctaudience.ct_segments AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.type,
	   s.partner_name,
	   s.partner_segment_id,
	   s.status,
	   (SELECT count(*) FROM ctaudience.ct_segment_member m
		 WHERE m.project_id = s.project_id AND m.segment_id = s.segment_id AND m.is_member) AS members,
	   s.created_at,
	   s.updated_at
  FROM ctaudience.ct_segment s;
COMMENT ON VIEW ctaudience.ct_segments IS 'the Segments list: one row per imported mParticle audience';
