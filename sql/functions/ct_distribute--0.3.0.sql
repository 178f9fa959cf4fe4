CREATE OR REPLACE FUNCTION ctaudience.ct_distribute() RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	version text;
	node record;
	t text;
	f regprocedure;
	tables CONSTANT text[] := ARRAY['ct_profile', 'ct_segment', 'ct_segment_member', 'ct_event', 'ct_message',
									'ct_import_sample', 'ct_dsr_request', 'ct_segment_delta', 'ct_usage_delta',
									'ct_active_user_month', 'ct_campaign', 'ct_campaign_queue', 'ct_delivery',
									'ct_export', 'ct_export_outbox', 'ct_export_request', 'ct_profile_alias',
									'ct_journey', 'ct_journey_state', 'ct_journey_step'];
	-- Run on each placement of a distributed table (@shard@, a shard of
	-- @shell@): what the node's own table (updated by ALTER EXTENSION) has
	-- and the shard lacks, the shard is given: columns, indexes, triggers,
	-- row-level security and its policies, privileges on the table and its
	-- columns.  Citus carries none of an extension script's DDL to shards.
	align CONSTANT text := $align$
DO $do$
DECLARE
	shell CONSTANT regclass := '@shell@';
	shard CONSTANT regclass := '@shard@';
	shardid CONSTANT bigint := (regexp_match('@shard@', '_([0-9]+)$'))[1];
	a record;
