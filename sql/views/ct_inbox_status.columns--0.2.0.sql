COMMENT ON COLUMN ctaudience.ct_inbox_status.project_id IS 'the project the messages were queued for';
COMMENT ON COLUMN ctaudience.ct_inbox_status.status IS 'pending, done or dead';
COMMENT ON COLUMN ctaudience.ct_inbox_status.messages IS 'how many';
COMMENT ON COLUMN ctaudience.ct_inbox_status.oldest_enqueued_at IS 'when the oldest was queued';
COMMENT ON COLUMN ctaudience.ct_inbox_status.next_attempt_at IS 'pending: when the next is due';
COMMENT ON COLUMN ctaudience.ct_inbox_status.max_attempts IS 'the most attempts any of them had';
