CREATE FUNCTION ctaudience.ct_is_system_event(name text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_is_system_event'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_is_system_event(text) IS
	'whether an event name is one CleverTap raises itself (Partner Sync, Notification Sent, ...): ct_record_event refuses it, and only Partner Sync can trigger a campaign';
