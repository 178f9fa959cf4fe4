
-- ---------------------------------------------------------------------
-- Scale-out on Citus (docs/scaling.md)
-- ---------------------------------------------------------------------

-- An inbox message answered on the node that holds its project: what
-- ct_inbox_answer runs there, through Citus, on a distributed cluster.
-- Like the inbox, it checks no passcode (ct_enqueue checked it): it is
-- the owner's alone.
CREATE FUNCTION ctaudience.ct_answer_queued(project_id text, request jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'ct_answer_queued'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
COMMENT ON FUNCTION ctaudience.ct_answer_queued(text, jsonb) IS
	'answer an inbox message of project_id (its passcode was checked when it was queued); the inbox calls it on the node that holds the project';
REVOKE ALL ON FUNCTION ctaudience.ct_answer_queued(text, jsonb) FROM PUBLIC;

-- The project a message names, read from its text without building it:
-- what a receiver on a Citus coordinator routes ct_firehose(project_id,
-- request) by.  A receiver passes ct_message_project($1) and $1: as
-- IMMUTABLE the planner reads it once, and Citus sends the call to the
-- node that holds the project.
CREATE FUNCTION ctaudience.ct_message_project(request text) RETURNS text
	AS 'MODULE_PATHNAME', 'ct_message_project'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_message_project(text) IS
	'the project (account.account_settings.accountId) a Firehose message names; NULL when it names none or is not JSON';

CREATE FUNCTION ctaudience.ct_is_distributed() RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_is_distributed'
	LANGUAGE C STABLE;
COMMENT ON FUNCTION ctaudience.ct_is_distributed() IS
	'whether ct_distribute() distributed this database''s tables over a Citus cluster';

-- The functions a distributed cluster runs on the node that holds the
-- project named by their first argument.
CREATE FUNCTION ctaudience.ct_distributed_functions() RETURNS SETOF regprocedure
	LANGUAGE sql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT f::regprocedure
	  FROM unnest(ARRAY['ctaudience.ct_import_audience(text, text)',
						'ctaudience.ct_firehose(text, text)',
						'ctaudience.ct_answer_queued(text, jsonb)',
						'ctaudience.ct_record_event(text, text, text, jsonb, timestamptz)']) AS f
$$;
COMMENT ON FUNCTION ctaudience.ct_distributed_functions() IS
	'the functions ct_distribute() delegates, by their first argument (the project id), to the node that holds the project';
REVOKE ALL ON FUNCTION ctaudience.ct_message_project(text), ctaudience.ct_is_distributed(),
	ctaudience.ct_distributed_functions() FROM PUBLIC;

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

CREATE FUNCTION ctaudience.ct_distribute() RETURNS void
	LANGUAGE plpgsql VOLATILE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	version text;
	node record;
	t text;
	f regprocedure;
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
	IF EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'ctaudience.ct_profile'::regclass) THEN
		RAISE NOTICE 'ctaudience is distributed already';
		RETURN;
	END IF;

	-- the triggers that derive Partner Sync events, statistics and usage
	-- act on the shards, inside the delegated import (see docs/scaling.md)
	PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
	PERFORM create_reference_table('ctaudience.ct_project');
	PERFORM create_distributed_table('ctaudience.ct_profile', 'project_id');
	FOREACH t IN ARRAY ARRAY['ct_segment', 'ct_segment_member', 'ct_event', 'ct_message', 'ct_import_sample',
							 'ct_dsr_request', 'ct_segment_delta', 'ct_usage_delta', 'ct_active_user_month',
							 'ct_campaign', 'ct_campaign_queue'] LOOP
		PERFORM create_distributed_table('ctaudience.' || t, 'project_id', colocate_with => 'ctaudience.ct_profile');
	END LOOP;
	-- rows a single node had are in the shards now: the coordinator's copy goes
	FOREACH t IN ARRAY ARRAY['ct_project', 'ct_profile', 'ct_segment', 'ct_segment_member', 'ct_event', 'ct_message',
							 'ct_import_sample', 'ct_dsr_request', 'ct_segment_delta', 'ct_usage_delta',
							 'ct_active_user_month', 'ct_campaign', 'ct_campaign_queue'] LOOP
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
