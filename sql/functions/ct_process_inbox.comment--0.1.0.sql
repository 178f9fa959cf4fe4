COMMENT ON FUNCTION ctaudience.ct_process_inbox(integer) IS
	'answer up to max_messages due messages of ct_inbox, oldest first, each in its own subtransaction (SKIP LOCKED: several sessions may run it); failures are kept with their error, retried, then dead-lettered';
