-- The identity sequences of the extension's tables: on a distributed
-- cluster each node draws from a range of its own.
CREATE FUNCTION ctaudience.ct_identity_sequences() RETURNS SETOF regclass
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_get_serial_sequence(format('ctaudience.%I', c.relname), a.attname)::regclass
	  FROM pg_class c
	  JOIN pg_attribute a ON a.attrelid = c.oid
	 WHERE c.relnamespace = 'ctaudience'::regnamespace AND c.relkind = 'r'
	   AND a.attidentity <> '' AND NOT a.attisdropped
	 ORDER BY 1
$$;
COMMENT ON FUNCTION ctaudience.ct_identity_sequences() IS
	'the sequences of the identity columns of the extension''s tables';
REVOKE ALL ON FUNCTION ctaudience.ct_identity_sequences() FROM PUBLIC;
