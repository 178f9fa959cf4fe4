CREATE FUNCTION ctaudience.ct_record_event(project_id text, ct_id text, event_name text,
										   props jsonb DEFAULT '{}', ts timestamptz DEFAULT now())
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_record_event'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_record_event(text, text, text, jsonb, timestamptz) IS
	'record an app event of a profile (e.g. App Launched) and qualify it for live campaigns; returns its event_id; system events such as Partner Sync are refused (22023); counts in ct_usage';
