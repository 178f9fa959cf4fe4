COMMENT ON VIEW ctaudience.ct_import_log IS 'one row per processed Firehose message: counts, duration and up to 20 samples of what was skipped or invalid';
