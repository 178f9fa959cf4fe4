CREATE OR REPLACE FUNCTION ctaudience.ct_update_campaign(campaign_id bigint, name text DEFAULT NULL,
											  channel text DEFAULT NULL, kind text DEFAULT NULL,
											  trigger_event text DEFAULT NULL,
											  trigger_filter jsonb DEFAULT NULL,
											  segment_ids bigint[] DEFAULT NULL,
											  recurring boolean DEFAULT NULL,
											  status text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
	journey bigint;
	was text;
BEGIN
	SELECT x.project_id, x.journey_id, x.status INTO project, journey, was FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_update_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_update_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM ctaudience.ct_check_project(project, '{operate}', format('campaign %s', ct_update_campaign.campaign_id),
										unless_scoped => 'ctaudience.ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text)'::regprocedure);
	-- a journey's send node runs and stops with its journey (as
	-- ct_stop_campaign)
	IF journey IS NOT NULL AND ct_update_campaign.status IS DISTINCT FROM was AND ct_update_campaign.status IS NOT NULL THEN
		RAISE EXCEPTION 'campaign % is the send node of journey %: its status is the journey''s', ct_update_campaign.campaign_id, journey
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Stop the journey: SELECT ctaudience.ct_stop_journey(%s).', journey);
	END IF;
	IF ct_update_campaign.segment_ids IS NOT NULL THEN
		PERFORM ctaudience.ct_campaign_segments_exist(project, ct_update_campaign.segment_ids);
	END IF;
	UPDATE ctaudience.ct_campaign c
	   SET name = coalesce(ct_update_campaign.name, c.name),
		   channel = coalesce(ct_update_campaign.channel, c.channel),
		   kind = coalesce(ct_update_campaign.kind, c.kind),
		   trigger_event = CASE WHEN coalesce(ct_update_campaign.kind, c.kind) = 'past_behavior' THEN NULL
								ELSE coalesce(ct_update_campaign.trigger_event, c.trigger_event) END,
		   trigger_filter = coalesce(ct_update_campaign.trigger_filter, c.trigger_filter),
		   segment_ids = coalesce(ct_update_campaign.segment_ids, c.segment_ids),
		   recurring = coalesce(ct_update_campaign.recurring, c.recurring),
		   status = coalesce(ct_update_campaign.status, c.status)
	 WHERE c.campaign_id = ct_update_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_update_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text) IS
	'change the given fields of a campaign (NULL keeps a field), with the checks of ct_create_campaign; status running restarts a stopped one; the status of a journey''s campaign (kind journey) is its journey''s: 55000';
