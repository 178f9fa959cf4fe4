-- Its errors log no STATEMENT line: a literal body there holds the passcode.
CREATE OR REPLACE FUNCTION ctaudience.ct_preview_import(
	request jsonb,
	OUT profile int,
	OUT mpid text,
	OUT audience_index int,
	OUT audience_id bigint,
	OUT action text,
	OUT rule text,
	OUT key text,
	OUT ct_id text,
	OUT creates_profile boolean,
	OUT email ctaudience.ct_email,
	OUT phone ctaudience.ct_phone,
	OUT change text,
	OUT problem text)
RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'ct_preview_import'
	LANGUAGE C STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
	SET log_min_error_statement = panic;
