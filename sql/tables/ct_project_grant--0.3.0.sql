-- Which role may do what in which project (ct_grant_project): a role that
-- joined ctaudience_scoped acts on a project only with a row here naming
-- it, or a role it has the privileges of, for the capability.  Roles are
-- named, not numbered, so that a row means the same role on every node of
-- a Citus cluster and after a restore into another cluster (an OID column,
-- regrole, would not: Citus copies a reference table's rows to a new node
-- in binary, OIDs and all).  So that a name's next role inherits nothing,
-- ct_grant_project drops a name's rows when its role is new to
-- ctaudience_scoped.
CREATE TABLE ctaudience.ct_project_grant (
	project_id text COLLATE "C" NOT NULL,
	role text COLLATE "C" NOT NULL,
	capability text NOT NULL
		CONSTRAINT ct_project_grant_capability_check CHECK (capability IN ('read', 'send', 'operate', 'export')),
	PRIMARY KEY (project_id, role, capability)
);
COMMENT ON TABLE ctaudience.ct_project_grant IS 'the projects given to roles (ct_grant_project): a member of ctaudience_scoped reads, sends, operates or exports only in the projects granted to it or to a role it has the privileges of';
COMMENT ON COLUMN ctaudience.ct_project_grant.role IS 'the role''s name';
COMMENT ON COLUMN ctaudience.ct_project_grant.capability IS 'read (the views), send (take and report for campaigns), operate (the inbox, statistics upkeep, the owner''s functions granted to it) or export (ctaudience-exporter)';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_project_grant', '');
REVOKE ALL ON ctaudience.ct_project_grant FROM PUBLIC;
