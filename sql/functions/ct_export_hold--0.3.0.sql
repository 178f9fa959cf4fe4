-- A claimed request held while the exporter posts it: the request row,
-- still pending, locked FOR KEY SHARE in the exporter's transaction, which
-- stays open across the post and commits after it.  An erasure of a subject
-- the request carries (src/dsr.c deletes the subject's requests not
-- accepted) that committed since the claim leaves no row: false, and the
-- exporter does not post it; one that comes during the post waits for the
-- exporter's commit, so it is ordered after the post.  The lock conflicts
-- with a DELETE (and an update of the key) only: claims and answers of the
-- request are not held up, and the hold takes no other lock, so an erasure
-- waiting for it cannot deadlock with it.  Outside a transaction block the
-- lock would end with the call: 25P01.  On a Citus coordinator the SELECT
-- goes to the worker that holds the project, in the coordinator's
-- transaction (not a delegated function: Citus delegates none inside a
-- transaction block).
CREATE FUNCTION ctaudience.ct_export_hold(project_id text, request_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF ct_export_hold.project_id IS NULL OR ct_export_hold.request_id IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN ct_export_hold.project_id IS NULL THEN 'project_id' ELSE 'request_id' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_project(ct_export_hold.project_id, '{export}');
	-- the first statement of a transaction: no BEGIN before it (documented:
	-- the two are equal during a transaction's first command only)
	IF statement_timestamp() = transaction_timestamp() THEN
		RAISE EXCEPTION 'ct_export_hold must be called in a transaction block'
			USING ERRCODE = 'no_active_sql_transaction',
				  HINT = 'BEGIN, hold, post, COMMIT: the lock lasts as long as the transaction.';
	END IF;
	-- the lock takes a transaction id, whose commit would wait for the WAL
	-- flush (several milliseconds a request); a hold lost in a crash is no
	-- loss, as the lock ends with the server.  For the rest of this
	-- transaction (not a SET clause, which would end with the call); on
	-- Citus, the coordinator's transaction only
	PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
	PERFORM 1 FROM ctaudience.ct_export_request r
	  WHERE r.project_id = ct_export_hold.project_id AND r.request_id = ct_export_hold.request_id
		AND r.state = 'pending'
	  FOR KEY SHARE;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_export_hold(text, bigint) IS
	'lock a claimed export request, still pending, until the transaction ends (call it in one, post, then commit): false when it was erased or answered since the claim (do not post it); an erasure meanwhile waits for the commit';
REVOKE ALL ON FUNCTION ctaudience.ct_export_hold(text, bigint) FROM PUBLIC;
