-- Each project's export, for operators and BI tools: what it is set to,
-- whether it runs, how far it got, what waits and what failed.
CREATE VIEW ctaudience.ct_export_status AS
SELECT x.project_id,
	   x.export_type,
	   x.schedule,
	   x.every,
	   x.environment,
	   x.enabled,
	   x.status,
	   x.paused_reason,
	   x.next_run_at,
	   x.run_started_at,
	   coalesce(o.waiting, 0) AS waiting,
	   r.pending_since,
	   r.pending_attempts,
	   x.last_success_at,
	   x.last_error,
	   x.last_error_at,
	   x.requests_sent,
	   x.batches_sent,
	   x.events_sent,
	   x.profiles_sent,
	   x.cut,
	   coalesce(r.dead_letters, 0) AS dead_letters
  FROM ctaudience.ct_export x
  LEFT JOIN (SELECT o.project_id, count(*) AS waiting
			   FROM ctaudience.ct_export_outbox o
			  GROUP BY o.project_id) o ON o.project_id = x.project_id
  LEFT JOIN (SELECT r.project_id,
					min(r.created_at) FILTER (WHERE r.state = 'pending') AS pending_since,
					max(r.attempts) FILTER (WHERE r.state = 'pending') AS pending_attempts,
					count(*) FILTER (WHERE r.state = 'dead') AS dead_letters
			   FROM ctaudience.ct_export_request r
			  WHERE r.state <> 'accepted'
			  GROUP BY r.project_id) r ON r.project_id = x.project_id;
COMMENT ON VIEW ctaudience.ct_export_status IS 'each project''s export to mParticle: its settings, state, what waits, last success and error, what was sent, dead letters';
COMMENT ON COLUMN ctaudience.ct_export_status.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_export_status.export_type IS 'all_events, selected_events, engagement_events or user_properties';
COMMENT ON COLUMN ctaudience.ct_export_status.schedule IS 'once or recurring';
COMMENT ON COLUMN ctaudience.ct_export_status.every IS 'recurring: how often a run is due';
COMMENT ON COLUMN ctaudience.ct_export_status.environment IS 'production or development (mParticle''s environment)';
COMMENT ON COLUMN ctaudience.ct_export_status.enabled IS 'false: nothing is exported or queued for export';
COMMENT ON COLUMN ctaudience.ct_export_status.status IS 'active, paused or done';
COMMENT ON COLUMN ctaudience.ct_export_status.paused_reason IS 'why it is paused';
COMMENT ON COLUMN ctaudience.ct_export_status.next_run_at IS 'when the next run is due';
COMMENT ON COLUMN ctaudience.ct_export_status.run_started_at IS 'the cursor: when the run in progress started (NULL: none)';
COMMENT ON COLUMN ctaudience.ct_export_status.waiting IS 'events (and profiles, for user properties) waiting to be exported';
COMMENT ON COLUMN ctaudience.ct_export_status.pending_since IS 'since when a request waits for mParticle''s 202';
COMMENT ON COLUMN ctaudience.ct_export_status.pending_attempts IS 'how often that request was handed out';
COMMENT ON COLUMN ctaudience.ct_export_status.last_success_at IS 'when mParticle last accepted a request';
COMMENT ON COLUMN ctaudience.ct_export_status.last_error IS 'mParticle''s last answer other than 202, with its error (0: no answer); an erasure replaces it when it answered a request that carried the subject, whose error may quote it';
COMMENT ON COLUMN ctaudience.ct_export_status.last_error_at IS 'when';
COMMENT ON COLUMN ctaudience.ct_export_status.requests_sent IS 'requests mParticle accepted';
COMMENT ON COLUMN ctaudience.ct_export_status.batches_sent IS 'batches (one user each) in them';
COMMENT ON COLUMN ctaudience.ct_export_status.events_sent IS 'events in them';
COMMENT ON COLUMN ctaudience.ct_export_status.profiles_sent IS 'profiles in them';
COMMENT ON COLUMN ctaudience.ct_export_status.cut IS 'event names, attributes and values cut to mParticle''s limits';
COMMENT ON COLUMN ctaudience.ct_export_status.dead_letters IS 'requests mParticle refused (400), kept in ct_export_dead_letters';
REVOKE ALL ON ctaudience.ct_export_status FROM PUBLIC;
