-- The functions refuse a segment the project does not have (the trigger
-- refuses only another project's, so that a restore can load campaigns
-- before segments).
CREATE FUNCTION ctaudience.ct_campaign_segments_exist(project_id text, segment_ids bigint[]) RETURNS void
	LANGUAGE plpgsql STABLE
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	missing bigint;
BEGIN
	SELECT s.id INTO missing
	  FROM unnest(segment_ids) s(id)
	 WHERE NOT EXISTS (SELECT 1 FROM ctaudience.ct_segment g
						WHERE g.project_id = ct_campaign_segments_exist.project_id AND g.segment_id = s.id)
	 LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'segment % is not a segment of project "%"', missing, project_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use the segment_id of one of the project''s segments (ctaudience.ct_segments).';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_segments_exist(text, bigint[]) IS
	'raise 22023 unless every segment id is one of the project''s segments (used by ct_create_campaign and ct_update_campaign)';
