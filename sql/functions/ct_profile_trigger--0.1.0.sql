-- Profiles: reachable-by-email/phone statistics and property-update usage.
CREATE FUNCTION ctaudience.ct_profile_trigger() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ct_profile_trigger' LANGUAGE C
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_profile_trigger() IS
	'keeps reachable-by-email/phone statistics and property-update usage (trigger on ct_profile)';
CREATE TRIGGER ct_profile_insert
	AFTER INSERT ON ctaudience.ct_profile
	REFERENCING NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_profile_trigger();
CREATE TRIGGER ct_profile_update
	AFTER UPDATE ON ctaudience.ct_profile
	REFERENCING OLD TABLE AS ct_old NEW TABLE AS ct_new
	FOR EACH STATEMENT EXECUTE FUNCTION ctaudience.ct_profile_trigger();
