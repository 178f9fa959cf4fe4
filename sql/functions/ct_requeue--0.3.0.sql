CREATE OR REPLACE FUNCTION ctaudience.ct_requeue(inbox_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	project text;
BEGIN
	IF inbox_id IS NULL THEN
		RAISE EXCEPTION 'inbox_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- a dead message, found through ct_inbox_dead_idx (no index leads with
	-- inbox_id, and answered messages are kept); then its row by the key
	SELECT i.project_id INTO project FROM ctaudience.ct_inbox i
	 WHERE i.inbox_id = ct_requeue.inbox_id AND i.status = 'dead';
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM ctaudience.ct_check_project(project, '{operate}', format('inbox message %s', ct_requeue.inbox_id));
	UPDATE ctaudience.ct_inbox AS i
	   SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
	 WHERE i.project_id = project AND i.inbox_id = ct_requeue.inbox_id AND i.status = 'dead';
	RETURN FOUND;
END
$$;
