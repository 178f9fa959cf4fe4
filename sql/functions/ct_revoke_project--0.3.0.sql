-- Take projects back from a role.  It stays in ctaudience_scoped: a role
-- with no project left acts on none (REVOKE ctaudience_scoped to end that).
CREATE FUNCTION ctaudience.ct_revoke_project(role name, project_id text DEFAULT NULL, capability text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n bigint;
BEGIN
	IF ct_revoke_project.role IS NULL THEN
		RAISE EXCEPTION 'role must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	DELETE FROM ctaudience.ct_project_grant g
	 WHERE g.role = ct_revoke_project.role
	   AND (ct_revoke_project.project_id IS NULL OR g.project_id = ct_revoke_project.project_id)
	   AND (ct_revoke_project.capability IS NULL OR g.capability = ct_revoke_project.capability);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_revoke_project(name, text, text) IS
	'take a project (NULL: every project) for a capability (NULL: every capability) back from a role; the role stays in ctaudience_scoped, so one with no project left acts on none; how many grants went';
REVOKE ALL ON FUNCTION ctaudience.ct_revoke_project(name, text, text) FROM PUBLIC;
