-- The campaigns, for readers and senders (who read views, not tables).
CREATE VIEW ctaudience.ct_campaigns AS
SELECT c.project_id, c.campaign_id, c.name, c.channel, c.kind, c.trigger_event, c.trigger_filter,
	   c.segment_ids, c.recurring, c.status, c.created_at, c.updated_at,
	   coalesce(q.queued, 0) AS queued
  FROM ctaudience.ct_campaign c
  LEFT JOIN (SELECT q.project_id, q.campaign_id, count(*) AS queued
			   FROM ctaudience.ct_campaign_queue q
			  WHERE q.taken_at IS NULL
			  GROUP BY q.project_id, q.campaign_id) q ON q.project_id = c.project_id AND q.campaign_id = c.campaign_id;
COMMENT ON VIEW ctaudience.ct_campaigns IS 'the campaigns, with how many qualified profiles wait in the queue';
COMMENT ON COLUMN ctaudience.ct_campaigns.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_campaigns.campaign_id IS 'the campaign''s id';
COMMENT ON COLUMN ctaudience.ct_campaigns.name IS 'the campaign name';
COMMENT ON COLUMN ctaudience.ct_campaigns.channel IS 'the messaging channel';
COMMENT ON COLUMN ctaudience.ct_campaigns.kind IS 'past_behavior or live_behavior';
COMMENT ON COLUMN ctaudience.ct_campaigns.trigger_event IS 'live: the event that qualifies a profile';
COMMENT ON COLUMN ctaudience.ct_campaigns.trigger_filter IS 'live: properties the event must contain';
COMMENT ON COLUMN ctaudience.ct_campaigns.segment_ids IS 'the segments it targets';
COMMENT ON COLUMN ctaudience.ct_campaigns.recurring IS 'live: queue on every occurrence (else once per profile)';
COMMENT ON COLUMN ctaudience.ct_campaigns.status IS 'running or stopped';
COMMENT ON COLUMN ctaudience.ct_campaigns.created_at IS 'when it was created';
COMMENT ON COLUMN ctaudience.ct_campaigns.updated_at IS 'when it last changed';
COMMENT ON COLUMN ctaudience.ct_campaigns.queued IS 'qualified profiles not yet taken by a sender';
