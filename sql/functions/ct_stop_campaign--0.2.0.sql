CREATE FUNCTION ctaudience.ct_stop_campaign(campaign_id bigint) RETURNS void
	LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	BEGIN ATOMIC
		SELECT ctaudience.ct_update_campaign(ct_stop_campaign.campaign_id, status => 'stopped');
	END;
COMMENT ON FUNCTION ctaudience.ct_stop_campaign(bigint) IS
	'stop a campaign: it qualifies no one from now on; rows already queued can still be taken';
