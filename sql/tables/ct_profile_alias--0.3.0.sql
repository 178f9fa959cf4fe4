-- The CleverTap IDs of profiles merged into another (identity rule 1): a
-- later lookup by such an ID (a Partner ID, ct_resolve_identity, an event
-- recorded for it) finds the profile it was merged into.
CREATE TABLE ctaudience.ct_profile_alias (
	project_id text COLLATE "C" NOT NULL,
	alias text COLLATE "C" NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	merged_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, alias)
);
-- an erasure of the profile removes its aliases
CREATE INDEX ct_profile_alias_profile_idx ON ctaudience.ct_profile_alias (project_id, ct_id);
COMMENT ON TABLE ctaudience.ct_profile_alias IS 'CleverTap IDs of profiles merged into another (alias), and the profile they resolve to now (ct_id)';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_profile_alias', '');
REVOKE ALL ON ctaudience.ct_profile_alias FROM PUBLIC;
