GRANT EXECUTE ON FUNCTION
	ctaudience.ct_import_audience(jsonb),
	ctaudience.ct_import_audience(text),
	ctaudience.ct_firehose(jsonb),
	ctaudience.ct_firehose(text),
	ctaudience.ct_preview_import(jsonb),
	ctaudience.ct_enqueue(jsonb),
	ctaudience.ct_process_inbox(integer),
	ctaudience.ct_requeue(bigint),
	ctaudience.ct_schedule_inbox(text, integer, text),
	ctaudience.ct_compact_stats(text),
	ctaudience.ct_resolve_identity(text, text, text, text, text, text)
	TO ctaudience_importer;
GRANT SELECT ON ctaudience.ct_segments, ctaudience.ct_segment_stats, ctaudience.ct_profile_activity,
	ctaudience.ct_find_people, ctaudience.ct_usage, ctaudience.ct_import_log TO ctaudience_reader;
GRANT EXECUTE ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date) TO ctaudience_reader;
