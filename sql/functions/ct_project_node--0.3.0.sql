-- Where a project is kept on a Citus cluster: the host and port (as
-- pg_dist_node names them) of the node that holds the project's shard group,
-- when that is another node than this one and it has Citus's metadata (so a
-- call made there is answered there, or sent on by Citus).  Both NULL on a
-- single node, when this node holds the project, or when no such node is
-- known.  ctaudience-receiver asks the coordinator once per project and then
-- sends the project's messages to that worker itself; asked again on the
-- worker with each message, it tells the receiver that the shards moved.
CREATE FUNCTION ctaudience.ct_project_node(project_id text, OUT node_host text, OUT node_port integer)
	RETURNS record
	LANGUAGE plpgsql STABLE STRICT
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NOT ctaudience.ct_is_distributed() THEN
		RETURN;
	END IF;
	SELECT n.nodename, n.nodeport INTO node_host, node_port
	  FROM pg_dist_placement pl
	  JOIN pg_dist_node n ON n.groupid = pl.groupid
	 WHERE pl.shardid = get_shard_id_for_distribution_column('ctaudience.ct_profile', project_id)
	   AND n.groupid <> (SELECT groupid FROM pg_dist_local_group)
	   AND n.noderole = 'primary' AND n.isactive AND n.hasmetadata AND n.metadatasynced
	 ORDER BY n.nodeid
	 LIMIT 1;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_project_node(text) IS
	'on a Citus cluster, the host and port of the other node that holds the project (what a receiver sends its messages to); NULL when this node holds it, or on a single node';
REVOKE ALL ON FUNCTION ctaudience.ct_project_node(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_project_node(text) TO ctaudience_importer;
