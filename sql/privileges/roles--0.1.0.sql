-- Two roles: importers may call the import functions only; readers may
-- read the views only.  Roles are cluster-wide and outlive the extension.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_importer') THEN
		CREATE ROLE ctaudience_importer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_reader') THEN
		CREATE ROLE ctaudience_reader NOLOGIN;
	END IF;
END
$$;
