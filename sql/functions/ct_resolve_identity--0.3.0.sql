-- Its errors log no STATEMENT, CONTEXT or DETAIL line: a caller's statement
-- there may hold the passcode as a literal.
CREATE OR REPLACE FUNCTION ctaudience.ct_resolve_identity(
	project_id text,
	partner_id text DEFAULT NULL,
	customer_id text DEFAULT NULL,
	mparticle_id text DEFAULT NULL,
	email text DEFAULT NULL,
	phone text DEFAULT NULL,
	passcode text DEFAULT NULL,
	OUT rule text,
	OUT key text,
	OUT ct_id text,
	OUT email ctaudience.ct_email,
	OUT phone ctaudience.ct_phone)
	AS 'MODULE_PATHNAME', 'ct_resolve_identity'
	LANGUAGE C STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET log_min_error_statement = panic SET log_error_verbosity = terse
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) IS
	'apply the import''s identity rules to one user without writing: rule, key, existing ct_id, normalized email and phone; needs the project''s passcode unless the caller is a member of ctaudience_reader';

REVOKE ALL ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) TO ctaudience_importer;
GRANT EXECUTE ON FUNCTION ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) TO ctaudience_reader;
