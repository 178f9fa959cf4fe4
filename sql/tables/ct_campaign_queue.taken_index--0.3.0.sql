-- a delivery's check that its profile was taken from its campaign
CREATE INDEX ct_campaign_queue_taken_idx ON ctaudience.ct_campaign_queue (project_id, campaign_id, ct_id)
	WHERE taken_at IS NOT NULL;
