-- Normalize an email the way the import does; NULL when it is not an address.
CREATE FUNCTION ctaudience.ct_normalize_email(address text) RETURNS ctaudience.ct_email
	AS 'MODULE_PATHNAME', 'ct_normalize_email_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_normalize_email(text) IS
	'normalize an email address as the import does; NULL when it is not an address';
