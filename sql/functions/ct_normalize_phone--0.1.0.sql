-- Read a national or international number with a default region.
CREATE FUNCTION ctaudience.ct_normalize_phone(number text, default_country text DEFAULT NULL) RETURNS ctaudience.ct_phone
	AS 'MODULE_PATHNAME', 'ct_normalize_phone_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_normalize_phone(text, text) IS
	'parse a phone number, reading national numbers with the given ISO 3166 country; NULL when invalid';
