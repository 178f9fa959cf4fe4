CREATE FUNCTION ctaudience.ct_record_delivery(project_id text, campaign_id bigint, ct_id text, outcome text,
											  ts timestamptz DEFAULT now(), props jsonb DEFAULT '{}')
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_record_delivery'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_record_delivery(text, bigint, text, text, timestamptz, jsonb) IS
	'a sender reports what happened to a profile it took from a campaign: sent, delivered (Push Impressions: push, web_push), viewed, clicked, replied (whatsapp), webhook_delivered (webhook) or control_group, recorded as CleverTap''s event with the campaign''s attributes; returns its event_id; 22023 unless the profile was taken from the campaign (a past-behavior campaign: is in its segments, or was reported for it before) and the outcome exists for its channel; a retry (same project, campaign, profile, outcome and ts) is recorded once and returns the first event_id; counts in ct_usage';
REVOKE ALL ON FUNCTION ctaudience.ct_record_delivery(text, bigint, text, text, timestamptz, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_record_delivery(text, bigint, text, text, timestamptz, jsonb) TO ctaudience_sender;
