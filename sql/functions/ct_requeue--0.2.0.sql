CREATE OR REPLACE FUNCTION ctaudience.ct_requeue(inbox_id bigint) RETURNS boolean
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF inbox_id IS NULL THEN
		RAISE EXCEPTION 'inbox_id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	UPDATE ctaudience.ct_inbox AS i
	   SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
	 WHERE i.inbox_id = ct_requeue.inbox_id AND i.status = 'dead';
	RETURN FOUND;
END
$$;
