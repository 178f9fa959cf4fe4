-- Per-project roles.  ctaudience_operator runs the inbox and folds the
-- statistics of every project (the importer only imports);
-- ctaudience_scoped carries the SQL privileges of the reader, sender,
-- operator and exporter but by itself no project: a role that joins it
-- (ct_grant_project makes it join) acts on the projects granted to it.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_operator') THEN
		CREATE ROLE ctaudience_operator NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_scoped') THEN
		CREATE ROLE ctaudience_scoped NOLOGIN;
	END IF;
END
$$;
