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
	-- a second call distributes only what a later version added
	IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'ctaudience.ct_profile'::regclass) THEN
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
	FOR node IN SELECT * FROM run_command_on_workers('SELECT ctaudience.ct_set_node_sequences()') LOOP
		IF NOT node.success THEN
			RAISE EXCEPTION 'could not set the sequences of worker %:%: %', node.nodename, node.nodeport, node.result;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_distribute() IS
	'on a Citus coordinator: distribute the extension''s tables by project (ct_project a reference table, ct_inbox kept on the coordinator) and delegate the import functions to the node that holds the project; see docs/scaling.md';
REVOKE ALL ON FUNCTION ctaudience.ct_distribute() FROM PUBLIC;
