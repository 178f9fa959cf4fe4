-- Usage per project and month (UTC, message time), as CleverTap bills it: an
-- event and each of its properties are data points (a Partner Sync, with its
-- five properties, is six); email and phone merges are profile property
-- updates; Partner Sync does not count toward monthly active users.
CREATE VIEW ctaudience.ct_usage AS
SELECT u.project_id,
	   u.month,
	   sum(u.events)::bigint AS events,
	   sum(u.data_points)::bigint AS data_points,
	   sum(u.profile_updates)::bigint AS profile_updates,
	   (SELECT count(DISTINCT e.ct_id) FROM ctaudience.ct_event e
		 WHERE e.project_id = u.project_id AND e.event_name <> 'Partner Sync'
		   AND e.ts >= u.month::timestamp AT TIME ZONE 'UTC'
		   AND e.ts < (u.month + interval '1 month')::timestamp AT TIME ZONE 'UTC') AS monthly_active_users
  FROM ctaudience.ct_usage_delta u
 GROUP BY u.project_id, u.month;
