CREATE FUNCTION ctaudience.ct_phone_region_supported(region text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_phone_region_supported_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_phone_region_supported(text) IS
	'true when libphonenumber can read national numbers of this ISO 3166 country';
