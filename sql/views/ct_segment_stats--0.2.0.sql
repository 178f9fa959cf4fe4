CREATE OR REPLACE VIEW ctaudience.ct_segment_stats AS
SELECT s.project_id,
	   s.segment_id,
	   s.name,
	   s.partner_segment_id,
	   s.status,
	   coalesce(d.members, 0)::bigint AS members,
	   coalesce(d.reachable_email, 0)::bigint AS reachable_email,
	   coalesce(d.reachable_phone, 0)::bigint AS reachable_phone,
	   coalesce(d.added_24h, 0)::bigint AS added_24h,
	   coalesce(d.removed_24h, 0)::bigint AS removed_24h,
	   coalesce(d.added_7d, 0)::bigint AS added_7d,
	   coalesce(d.removed_7d, 0)::bigint AS removed_7d,
	   coalesce(d.added_30d, 0)::bigint AS added_30d,
	   coalesce(d.removed_30d, 0)::bigint AS removed_30d,
	   d.last_sync_at
  FROM ctaudience.ct_segment s
  LEFT JOIN (
	SELECT x.project_id,
		   x.segment_id,
		   sum(x.members) AS members,
		   sum(x.reachable_email) AS reachable_email,
		   sum(x.reachable_phone) AS reachable_phone,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '24 hours') AS added_24h,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '24 hours') AS removed_24h,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '7 days') AS added_7d,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '7 days') AS removed_7d,
		   sum(x.added) FILTER (WHERE x.bucket > now() - interval '30 days') AS added_30d,
		   sum(x.removed) FILTER (WHERE x.bucket > now() - interval '30 days') AS removed_30d,
		   max(x.last_sync_at) AS last_sync_at
	  FROM ctaudience.ct_segment_delta x
	 GROUP BY x.project_id, x.segment_id) d
	ON d.project_id = s.project_id AND d.segment_id = s.segment_id;
