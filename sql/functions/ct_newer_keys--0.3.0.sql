-- The keys whose time in ts (properties_ts) is newer than in than: the
-- user attributes of a merged profile (its properties: props) that win over
-- the survivor's (than_props).  On equal times a deletion wins (the key
-- absent from props: the merged profile's deletion is taken; absent from
-- than_props: the survivor's stays), else the smaller value, their JSON
-- texts compared byte by byte, as the import breaks the same tie.
CREATE FUNCTION ctaudience.ct_newer_keys(ts jsonb, than jsonb, props jsonb, than_props jsonb) RETURNS text[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	RETURN ARRAY(SELECT e.key FROM jsonb_each(ts) AS e
				  WHERE jsonb_typeof(e.value) = 'number'
					AND (jsonb_typeof(than -> e.key) IS DISTINCT FROM 'number'
						 OR e.value::numeric > (than ->> e.key)::numeric
						 OR (e.value::numeric = (than ->> e.key)::numeric
							 AND (NOT coalesce(props ? e.key, false)
								  OR (props -> e.key)::text COLLATE "C" < (than_props -> e.key)::text COLLATE "C")))
				  ORDER BY e.key);
COMMENT ON FUNCTION ctaudience.ct_newer_keys(jsonb, jsonb, jsonb, jsonb) IS
	'the keys of a properties_ts whose time is newer than in another, or equal and the value deleted or smaller (the attributes a merged profile brings)';
REVOKE ALL ON FUNCTION ctaudience.ct_newer_keys(jsonb, jsonb, jsonb, jsonb) FROM PUBLIC;
