-- The keys lead with the CleverTap ID and the Identity, project_id last:
-- in a project's rows project_id is always the same, so every comparison
-- of an index entry on (project_id, ...) first compared two equal texts and
-- then had to find the next column past a variable-length one (the import's
-- B-tree entries were 44% of its instructions).  Every lookup by a profile
-- gives both columns; the names stay (the import probes these indexes by
-- name, in either column order).
ALTER TABLE ctaudience.ct_profile
	DROP CONSTRAINT ct_profile_pkey,
	ADD CONSTRAINT ct_profile_pkey PRIMARY KEY (ct_id, project_id),
	DROP CONSTRAINT ct_profile_identity_key,
	ADD CONSTRAINT ct_profile_identity_key UNIQUE (identity, project_id);
