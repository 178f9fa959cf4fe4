-- Two roles: importers may call the import functions only; readers may
-- read the views only.  Roles are cluster-wide and outlive the extension.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_importer') THEN
		CREATE ROLE ctaudience_importer NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'ctaudience_reader') THEN
		CREATE ROLE ctaudience_reader NOLOGIN;
	END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA ctaudience FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ctaudience FROM PUBLIC;
-- Type support functions stay callable by everyone, or the types are unusable.
GRANT EXECUTE ON FUNCTION
	ctaudience.ct_email_in(cstring), ctaudience.ct_email_out(ctaudience.ct_email),
	ctaudience.ct_email_recv(internal), ctaudience.ct_email_send(ctaudience.ct_email),
	ctaudience.ct_email_eq(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_ne(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_lt(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_le(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_gt(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_ge(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_hash(ctaudience.ct_email),
	ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8),
	ctaudience.ct_phone_in(cstring), ctaudience.ct_phone_out(ctaudience.ct_phone),
	ctaudience.ct_phone_recv(internal), ctaudience.ct_phone_send(ctaudience.ct_phone),
	ctaudience.ct_phone_eq(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_ne(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_lt(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_le(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_gt(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_ge(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_hash(ctaudience.ct_phone),
	ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8),
	ctaudience.ct_normalize_email(text), ctaudience.ct_normalize_phone(text, text),
	ctaudience.ct_phone_region_supported(text)
	TO PUBLIC;

GRANT USAGE ON SCHEMA ctaudience TO ctaudience_importer, ctaudience_reader;
GRANT EXECUTE ON FUNCTION
	ctaudience.ct_import_audience(jsonb),
	ctaudience.ct_import_audience(text),
	ctaudience.ct_firehose(jsonb),
	ctaudience.ct_firehose(text),
	ctaudience.ct_import_audience(text, text),
	ctaudience.ct_firehose(text, text),
	ctaudience.ct_preview_import(jsonb),
	ctaudience.ct_enqueue(jsonb),
	ctaudience.ct_enqueue(text),
	ctaudience.ct_firehose_enqueue(text),
	ctaudience.ct_inbox_depth(),
	ctaudience.ct_process_inbox(integer),
	ctaudience.ct_inbox_claim(),
	ctaudience.ct_inbox_answer(bigint),
	ctaudience.ct_compact_stats(text),
	ctaudience.ct_resolve_identity(text, text, text, text, text, text, text)
	TO ctaudience_importer;
GRANT EXECUTE ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) TO ctaudience_importer;
REVOKE ALL ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) FROM PUBLIC;
GRANT SELECT ON ctaudience.ct_segments, ctaudience.ct_segment_stats, ctaudience.ct_profile_activity,
	ctaudience.ct_find_people, ctaudience.ct_usage, ctaudience.ct_import_log, ctaudience.ct_segment_daily,
	ctaudience.ct_inbox_status, ctaudience.ct_inbox_dead_letters TO ctaudience_reader;
GRANT EXECUTE ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date),
	ctaudience.ct_resolve_identity(text, text, text, text, text, text, text) TO ctaudience_reader;

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

-- A receiver on a Citus coordinator routes by the message's project.
GRANT EXECUTE ON FUNCTION ctaudience.ct_message_project(text), ctaudience.ct_is_distributed()
	TO ctaudience_importer;