BEGIN
	PERFORM set_config('client_min_messages', 'warning', true);
	FOR a IN SELECT s.attname, format_type(s.atttypid, s.atttypmod) AS type, s.attnotnull,
					pg_get_expr(d.adbin, d.adrelid) AS def,
					(SELECT quote_ident(c.collname) FROM pg_collation c
					  WHERE c.oid = s.attcollation AND s.attcollation <> ty.typcollation) AS coll
			   FROM pg_attribute s JOIN pg_type ty ON ty.oid = s.atttypid
			   LEFT JOIN pg_attrdef d ON d.adrelid = s.attrelid AND d.adnum = s.attnum
			  WHERE s.attrelid = shell AND s.attnum > 0 AND NOT s.attisdropped
				AND NOT EXISTS (SELECT 1 FROM pg_attribute x
								 WHERE x.attrelid = shard AND x.attname = s.attname AND NOT x.attisdropped)
			  ORDER BY s.attnum LOOP
		EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s', shard, a.attname, a.type) ||
			coalesce(' COLLATE ' || a.coll, '') || coalesce(' DEFAULT ' || a.def, '') ||
			CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END;
	END LOOP;
	-- (0.3.0's ct_profile.named is NULL in the rows of older versions: the
	-- import decides it, see tables/ct_profile.claims--0.3.0.sql)
	-- a key or index the shard has on other columns than the node's table
	-- (0.3.0 put project_id last in the import's keys) is built again
	FOR a IN SELECT c.conname || '_' || shardid AS name, pg_get_constraintdef(c.oid) AS def
			   FROM pg_constraint c JOIN pg_constraint x ON x.conname = c.conname || '_' || shardid
			  WHERE c.conrelid = shell AND x.conrelid = shard AND c.contype IN ('p', 'u')
				AND pg_get_constraintdef(x.oid) <> pg_get_constraintdef(c.oid) LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', shard, a.name, a.name, a.def);
	END LOOP;
	FOR a IN SELECT x.indexrelid::regclass AS old FROM pg_index i
			   JOIN pg_class ic ON ic.oid = i.indexrelid
			   JOIN pg_class xc ON xc.relname = ic.relname || '_' || shardid AND xc.relnamespace = ic.relnamespace
			   JOIN pg_index x ON x.indexrelid = xc.oid AND x.indrelid = shard
			  WHERE i.indrelid = shell AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
				AND regexp_replace(pg_get_indexdef(i.indexrelid), '^.*? USING ', '')
					<> regexp_replace(pg_get_indexdef(x.indexrelid), '^.*? USING ', '') LOOP
		EXECUTE format('DROP INDEX %s', a.old);
	END LOOP;
	FOR a IN SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
			  WHERE i.indrelid = shell AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) LOOP
		PERFORM worker_apply_shard_ddl_command(shardid, 'ctaudience',
			regexp_replace(a.def, '^CREATE (UNIQUE )?INDEX ', 'CREATE \1INDEX IF NOT EXISTS '));
	END LOOP;
	FOR a IN SELECT pg_get_triggerdef(t.oid) AS def FROM pg_trigger t
			  WHERE t.tgrelid = shell AND NOT t.tgisinternal	-- ctaudience's own, not Citus's
				AND (SELECT pronamespace FROM pg_proc WHERE oid = t.tgfoid) = 'ctaudience'::regnamespace
				AND NOT EXISTS (SELECT 1 FROM pg_trigger x WHERE x.tgrelid = shard
								   AND x.tgname IN (t.tgname, t.tgname || '_' || shardid)) LOOP
		PERFORM worker_apply_shard_ddl_command(shardid, 'ctaudience', a.def);
	END LOOP;
	IF (SELECT relrowsecurity AND NOT (SELECT relrowsecurity FROM pg_class WHERE oid = shard)
		  FROM pg_class WHERE oid = shell) THEN
		EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', shard);
	END IF;
	FOR a IN SELECT p.policyname, p.permissive, p.cmd, p.qual, p.with_check,
					(SELECT string_agg(CASE r WHEN 'public' THEN 'PUBLIC' ELSE quote_ident(r) END, ', ')
					   FROM unnest(p.roles) r) AS roles
			   FROM pg_policies p JOIN pg_class c ON c.relname = p.tablename
			  WHERE c.oid = shell AND p.schemaname = 'ctaudience'
				AND NOT EXISTS (SELECT 1 FROM pg_policy x WHERE x.polrelid = shard AND x.polname = p.policyname) LOOP
		EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s', a.policyname, shard, a.permissive, a.cmd, a.roles) ||
			coalesce(' USING (' || a.qual || ')', '') || coalesce(' WITH CHECK (' || a.with_check || ')', '');
	END LOOP;
	-- privileges: the table's, then each column's, as the node's table has them
	FOR a IN SELECT 'GRANT' AS verb, * FROM (
				SELECT g.privilege_type, g.grantee FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
				 WHERE c.oid = shell
				EXCEPT
				SELECT g.privilege_type, g.grantee FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
				 WHERE c.oid = shard) x
			  UNION ALL
			  SELECT 'REVOKE', * FROM (
				SELECT g.privilege_type, g.grantee FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
				 WHERE c.oid = shard
				EXCEPT
				SELECT g.privilege_type, g.grantee FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
				 WHERE c.oid = shell) y LOOP
		EXECUTE format('%s %s ON %s %s %s', a.verb, a.privilege_type, shard, CASE a.verb WHEN 'GRANT' THEN 'TO' ELSE 'FROM' END,
					   CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END);
	END LOOP;
	FOR a IN SELECT 'GRANT' AS verb, * FROM (
				SELECT s.attname, g.privilege_type, g.grantee FROM pg_attribute s, aclexplode(s.attacl) g
				 WHERE s.attrelid = shell AND s.attnum > 0 AND NOT s.attisdropped
				EXCEPT
				SELECT s.attname, g.privilege_type, g.grantee FROM pg_attribute s, aclexplode(s.attacl) g
				 WHERE s.attrelid = shard AND s.attnum > 0 AND NOT s.attisdropped) x
			  UNION ALL
			  SELECT 'REVOKE', * FROM (
				SELECT s.attname, g.privilege_type, g.grantee FROM pg_attribute s, aclexplode(s.attacl) g
				 WHERE s.attrelid = shard AND s.attnum > 0 AND NOT s.attisdropped
				EXCEPT
				SELECT s.attname, g.privilege_type, g.grantee FROM pg_attribute s, aclexplode(s.attacl) g
				 WHERE s.attrelid = shell AND s.attnum > 0 AND NOT s.attisdropped) y LOOP
		EXECUTE format('%s %s (%I) ON %s %s %s', a.verb, a.privilege_type, a.attname, shard,
					   CASE a.verb WHEN 'GRANT' THEN 'TO' ELSE 'FROM' END,
					   CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END);
	END LOOP;
