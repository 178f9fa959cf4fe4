REVOKE ALL ON FUNCTION ctaudience.ct_import_audience(text, text), ctaudience.ct_firehose(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_import_audience(text, text), ctaudience.ct_firehose(text, text) TO ctaudience_importer;
