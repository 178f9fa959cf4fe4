-- The functions a distributed cluster runs on the node that holds the
-- project named by their first argument.
CREATE OR REPLACE FUNCTION ctaudience.ct_distributed_functions() RETURNS SETOF regprocedure
	LANGUAGE sql IMMUTABLE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT f::regprocedure
	  FROM unnest(ARRAY['ctaudience.ct_import_audience(text, text)',
						'ctaudience.ct_firehose(text, text)',
						'ctaudience.ct_answer_queued(text, jsonb)',
						'ctaudience.ct_record_event(text, text, text, jsonb, timestamptz)',
						'ctaudience.ct_record_delivery(text, bigint, text, text, timestamptz, jsonb)',
						'ctaudience.ct_export_claim(text, integer)',
						'ctaudience.ct_export_result(text, bigint, integer, text, integer)',
						'ctaudience.ct_advance_project_journeys(text, integer, timestamptz)']) AS f
$$;
COMMENT ON FUNCTION ctaudience.ct_distributed_functions() IS
	'the functions ct_distribute() delegates, by their first argument (the project id), to the node that holds the project';
