-- Passcode hashing lives in C (PBKDF2-SHA-256 with a random salt).
CREATE FUNCTION ctaudience.ct_passcode_hash(passcode text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_passcode_hash' LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_passcode_hash(text) IS
	'salted PBKDF2-SHA-256 verifier of a passcode, in the form stored by ct_project';
