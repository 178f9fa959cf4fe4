COMMENT ON FUNCTION ctaudience.ct_enqueue(jsonb) IS
	'queue a Firehose message for ct_process_inbox: its type and credentials are checked now, and it is stored without its passcode; returns its inbox_id';
