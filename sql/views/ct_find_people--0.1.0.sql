-- Find People: users who did Partner Sync, by segment and action, with the
-- segments they are in now.
CREATE VIEW ctaudience.ct_find_people AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   p.email,
	   p.phone,
	   (e.props ->> 'Partner Segment ID')::bigint AS partner_segment_id,
	   e.props ->> 'Partner Segment Name' AS partner_segment_name,
	   e.props ->> 'Action' AS action,
	   count(*) AS times,
	   max(e.ts) AS last_ts,
	   (SELECT coalesce(array_agg(s.name ORDER BY s.name), '{}')
		  FROM ctaudience.ct_segment_member m
		  JOIN ctaudience.ct_segment s ON s.project_id = m.project_id AND s.segment_id = m.segment_id
		 WHERE m.project_id = e.project_id AND m.ct_id = e.ct_id AND m.is_member) AS segments
  FROM ctaudience.ct_event e
  JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
 WHERE e.event_name = 'Partner Sync'
 GROUP BY e.project_id, e.ct_id, p.identity, p.email, p.phone,
		  e.props ->> 'Partner Segment ID', e.props ->> 'Partner Segment Name', e.props ->> 'Action';
