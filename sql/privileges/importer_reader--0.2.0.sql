GRANT EXECUTE ON FUNCTION
	ctaudience.ct_import_audience(jsonb),
	ctaudience.ct_import_audience(text),
	ctaudience.ct_firehose(jsonb),
	ctaudience.ct_firehose(text),
	ctaudience.ct_preview_import(jsonb),
	ctaudience.ct_enqueue(jsonb),
	ctaudience.ct_process_inbox(integer),
	ctaudience.ct_compact_stats(text)
	TO ctaudience_importer;
GRANT SELECT ON ctaudience.ct_segments, ctaudience.ct_segment_stats TO ctaudience_reader;
GRANT EXECUTE ON FUNCTION ctaudience.ct_segment_trend(bigint, int, date) TO ctaudience_reader;
