-- The export: ctaudience-exporter's role asks what is due, claims requests,
-- holds each while it posts it and records mParticle's answers; the owner
-- configures, pauses and resumes; readers see its status, its dead letters
-- and campaign results.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_exporter') THEN
		CREATE ROLE ctaudience_exporter NOLOGIN;
	END IF;
END
$$;
GRANT USAGE ON SCHEMA ctaudience TO ctaudience_exporter;
GRANT EXECUTE ON FUNCTION ctaudience.ct_export_due(), ctaudience.ct_export_claim(text, integer),
	ctaudience.ct_export_hold(text, bigint), ctaudience.ct_export_result(text, bigint, integer, text, integer)
	TO ctaudience_exporter;
GRANT SELECT ON ctaudience.ct_export_status TO ctaudience_exporter, ctaudience_reader;
GRANT SELECT ON ctaudience.ct_export_dead_letters TO ctaudience_reader;
GRANT SELECT ON ctaudience.ct_campaign_results TO ctaudience_reader, ctaudience_sender;
