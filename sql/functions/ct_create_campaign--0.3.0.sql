CREATE OR REPLACE FUNCTION ctaudience.ct_create_campaign(project_id text, name text, channel text, kind text,
											  trigger_event text DEFAULT NULL,
											  trigger_filter jsonb DEFAULT '{}',
											  segment_ids bigint[] DEFAULT '{}',
											  recurring boolean DEFAULT false)
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id bigint;
BEGIN
	PERFORM ctaudience.ct_check_project(ct_create_campaign.project_id, '{operate}',
										unless_scoped => 'ctaudience.ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean)'::regprocedure);
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_create_campaign.project_id) THEN
		RAISE EXCEPTION 'unknown CleverTap project "%"', ct_create_campaign.project_id
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM ctaudience.ct_campaign_segments_exist(ct_create_campaign.project_id, ct_create_campaign.segment_ids);
	INSERT INTO ctaudience.ct_campaign (project_id, name, channel, kind, trigger_event, trigger_filter,
										segment_ids, recurring)
	VALUES (ct_create_campaign.project_id, ct_create_campaign.name, ct_create_campaign.channel,
			ct_create_campaign.kind, ct_create_campaign.trigger_event,
			coalesce(ct_create_campaign.trigger_filter, '{}'), coalesce(ct_create_campaign.segment_ids, '{}'),
			coalesce(ct_create_campaign.recurring, false))
	RETURNING campaign_id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean) IS
	'create a running campaign; returns its campaign_id (22023 for an unknown channel or kind, a live campaign without trigger event, Partner Sync on an in-app channel, a segment of another project)';
