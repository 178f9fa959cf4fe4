-- A profile's activity: its events (Partner Sync among them); order by ts
-- DESC when reading (a view does not order).
CREATE VIEW ctaudience.ct_profile_activity AS
SELECT e.project_id,
	   e.ct_id,
	   p.identity,
	   e.event_name,
	   e.ts,
	   e.props
  FROM ctaudience.ct_event e
  LEFT JOIN ctaudience.ct_profile p ON p.project_id = e.project_id AND p.ct_id = e.ct_id;
COMMENT ON VIEW ctaudience.ct_profile_activity IS 'a profile''s events: filter by project_id and ct_id (or identity), order by ts DESC for newest first';
