-- Find People: users who did Partner Sync, by segment and action, with the
-- segments they are in now.
CREATE VIEW ctaudience.ct_find_people AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   p.email::text AS email,
	   p.phone::text AS phone,
	   (e.props ->> 'Partner Segment ID')::bigint AS partner_segment_id,
	   e.props ->> 'Partner Segment Name' AS partner_segment_name,
	   e.props ->> 'Action' AS action,
	   count(DISTINCT e.event_id) AS times,
	   max(e.ts) AS last_ts,
	   ARRAY(SELECT x.name
			   FROM unnest(array_agg(DISTINCT ROW(s.name, s.segment_id)) FILTER (WHERE s.segment_id IS NOT NULL))
					AS x(name text, segment_id bigint)
			  ORDER BY x.name, x.segment_id) AS segments
  FROM ctaudience.ct_event e
  JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
  LEFT JOIN ctaudience.ct_segment_member m ON m.project_id = e.project_id AND m.ct_id = e.ct_id AND m.is_member
  LEFT JOIN ctaudience.ct_segment s ON s.project_id = m.project_id AND s.segment_id = m.segment_id
 WHERE e.event_name = 'Partner Sync'
 GROUP BY e.project_id, e.ct_id, p.identity, p.email, p.phone,
		  e.props ->> 'Partner Segment ID', e.props ->> 'Partner Segment Name', e.props ->> 'Action';
