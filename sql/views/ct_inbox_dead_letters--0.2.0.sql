CREATE VIEW ctaudience.ct_inbox_dead_letters AS
SELECT i.project_id,
	   i.inbox_id,
	   i.message_type,
	   i.message_id,
	   i.attempts,
	   i.enqueued_at,
	   i.processed_at,
	   i.last_sqlstate,
	   i.last_error
  FROM ctaudience.ct_inbox i
 WHERE i.status = 'dead';
COMMENT ON VIEW ctaudience.ct_inbox_dead_letters IS 'inbox messages that failed for good, with their SQLSTATE and error (no body); ctaudience.ct_requeue(inbox_id) queues one again';
