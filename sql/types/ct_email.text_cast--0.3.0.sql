-- ct_email -> text through a function of the same bytes, no longer a binary
-- cast (0.1.0, 0.2.0): PostgreSQL 18 plans a LIKE prefix, starts_with or an
-- anchored regular expression on a binary cast as if on the ct_email under
-- it, and fails on the index of a type without a collation ("cache lookup
-- failed for collation 0").
DROP CAST (ctaudience.ct_email AS text);
CREATE FUNCTION ctaudience.ct_email_text(ctaudience.ct_email) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_email_text'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
COMMENT ON FUNCTION ctaudience.ct_email_text(ctaudience.ct_email) IS
	'the cast of ct_email to text: the normalized address as text';
CREATE CAST (ctaudience.ct_email AS text) WITH FUNCTION ctaudience.ct_email_text(ctaudience.ct_email)
	AS ASSIGNMENT;
