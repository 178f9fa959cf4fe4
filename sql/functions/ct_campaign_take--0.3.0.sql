-- Hand up to n queued rows of a campaign to a sender, oldest first, and
-- mark them taken.  Rows another session is taking are skipped, so
-- concurrent senders never get the same row.
CREATE OR REPLACE FUNCTION ctaudience.ct_campaign_take(campaign_id bigint, n integer DEFAULT 100)
	RETURNS TABLE (queue_id bigint, project_id text, ct_id text, event_name text,
				   event_ts timestamptz, event_props jsonb, qualified_at timestamptz)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	IF ct_campaign_take.campaign_id IS NULL OR ct_campaign_take.n IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN ct_campaign_take.campaign_id IS NULL THEN 'campaign_id' ELSE 'n' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- by the campaign's project, so that a Citus cluster routes it to one shard
	SELECT c.project_id INTO project FROM ctaudience.ct_campaign c WHERE c.campaign_id = ct_campaign_take.campaign_id;
	IF FOUND THEN
		PERFORM ctaudience.ct_check_project(project, '{send}', format('campaign %s', ct_campaign_take.campaign_id));
	END IF;
	RETURN QUERY
	WITH picked AS (
		SELECT q.project_id, q.queue_id
		  FROM ctaudience.ct_campaign_queue q
		 WHERE q.project_id = project AND q.campaign_id = ct_campaign_take.campaign_id AND q.taken_at IS NULL
		 ORDER BY q.queue_id
		 LIMIT greatest(ct_campaign_take.n, 0)
		   FOR UPDATE SKIP LOCKED)
	UPDATE ctaudience.ct_campaign_queue q
	   SET taken_at = now()
	  FROM picked
	 WHERE q.project_id = project AND q.project_id = picked.project_id AND q.queue_id = picked.queue_id
	RETURNING q.queue_id, q.project_id::text, q.ct_id::text, q.event_name, q.event_ts, q.event_props, q.qualified_at;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_take(bigint, integer) IS
	'take up to n queued rows of a campaign (oldest first) and mark them taken; safe from several sessions at once (FOR UPDATE SKIP LOCKED); at most once: taken rows are final (they stay in ct_campaign_queue with taken_at), so a sender that stops before sending loses them; NULLs 22004';
