CREATE FUNCTION ctaudience.ct_event_kind(name text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_event_kind_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_event_kind(text) IS
	'who raises an event: app (an app''s own, and App Launched), partner (Partner Sync: imports), engagement (a campaign''s outcome: ct_record_delivery) or lifecycle (App Installed, App Uninstalled, ...: recorded by the owner)';
REVOKE ALL ON FUNCTION ctaudience.ct_event_kind(text) FROM PUBLIC;
