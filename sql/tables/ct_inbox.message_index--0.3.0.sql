-- A message id is queued once per project: a redelivery finds its row
-- (pending, dead, or answered and kept for ctaudience.inbox_retention) and
-- is answered with its inbox_id, storing nothing.  message_id is the
-- canonical text of the UUID, however the message wrote it.
CREATE UNIQUE INDEX ct_inbox_message_idx ON ctaudience.ct_inbox (project_id, message_id);
COMMENT ON COLUMN ctaudience.ct_inbox.message_id IS 'the Firehose message id, as a UUID prints; one row per message id and project';
