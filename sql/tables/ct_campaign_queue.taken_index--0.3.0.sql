-- a delivery's check that its profile was taken from its campaign; the
-- profile first, project_id last, as in the queue's other keys
-- (ct_campaign_queue.key_order)
CREATE INDEX ct_campaign_queue_taken_idx ON ctaudience.ct_campaign_queue (ct_id, campaign_id, project_id)
	WHERE taken_at IS NOT NULL;
