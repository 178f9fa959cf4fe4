COMMENT ON TABLE ctaudience.ct_inbox IS 'queued Firehose messages (without their passcode) for ct_process_inbox: pending, done (with the response) or dead (with the error)';
COMMENT ON COLUMN ctaudience.ct_inbox.project_id IS 'the project the message was authenticated for when it was queued';
COMMENT ON COLUMN ctaudience.ct_inbox.status IS 'pending (due at next_attempt_at), done, or dead: failed for good (see last_sqlstate, last_error); ct_requeue() retries it';
COMMENT ON COLUMN ctaudience.ct_inbox.attempts IS 'how many times ct_process_inbox() has tried the message';
