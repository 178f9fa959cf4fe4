-- On a worker: let its identity sequences draw from the range of its
-- group (group << 48 onward), as Citus does for the sequences it manages,
-- so that an id made on one node is never made on another (a project's
-- shards may move).  Run by ct_distribute() through run_command_on_workers.
CREATE FUNCTION ctaudience.ct_set_node_sequences() RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	grp bigint;
	seq regclass;
	first bigint;
BEGIN
	EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
	IF grp IS NULL OR grp <= 0 THEN
		RETURN;
	END IF;
	first := (grp << 48) + 1;
	FOR seq IN SELECT ctaudience.ct_identity_sequences() LOOP
		IF (SELECT coalesce(s.last_value, 0) < first
			  FROM pg_sequences s
			 WHERE format('%I.%I', s.schemaname, s.sequencename)::regclass = seq) THEN
			EXECUTE format('ALTER SEQUENCE %s MINVALUE %s MAXVALUE %s START %s RESTART %s',
						   seq, first, ((grp + 1) << 48) - 1, first, first);
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_set_node_sequences() IS
	'on a Citus worker: make the identity sequences draw from the node''s own range (ct_distribute() runs it)';
REVOKE ALL ON FUNCTION ctaudience.ct_set_node_sequences() FROM PUBLIC;
