-- Views are read with their reader's rights, so that the row-level
-- security of the tables behind them applies to whoever reads them (a view
-- runs with its owner's, who is not subject to it, otherwise).  A role that
-- may read a view may read the columns of the tables it shows, and no
-- other: the grants below are worked out from the views' own dependencies.
ALTER VIEW ctaudience.ct_segments SET (security_invoker = true);
ALTER VIEW ctaudience.ct_segment_stats SET (security_invoker = true);
ALTER VIEW ctaudience.ct_profile_activity SET (security_invoker = true);
ALTER VIEW ctaudience.ct_find_people SET (security_invoker = true);
ALTER VIEW ctaudience.ct_usage SET (security_invoker = true);
ALTER VIEW ctaudience.ct_import_log SET (security_invoker = true);
ALTER VIEW ctaudience.ct_segment_daily SET (security_invoker = true);
ALTER VIEW ctaudience.ct_inbox_status SET (security_invoker = true);
ALTER VIEW ctaudience.ct_inbox_dead_letters SET (security_invoker = true);
ALTER VIEW ctaudience.ct_campaigns SET (security_invoker = true);
ALTER VIEW ctaudience.ct_campaign_results SET (security_invoker = true);
ALTER VIEW ctaudience.ct_export_status SET (security_invoker = true);
ALTER VIEW ctaudience.ct_export_dead_letters SET (security_invoker = true);
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT DISTINCT t.oid::regclass AS tab, a.attname, r.rolname
		  FROM pg_class v
		  JOIN pg_rewrite w ON w.ev_class = v.oid
		  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
						  AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
		  JOIN pg_class t ON t.oid = d.refobjid AND t.relkind = 'r'
		  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
		 CROSS JOIN LATERAL aclexplode(v.relacl) x
		  JOIN pg_roles r ON r.oid = x.grantee
		 WHERE v.relnamespace = 'ctaudience'::regnamespace AND v.relkind = 'v'
		   AND x.privilege_type = 'SELECT' AND x.grantee <> v.relowner
		 ORDER BY 1, 2, 3
	LOOP
		EXECUTE format('GRANT SELECT (%I) ON %s TO %I', c.attname, c.tab, c.rolname);
	END LOOP;
END
$$;
