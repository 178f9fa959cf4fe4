-- The inbox's run and the statistics' upkeep are the operator's: the
-- importer imports, and a receiver's role may still read the inbox's depth.
REVOKE EXECUTE ON FUNCTION ctaudience.ct_inbox_claim(), ctaudience.ct_inbox_answer(bigint),
	ctaudience.ct_process_inbox(integer), ctaudience.ct_compact_stats(text) FROM ctaudience_importer;
REVOKE EXECUTE ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) FROM ctaudience_importer;
GRANT USAGE ON SCHEMA ctaudience TO ctaudience_operator, ctaudience_scoped;
GRANT EXECUTE ON FUNCTION ctaudience.ct_inbox_claim(), ctaudience.ct_inbox_answer(bigint),
	ctaudience.ct_process_inbox(integer), ctaudience.ct_compact_stats(text), ctaudience.ct_requeue(bigint),
	ctaudience.ct_inbox_depth() TO ctaudience_operator, ctaudience_scoped;
GRANT EXECUTE ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer)
	TO ctaudience_operator, ctaudience_scoped;
GRANT SELECT ON ctaudience.ct_inbox_status, ctaudience.ct_inbox_dead_letters TO ctaudience_operator;
-- ctaudience_scoped: what the reader, sender, operator and exporter may
-- call and read; the functions and policies keep each to its projects.
GRANT SELECT ON ctaudience.ct_segments, ctaudience.ct_segment_stats, ctaudience.ct_profile_activity,
	ctaudience.ct_find_people, ctaudience.ct_usage, ctaudience.ct_import_log, ctaudience.ct_segment_daily,
	ctaudience.ct_inbox_status, ctaudience.ct_inbox_dead_letters, ctaudience.ct_campaigns,
	ctaudience.ct_campaign_results, ctaudience.ct_export_status, ctaudience.ct_export_dead_letters
	TO ctaudience_scoped;
GRANT EXECUTE ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date),
	ctaudience.ct_resolve_identity(text, text, text, text, text, text, text),
	ctaudience.ct_campaign_audience(bigint, text, integer), ctaudience.ct_campaign_take(bigint, integer),
	ctaudience.ct_record_delivery(text, bigint, text, text, timestamptz, jsonb),
	ctaudience.ct_export_due(), ctaudience.ct_export_claim(text, integer), ctaudience.ct_export_hold(text, bigint),
	ctaudience.ct_export_result(text, bigint, integer, text, integer),
	ctaudience.ct_project_visible(text, text[]) TO ctaudience_scoped;