END
$do$
$align$;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'ct_distribute() needs the citus extension in this database'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Install Citus on every node, CREATE EXTENSION citus and ctaudience on each, add the workers on the coordinator: see docs/scaling.md.';
	END IF;
	IF NOT citus_is_coordinator() THEN
		RAISE EXCEPTION 'ct_distribute() runs on the coordinator'
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary' AND isactive) THEN
		RAISE EXCEPTION 'the Citus cluster has no worker'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Add the workers first: SELECT citus_add_node(host, port).';
	END IF;
	SELECT extversion INTO version FROM pg_extension WHERE extname = 'ctaudience';
	FOR node IN SELECT * FROM run_command_on_workers(
		$q$SELECT coalesce((SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'ctaudience'), 'none')$q$)
	LOOP
		IF NOT node.success OR node.result <> version THEN
			RAISE EXCEPTION 'worker %:% has ctaudience %, the coordinator %', node.nodename, node.nodeport,
				CASE WHEN node.success THEN node.result ELSE 'unknown (' || node.result || ')' END, version
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'CREATE EXTENSION ctaudience (or ALTER EXTENSION ctaudience UPDATE) on every node first.';
		END IF;
	END LOOP;
	-- a second call (after ALTER EXTENSION ctaudience UPDATE) gives the
	-- shards made before what the update changed in their tables, and
	-- distributes only what a later version added
	IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'ctaudience.ct_profile'::regclass) THEN
		FOR t IN SELECT logicalrelid::text FROM pg_dist_partition
				  WHERE logicalrelid::regclass::text LIKE 'ctaudience.%' ORDER BY 1 LOOP
			FOR node IN SELECT * FROM run_command_on_placements(t::regclass,
				replace(replace(replace(align, '%', '%%'), '@shard@', '%1$s'), '@shell@', t)) LOOP
				IF NOT node.success THEN
					RAISE EXCEPTION 'could not bring shard % of % on %:% up to date: %', node.shardid, t,
						node.nodename, node.nodeport, node.result
						USING ERRCODE = 'object_not_in_prerequisite_state';
				END IF;
			END LOOP;
		END LOOP;
		IF NOT EXISTS (SELECT 1 FROM unnest(tables || ARRAY['ct_project', 'ct_project_grant']) t(name)
						WHERE NOT EXISTS (SELECT 1 FROM pg_dist_partition
										   WHERE logicalrelid = ('ctaudience.' || t.name)::regclass)) THEN
			RAISE NOTICE 'ctaudience is distributed already';
			RETURN;
		END IF;
	END IF;

	-- the triggers that derive Partner Sync events, statistics and usage
	-- act on the shards, inside the delegated import (see docs/scaling.md)
	PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
	-- the projects and who may act on them: a copy on every node
	FOREACH t IN ARRAY ARRAY['ct_project', 'ct_project_grant'] LOOP
		CONTINUE WHEN EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ('ctaudience.' || t)::regclass);
		PERFORM create_reference_table('ctaudience.' || t);
		PERFORM truncate_local_data_after_distributing_table('ctaudience.' || t);
	END LOOP;
	FOREACH t IN ARRAY tables LOOP
		CONTINUE WHEN EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = ('ctaudience.' || t)::regclass);
		IF t = 'ct_profile' THEN
			PERFORM create_distributed_table('ctaudience.ct_profile', 'project_id');
		ELSE
			PERFORM create_distributed_table('ctaudience.' || t, 'project_id', colocate_with => 'ctaudience.ct_profile');
		END IF;
		-- rows a single node had are in the shards now: the coordinator's copy goes
		PERFORM truncate_local_data_after_distributing_table('ctaudience.' || t);
	END LOOP;
	-- ct_inbox stays a table of the coordinator, where pg_cron answers it
	FOR f IN SELECT ctaudience.ct_distributed_functions() LOOP
		PERFORM create_distributed_function(f, '$1', colocate_with => 'ctaudience.ct_profile',
											force_delegation => true);
	END LOOP;
	-- (a second call: the sequences Citus knows from the first are altered
	-- as ctaudience's own, which Citus would refuse with DDL propagation on)
	FOR node IN SELECT * FROM run_command_on_workers(
		$q$SELECT ctaudience.ct_set_node_sequences()
			 FROM (SELECT pg_catalog.set_config('citus.enable_ddl_propagation', 'off', false)) AS off$q$) LOOP
		IF NOT node.success THEN
			RAISE EXCEPTION 'could not set the sequences of worker %:%: %', node.nodename, node.nodeport, node.result;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_distribute() IS
	'on a Citus coordinator: distribute the extension''s tables by project (ct_project a reference table, ct_inbox kept on the coordinator) and delegate the import functions to the node that holds the project; run again after ALTER EXTENSION ctaudience UPDATE, it distributes what the update added and gives the existing shards what it changed; see docs/scaling.md';
REVOKE ALL ON FUNCTION ctaudience.ct_distribute() FROM PUBLIC;
