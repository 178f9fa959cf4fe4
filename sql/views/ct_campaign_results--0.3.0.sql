-- Each campaign's results per UTC day: profiles queued and taken, and
-- what senders reported of them (ct_record_delivery).
CREATE VIEW ctaudience.ct_campaign_results AS
SELECT c.project_id,
	   c.campaign_id,
	   c.name,
	   c.channel,
	   r.day,
	   sum(r.queued)::bigint AS queued,
	   sum(r.taken)::bigint AS taken,
	   sum(r.sent)::bigint AS sent,
	   sum(r.delivered)::bigint AS delivered,
	   sum(r.viewed)::bigint AS viewed,
	   sum(r.clicked)::bigint AS clicked,
	   sum(r.replied)::bigint AS replied,
	   sum(r.webhook_delivered)::bigint AS webhook_delivered,
	   sum(r.control_group)::bigint AS control_group
  FROM ctaudience.ct_campaign c
  JOIN (SELECT q.project_id, q.campaign_id, (q.qualified_at AT TIME ZONE 'UTC')::date AS day,
			   count(*) AS queued, 0 AS taken, 0 AS sent, 0 AS delivered, 0 AS viewed, 0 AS clicked,
			   0 AS replied, 0 AS webhook_delivered, 0 AS control_group
		  FROM ctaudience.ct_campaign_queue q
		 GROUP BY q.project_id, q.campaign_id, (q.qualified_at AT TIME ZONE 'UTC')::date
		UNION ALL
		SELECT q.project_id, q.campaign_id, (q.taken_at AT TIME ZONE 'UTC')::date,
			   0, count(*), 0, 0, 0, 0, 0, 0, 0
		  FROM ctaudience.ct_campaign_queue q
		 WHERE q.taken_at IS NOT NULL
		 GROUP BY q.project_id, q.campaign_id, (q.taken_at AT TIME ZONE 'UTC')::date
		UNION ALL
		SELECT d.project_id, d.campaign_id, (d.ts AT TIME ZONE 'UTC')::date, 0, 0,
			   count(*) FILTER (WHERE d.outcome = 'sent'),
			   count(*) FILTER (WHERE d.outcome = 'delivered'),
			   count(*) FILTER (WHERE d.outcome = 'viewed'),
			   count(*) FILTER (WHERE d.outcome = 'clicked'),
			   count(*) FILTER (WHERE d.outcome = 'replied'),
			   count(*) FILTER (WHERE d.outcome = 'webhook_delivered'),
			   count(*) FILTER (WHERE d.outcome = 'control_group')
		  FROM ctaudience.ct_delivery d
		 GROUP BY d.project_id, d.campaign_id, (d.ts AT TIME ZONE 'UTC')::date) r
	ON r.project_id = c.project_id AND r.campaign_id = c.campaign_id
 GROUP BY c.project_id, c.campaign_id, c.name, c.channel, r.day;
COMMENT ON VIEW ctaudience.ct_campaign_results IS 'each campaign''s results per UTC day: profiles queued and taken by senders, and the outcomes senders reported (sent, delivered, viewed, clicked, ...)';
COMMENT ON COLUMN ctaudience.ct_campaign_results.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_campaign_results.campaign_id IS 'the campaign';
COMMENT ON COLUMN ctaudience.ct_campaign_results.name IS 'its name';
COMMENT ON COLUMN ctaudience.ct_campaign_results.channel IS 'its channel';
COMMENT ON COLUMN ctaudience.ct_campaign_results.day IS 'the UTC day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.queued IS 'profiles its live trigger qualified that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.taken IS 'queued profiles senders took that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.sent IS 'Notification Sent reported for that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.delivered IS 'Push Impressions (delivered) reported for that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.viewed IS 'Notification Viewed reported for that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.clicked IS 'Notification Clicked reported for that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.replied IS 'Notification Replied reported for that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.webhook_delivered IS 'Webhook Delivered reported for that day';
COMMENT ON COLUMN ctaudience.ct_campaign_results.control_group IS 'profiles held back as the control group that day';
REVOKE ALL ON ctaudience.ct_campaign_results FROM PUBLIC;
