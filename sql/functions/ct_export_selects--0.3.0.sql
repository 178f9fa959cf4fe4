-- Which events an export takes: all but Partner Sync (which would echo
-- mParticle's own audiences back), the selected names (Partner Sync only
-- when named), or the campaign outcomes; user properties take none.
CREATE FUNCTION ctaudience.ct_export_selects(export_type text, events text[], event_name text) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN CASE export_type
		WHEN 'all_events' THEN event_name <> 'Partner Sync'
		WHEN 'selected_events' THEN event_name = ANY (events)
		WHEN 'engagement_events' THEN ctaudience.ct_event_kind(event_name) = 'engagement'
		ELSE false END;
COMMENT ON FUNCTION ctaudience.ct_export_selects(text, text[], text) IS
	'whether an export of export_type (with its selected events) takes an event of that name';
REVOKE ALL ON FUNCTION ctaudience.ct_export_selects(text, text[], text) FROM PUBLIC;
