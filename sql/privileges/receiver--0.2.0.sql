REVOKE ALL ON FUNCTION ctaudience.ct_enqueue(text), ctaudience.ct_firehose_enqueue(text),
	ctaudience.ct_inbox_depth() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_enqueue(text), ctaudience.ct_firehose_enqueue(text),
	ctaudience.ct_inbox_depth() TO ctaudience_importer;
