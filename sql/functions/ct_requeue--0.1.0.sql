CREATE FUNCTION ctaudience.ct_requeue(inbox_id bigint) RETURNS boolean
	LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	WITH requeued AS (
		UPDATE ctaudience.ct_inbox
		   SET status = 'pending', attempts = 0, next_attempt_at = clock_timestamp()
		 WHERE ct_inbox.inbox_id = ct_requeue.inbox_id AND status = 'dead'
		RETURNING 1)
	SELECT count(*) > 0 FROM requeued
$$;
