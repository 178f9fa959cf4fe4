-- The inbox at a glance, without any message body: counts by project and
-- state, and every dead letter with its error.
CREATE VIEW ctaudience.ct_inbox_status AS
SELECT i.project_id,
	   i.status,
	   count(*) AS messages,
	   min(i.enqueued_at) AS oldest_enqueued_at,
	   min(i.next_attempt_at) FILTER (WHERE i.status = 'pending') AS next_attempt_at,
	   max(i.attempts) AS max_attempts
  FROM ctaudience.ct_inbox i
 GROUP BY i.project_id, i.status;
COMMENT ON VIEW ctaudience.ct_inbox_status IS 'the inbox per project and state (pending, done, dead): how many, the oldest, the next attempt; no message body';
