-- The keys whose time in ts (properties_ts) is newer than in than: the
-- user attributes of a merged profile that win over the survivor's.
CREATE FUNCTION ctaudience.ct_newer_keys(ts jsonb, than jsonb) RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN ARRAY(SELECT e.key FROM jsonb_each(ts) AS e
				  WHERE jsonb_typeof(e.value) = 'number'
					AND (jsonb_typeof(than -> e.key) IS DISTINCT FROM 'number'
						 OR e.value::numeric > (than ->> e.key)::numeric)
				  ORDER BY e.key);
COMMENT ON FUNCTION ctaudience.ct_newer_keys(jsonb, jsonb) IS
	'the keys of a properties_ts whose time is newer than in another (the attributes a merged profile brings)';
REVOKE ALL ON FUNCTION ctaudience.ct_newer_keys(jsonb, jsonb) FROM PUBLIC;
