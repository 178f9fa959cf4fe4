-- The import log: one row per processed message, every count of its
-- response, and its samples of what was skipped or invalid.
CREATE VIEW ctaudience.ct_import_log AS
SELECT m.project_id,
	   m.message_id,
	   m.message_type,
	   m.received_at,
	   m.message_ts,
	   m.duration,
	   round(extract(epoch FROM m.duration) * 1000, 3) AS duration_ms,
	   (m.counts ->> 'profiles')::bigint AS profiles,
	   (m.counts ->> 'added')::bigint AS added,
	   (m.counts ->> 'removed')::bigint AS removed,
	   (m.counts ->> 'unchanged')::bigint AS unchanged,
	   (m.counts ->> 'stale')::bigint AS stale,
	   (m.counts ->> 'anonymous')::bigint AS anonymous,
	   (m.counts ->> 'created_profiles')::bigint AS created_profiles,
	   (m.counts ->> 'invalid_email')::bigint AS invalid_email,
	   (m.counts ->> 'invalid_phone')::bigint AS invalid_phone,
	   (m.counts ->> 'rejected')::bigint AS rejected,
	   (m.counts ->> 'refused')::bigint AS refused,
	   (m.counts ->> 'hashed_only')::bigint AS hashed_only,
	   (m.counts ->> 'forbidden_identity')::bigint AS forbidden_identity,
	   (m.counts ->> 'invalid_attributes')::bigint AS invalid_attributes,
	   (m.counts ->> 'identity_conflicts')::bigint AS identity_conflicts,
	   (m.counts ->> 'profiles_erased')::bigint AS profiles_erased,
	   (SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
				'reason', s.reason, 'path', s.path, 'audience_id', s.audience_id, 'mpid', s.mpid)) ORDER BY s.n)
		  FROM ctaudience.ct_import_sample s
		 WHERE s.project_id = m.project_id AND s.message_id = m.message_id) AS samples
  FROM ctaudience.ct_message m;
