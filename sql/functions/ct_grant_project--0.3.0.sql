-- Give a role a project for a capability.  The role joins
-- ctaudience_scoped, which holds the SQL privileges; from then on it reads,
-- sends, operates or exports in the projects granted to it (or to a role
-- it has the privileges of), and in no other.
CREATE FUNCTION ctaudience.ct_grant_project(role name, project_id text, capability text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	gone text;
	n bigint;
BEGIN
	IF ct_grant_project.role IS NULL OR project_id IS NULL OR capability IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN ct_grant_project.role IS NULL THEN 'role' WHEN project_id IS NULL THEN 'project_id' ELSE 'capability' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF capability NOT IN ('read', 'send', 'operate', 'export') THEN
		RAISE EXCEPTION 'unknown capability "%"', capability
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The capabilities are read, send, operate and export.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = ct_grant_project.role) THEN
		RAISE EXCEPTION 'role "%" does not exist', ct_grant_project.role USING ERRCODE = 'undefined_object';
	END IF;
	IF ct_grant_project.role = 'ctaudience_scoped' THEN
		RAISE EXCEPTION 'ctaudience_scoped is given no project'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Every role given a project is a member of ctaudience_scoped: a project of its own would go to all of them.';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_grant_project.project_id) THEN
		PERFORM ctaudience.ct_unknown_project(project_id);
	END IF;
	-- the rows of roles dropped since: a role created later under the name gets none
	FOR gone IN SELECT DISTINCT g.role FROM ctaudience.ct_project_grant g LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = gone) THEN
			DELETE FROM ctaudience.ct_project_grant g WHERE g.role = gone;
		END IF;
	END LOOP;
	-- a role not yet in ctaudience_scoped has no grant: rows under its name
	-- are those of a role dropped or renamed since (grants are kept by name)
	IF NOT pg_has_role(ct_grant_project.role, 'ctaudience_scoped', 'MEMBER') THEN
		DELETE FROM ctaudience.ct_project_grant g WHERE g.role = ct_grant_project.role;
	END IF;
	INSERT INTO ctaudience.ct_project_grant AS g (project_id, role, capability)
	VALUES (ct_grant_project.project_id, ct_grant_project.role, ct_grant_project.capability)
	ON CONFLICT DO NOTHING;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF NOT pg_has_role(ct_grant_project.role, 'ctaudience_scoped', 'MEMBER') THEN
		EXECUTE format('GRANT ctaudience_scoped TO %I', ct_grant_project.role);
	END IF;
	RETURN n > 0;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_grant_project(name, text, text) IS
	'give a role a project for a capability (read, send, operate or export): the role joins ctaudience_scoped and acts only in the projects granted to it; true when the grant is new';
REVOKE ALL ON FUNCTION ctaudience.ct_grant_project(name, text, text) FROM PUBLIC;
