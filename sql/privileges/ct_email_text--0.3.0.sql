-- The cast of ct_email to text is a type support function: callable by
-- everyone, as the others are (privileges/schema--0.1.0.sql).
GRANT EXECUTE ON FUNCTION ctaudience.ct_email_text(ctaudience.ct_email) TO PUBLIC;
