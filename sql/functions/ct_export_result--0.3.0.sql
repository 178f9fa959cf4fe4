-- mParticle's answer to a request: 202 moves the export on (the events
-- leave the outbox in the transaction that records it), 400 keeps the
-- request as a dead letter and moves on, 401 and 403 pause the project's
-- export with nothing skipped, anything else leaves it to be sent again.
CREATE FUNCTION ctaudience.ct_export_result(project_id text, request_id bigint, http_status integer,
											error text DEFAULT NULL, retry_after_seconds integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r ctaudience.ct_export_request;
	outcome text;
BEGIN
	IF project_id IS NULL OR request_id IS NULL OR http_status IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN project_id IS NULL THEN 'project_id' WHEN request_id IS NULL THEN 'request_id' ELSE 'http_status' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	error := left(error, 1024);
	PERFORM 1 FROM ctaudience.ct_export x WHERE x.project_id = ct_export_result.project_id FOR UPDATE;
	SELECT * INTO r FROM ctaudience.ct_export_request q
	 WHERE q.project_id = ct_export_result.project_id AND q.request_id = ct_export_result.request_id
	   FOR UPDATE;
	IF NOT FOUND OR r.state <> 'pending' THEN
		-- answered already, or erased with a subject meanwhile
		RETURN coalesce(r.state, 'gone');
	END IF;
	IF http_status BETWEEN 200 AND 299 THEN
		outcome := 'accepted';
	ELSIF http_status = 400 THEN
		outcome := 'dead';
	ELSIF http_status IN (401, 403) THEN
		outcome := 'paused';
	ELSE
		outcome := 'retry';
	END IF;

	IF outcome IN ('accepted', 'dead') THEN
		DELETE FROM ctaudience.ct_export_outbox o
		 USING unnest(r.ct_ids, r.event_ids) AS k(ct_id, event_id)
		 WHERE o.project_id = r.project_id AND o.ct_id = k.ct_id AND o.event_id = k.event_id;
		UPDATE ctaudience.ct_export_request q
		   SET state = outcome, http_status = ct_export_result.http_status, answered_at = now(), lease_until = NULL,
			   error = CASE WHEN outcome = 'dead' THEN ct_export_result.error END,
			   body = CASE WHEN outcome = 'dead' THEN q.body END,
			   ct_ids = CASE WHEN outcome = 'dead' THEN ARRAY(SELECT DISTINCT unnest(q.ct_ids)) END,
			   event_ids = NULL
		 WHERE q.project_id = r.project_id AND q.request_id = r.request_id;
	ELSE
		UPDATE ctaudience.ct_export_request q
		   SET http_status = ct_export_result.http_status, error = ct_export_result.error,
			   lease_until = CASE WHEN outcome = 'paused' THEN NULL
								  ELSE greatest(q.lease_until, now() + make_interval(secs => coalesce(retry_after_seconds, 0))) END
		 WHERE q.project_id = r.project_id AND q.request_id = r.request_id;
	END IF;

	UPDATE ctaudience.ct_export x
	   SET requests_sent = x.requests_sent + (outcome = 'accepted')::int,
		   batches_sent = x.batches_sent + CASE WHEN outcome = 'accepted' THEN r.batches ELSE 0 END,
		   events_sent = x.events_sent + CASE WHEN outcome = 'accepted' THEN r.events ELSE 0 END,
		   profiles_sent = x.profiles_sent + CASE WHEN outcome = 'accepted' THEN r.profiles ELSE 0 END,
		   cut = x.cut + CASE WHEN outcome = 'accepted' THEN r.cut ELSE 0 END,
		   last_success_at = CASE WHEN outcome = 'accepted' THEN now() ELSE x.last_success_at END,
		   last_error = CASE WHEN outcome = 'accepted' THEN x.last_error
							 ELSE format('%s%s', http_status, coalesce(': ' || error, '')) END,
		   last_error_at = CASE WHEN outcome = 'accepted' THEN x.last_error_at ELSE now() END,
		   status = CASE WHEN outcome = 'paused' THEN 'paused' ELSE x.status END,
		   paused_reason = CASE WHEN outcome = 'paused'
								THEN format('mParticle refused the feed''s credentials (%s): check the key and the secret, then ctaudience.ct_resume_export()', http_status)
								ELSE x.paused_reason END,
		   updated_at = now()
	 WHERE x.project_id = ct_export_result.project_id;
	IF outcome = 'paused' THEN
		RAISE WARNING 'ctaudience: the export of project "%" is paused: mParticle answered %', project_id, http_status
			USING HINT = 'Check the feed''s key and secret, then call ctaudience.ct_resume_export().';
	END IF;
	RETURN outcome;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_export_result(text, bigint, integer, text, integer) IS
	'record mParticle''s answer to an export request: accepted (2xx), dead (400: kept with its error), paused (401, 403) or retry (anything else, 0 for no answer); returns it';
REVOKE ALL ON FUNCTION ctaudience.ct_export_result(text, bigint, integer, text, integer) FROM PUBLIC;
