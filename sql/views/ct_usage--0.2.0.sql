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
	   coalesce(a.users, 0) AS monthly_active_users
  FROM ctaudience.ct_usage_delta u
  LEFT JOIN (SELECT a.project_id, a.month, count(*) AS users
			   FROM ctaudience.ct_active_user_month a
			  GROUP BY a.project_id, a.month) a ON a.project_id = u.project_id AND a.month = u.month
 GROUP BY u.project_id, u.month, a.users;
