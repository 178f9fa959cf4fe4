-- The Segments list, with member counts from the statistics deltas (no member scan).
CREATE VIEW ctaudience.ct_segments AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.type,
	   s.partner_name,
	   s.partner_segment_id,
	   s.status,
	   coalesce((SELECT sum(d.members) FROM ctaudience.ct_segment_delta d
				  WHERE d.project_id = s.project_id AND d.segment_id = s.segment_id), 0)::bigint AS members,
	   s.created_at,
	   s.updated_at
  FROM ctaudience.ct_segment s;
