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
	r record;
	outcome text;
	at CONSTANT timestamptz := now();	-- values, not calls: Citus plans the statements below
	problem text;
	reason text;
	retry_until timestamptz;
BEGIN
	IF project_id IS NULL OR request_id IS NULL OR http_status IS NULL THEN
		RAISE EXCEPTION '% must not be null',
			CASE WHEN project_id IS NULL THEN 'project_id' WHEN request_id IS NULL THEN 'request_id' ELSE 'http_status' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM ctaudience.ct_check_project(project_id, '{export}');
	error := left(error, 1024);
	PERFORM 1 FROM ctaudience.ct_export x WHERE x.project_id = ct_export_result.project_id FOR UPDATE;
	-- not the body: 256 KB read for nothing
	SELECT q.request_id, q.state, q.batches, q.events, q.profiles, q.cut, q.ct_ids, q.event_ids
	  INTO r FROM ctaudience.ct_export_request q
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
		 WHERE o.project_id = ct_export_result.project_id AND o.ct_id = k.ct_id AND o.event_id = k.event_id;
	END IF;
	IF outcome = 'accepted' THEN
		UPDATE ctaudience.ct_export_request q
		   SET state = 'accepted', http_status = ct_export_result.http_status, answered_at = at,
			   lease_until = NULL, body = NULL, ct_ids = NULL, event_ids = NULL
		 WHERE q.project_id = ct_export_result.project_id AND q.request_id = r.request_id;
		UPDATE ctaudience.ct_export x
		   SET requests_sent = x.requests_sent + 1, batches_sent = x.batches_sent + r.batches,
			   events_sent = x.events_sent + r.events, profiles_sent = x.profiles_sent + r.profiles,
			   cut = x.cut + r.cut, last_success_at = at, updated_at = at
		 WHERE x.project_id = ct_export_result.project_id;
		RETURN outcome;
	END IF;

	problem := format('%s%s', http_status, coalesce(': ' || error, ''));
	IF outcome = 'dead' THEN
		-- a dead letter keeps its body and whose it is (for an erasure)
		UPDATE ctaudience.ct_export_request q
		   SET state = 'dead', http_status = ct_export_result.http_status, answered_at = at, lease_until = NULL,
			   error = ct_export_result.error, ct_ids = ARRAY(SELECT DISTINCT unnest(r.ct_ids)), event_ids = NULL
		 WHERE q.project_id = ct_export_result.project_id AND q.request_id = r.request_id;
	ELSE
		retry_until := at + make_interval(secs => coalesce(retry_after_seconds, 0));
		UPDATE ctaudience.ct_export_request q
		   SET http_status = ct_export_result.http_status, error = ct_export_result.error,
			   lease_until = CASE WHEN outcome = 'paused' THEN NULL ELSE greatest(q.lease_until, retry_until) END
		 WHERE q.project_id = ct_export_result.project_id AND q.request_id = r.request_id;
	END IF;
	IF outcome = 'paused' THEN
		reason := format('mParticle refused the feed''s credentials (%s): check the key and the secret, then ctaudience.ct_resume_export()',
						 http_status);
		UPDATE ctaudience.ct_export x
		   SET status = 'paused', paused_reason = reason, last_error = problem, last_error_at = at, updated_at = at
		 WHERE x.project_id = ct_export_result.project_id;
		RAISE WARNING 'ctaudience: the export of project "%" is paused: mParticle answered %', project_id, http_status
			USING HINT = 'Check the feed''s key and secret, then call ctaudience.ct_resume_export().';
	ELSE
		UPDATE ctaudience.ct_export x
		   SET last_error = problem, last_error_at = at, updated_at = at
		 WHERE x.project_id = ct_export_result.project_id;
	END IF;
	RETURN outcome;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_export_result(text, bigint, integer, text, integer) IS
	'record mParticle''s answer to an export request: accepted (2xx), dead (400: kept with its error), paused (401, 403) or retry (anything else, 0 for no answer); returns it';
REVOKE ALL ON FUNCTION ctaudience.ct_export_result(text, bigint, integer, text, integer) FROM PUBLIC;
