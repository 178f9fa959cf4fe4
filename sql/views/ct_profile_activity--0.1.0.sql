-- A profile's activity: its events, newest first (Partner Sync among them).
CREATE VIEW ctaudience.ct_profile_activity AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   e.event_name,
	   e.ts,
	   e.props
  FROM ctaudience.ct_event e
  LEFT JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id
 ORDER BY e.project_id, e.ct_id, e.ts DESC, e.event_id DESC;
COMMENT ON VIEW ctaudience.ct_profile_activity IS 'a profile''s events, newest first: filter by project_id and ct_id (or identity)';
