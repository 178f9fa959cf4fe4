-- Every view is read with its reader's rights, so that the row-level
-- security of the tables behind it applies to whoever reads it (a view
-- runs with its owner's, who is not subject to it, otherwise).  A role that
-- may read a view may read the columns of the tables it shows, and no
-- other: the grants are worked out from the views' own dependencies.
-- Included again by an upgrade that adds a view or a reader.
DO $$
DECLARE
	view_oid regclass;
	c record;
BEGIN
	FOR view_oid IN SELECT oid FROM pg_class WHERE relnamespace = 'ctaudience'::regnamespace AND relkind = 'v' LOOP
		EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', view_oid);
	END LOOP;
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
