-- Engage: readers see campaigns and their audiences; senders take from
-- the queue.  ct_record_event checks no passcode (it writes to any project):
-- it stays with the owner, who grants it to the event pipeline's role.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_sender') THEN
		CREATE ROLE ctaudience_sender NOLOGIN;
	END IF;
END
$$;
REVOKE ALL ON ctaudience.ct_campaign, ctaudience.ct_campaign_queue, ctaudience.ct_campaigns FROM PUBLIC;
REVOKE ALL ON FUNCTION ctaudience.ct_campaign_check(), ctaudience.ct_is_system_event(text), ctaudience.ct_campaign_segments_exist(text, bigint[]), ctaudience.ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean),
	ctaudience.ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text),
	ctaudience.ct_stop_campaign(bigint), ctaudience.ct_record_event(text, text, text, jsonb, timestamptz),
	ctaudience.ct_campaign_audience(bigint, text, integer), ctaudience.ct_campaign_take(bigint, integer) FROM PUBLIC;
GRANT USAGE ON SCHEMA ctaudience TO ctaudience_sender;
GRANT SELECT ON ctaudience.ct_campaigns TO ctaudience_reader, ctaudience_sender;
GRANT EXECUTE ON FUNCTION ctaudience.ct_campaign_audience(bigint, text, integer) TO ctaudience_reader, ctaudience_sender;
GRANT EXECUTE ON FUNCTION ctaudience.ct_campaign_take(bigint, integer) TO ctaudience_sender;
