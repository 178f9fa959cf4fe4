GRANT SELECT ON ctaudience.ct_profile_activity, ctaudience.ct_find_people, ctaudience.ct_usage,
	ctaudience.ct_import_log, ctaudience.ct_segment_daily, ctaudience.ct_inbox_status,
	ctaudience.ct_inbox_dead_letters TO ctaudience_reader;
