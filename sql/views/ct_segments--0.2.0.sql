CREATE OR REPLACE VIEW ctaudience.ct_segments AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.type,
	   s.partner_name,
	   s.partner_segment_id,
	   s.status,
	   coalesce(d.members, 0)::bigint AS members,
	   s.created_at,
	   s.updated_at
  FROM ctaudience.ct_segment s
  LEFT JOIN (SELECT x.project_id, x.segment_id, sum(x.members) AS members
			   FROM ctaudience.ct_segment_delta x
			  GROUP BY x.project_id, x.segment_id) d
	ON d.project_id = s.project_id AND d.segment_id = s.segment_id;
