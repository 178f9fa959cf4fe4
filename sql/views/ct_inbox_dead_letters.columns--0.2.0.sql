COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.project_id IS 'the project the message was queued for';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.inbox_id IS 'its inbox id (for ct_requeue)';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.message_type IS 'the Firehose message type';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.message_id IS 'the Firehose message id';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.attempts IS 'how many times it was tried';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.enqueued_at IS 'when it was queued';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.processed_at IS 'when it died';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.last_sqlstate IS 'the SQLSTATE of its last error';
COMMENT ON COLUMN ctaudience.ct_inbox_dead_letters.last_error IS 'its last error message';
