-- Scheduled imports: messages queued by ct_enqueue(), answered by
-- ct_process_inbox().  The body is kept without its passcode.
CREATE TABLE ctaudience.ct_inbox (
	project_id text COLLATE "C" NOT NULL,
	inbox_id bigint GENERATED ALWAYS AS IDENTITY,
	message_type text NOT NULL,
	message_id text NOT NULL,
	body jsonb NOT NULL,
	status text NOT NULL DEFAULT 'pending'
		CONSTRAINT ct_inbox_status_check CHECK (status IN ('pending', 'done', 'dead')),
	attempts integer NOT NULL DEFAULT 0,
	enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	processed_at timestamptz,
	response jsonb,
	last_sqlstate text,
	last_error text,
	PRIMARY KEY (project_id, inbox_id),
	CONSTRAINT ct_inbox_no_passcode CHECK (NOT (body -> 'account' -> 'account_settings') ? 'passcode')
);
CREATE INDEX ct_inbox_due_idx ON ctaudience.ct_inbox (next_attempt_at, inbox_id) WHERE status = 'pending';
