-- Stop a campaign.  Its own check rather than ct_update_campaign's: a role
-- outside ctaudience_scoped acts on every project only in a function it
-- may execute itself, and the owner may grant this one alone.
CREATE OR REPLACE FUNCTION ctaudience.ct_stop_campaign(campaign_id bigint) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
	journey bigint;
BEGIN
	SELECT x.project_id, x.journey_id INTO project, journey FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_stop_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_stop_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM ctaudience.ct_check_project(project, '{operate}', format('campaign %s', ct_stop_campaign.campaign_id),
										unless_scoped => 'ctaudience.ct_stop_campaign(bigint)'::regprocedure);
	-- a journey's send node: the journey's clock queues for it whatever its
	-- status, so it stops with its journey only
	IF journey IS NOT NULL THEN
		RAISE EXCEPTION 'campaign % is the send node of journey %', ct_stop_campaign.campaign_id, journey
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = format('Stop the journey: SELECT ctaudience.ct_stop_journey(%s).', journey);
	END IF;
	UPDATE ctaudience.ct_campaign c SET status = 'stopped' WHERE c.campaign_id = ct_stop_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_stop_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_stop_campaign(bigint) IS
	'stop a campaign: it qualifies no one from now on; rows already queued can still be taken; a journey''s campaign (kind journey): 55000, stop the journey (ct_stop_journey)';
REVOKE ALL ON FUNCTION ctaudience.ct_stop_campaign(bigint) FROM PUBLIC;
