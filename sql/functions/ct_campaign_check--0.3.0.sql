-- Channels a Partner Sync can trigger: it is not an SDK event, so the
-- channels shown inside an app or a web page while the user is there
-- cannot use it.
CREATE OR REPLACE FUNCTION ctaudience.ct_campaign_check() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	all_channels CONSTANT text[] := ARRAY['push', 'email', 'sms', 'whatsapp', 'webhook', 'web_push',
		'in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	sdk_only CONSTANT text[] := ARRAY['in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	foreign_segment bigint;
BEGIN
	-- the table's constraints would refuse these too, but as 23502 or 23514
	-- with the whole row in the detail
	IF NEW.name IS NULL OR NEW.channel IS NULL OR NEW.kind IS NULL OR NEW.status IS NULL THEN
		RAISE EXCEPTION 'a campaign''s % must not be null',
			CASE WHEN NEW.name IS NULL THEN 'name' WHEN NEW.channel IS NULL THEN 'channel'
				 WHEN NEW.kind IS NULL THEN 'kind' ELSE 'status' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF octet_length(NEW.name) NOT BETWEEN 1 AND 512 THEN
		RAISE EXCEPTION 'a campaign''s name must be 1 to 512 bytes long, not %', octet_length(NEW.name)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NEW.status NOT IN ('running', 'stopped') THEN
		RAISE EXCEPTION 'unknown campaign status "%"', left(NEW.status, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use running or stopped (ctaudience.ct_stop_campaign stops a campaign).';
	END IF;
	IF NEW.channel IS NULL OR NOT NEW.channel = ANY (all_channels) THEN
		RAISE EXCEPTION 'unknown campaign channel "%"', NEW.channel
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of ' || array_to_string(all_channels, ', ') || '.';
	END IF;
	IF NEW.kind IS NULL OR NEW.kind NOT IN ('past_behavior', 'live_behavior', 'journey') THEN
		RAISE EXCEPTION 'unknown campaign kind "%"', NEW.kind
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use past_behavior or live_behavior.';
	END IF;
	-- a journey's send node: made and changed by the journey's functions
	IF (NEW.kind = 'journey') <> (NEW.journey_id IS NOT NULL AND NEW.journey_node IS NOT NULL)
	   OR NEW.kind = 'journey' AND (NEW.trigger_event IS NOT NULL OR cardinality(NEW.segment_ids) > 0) THEN
		RAISE EXCEPTION 'a campaign of kind journey is a journey''s send node, and only such a campaign has a journey'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A journey makes the campaigns of its send nodes when it starts (ctaudience.ct_start_journey).';
	END IF;
	IF TG_OP = 'UPDATE' AND OLD.kind = 'journey'
	   AND (NEW.kind, NEW.channel, NEW.journey_id, NEW.journey_node) IS DISTINCT FROM
		   (OLD.kind, OLD.channel, OLD.journey_id, OLD.journey_node) THEN
		RAISE EXCEPTION 'campaign % is the send node "%" of journey %', OLD.campaign_id, OLD.journey_node, OLD.journey_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'A journey cannot change once it is live: stop it and create a new one.';
	END IF;
	IF NEW.kind = 'live_behavior' AND (NEW.trigger_event IS NULL OR NEW.trigger_event = '') THEN
		RAISE EXCEPTION 'a live_behavior campaign needs a trigger event'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the event that qualifies a profile, e.g. Partner Sync or App Launched.';
	END IF;
	IF NEW.kind = 'past_behavior' AND NEW.trigger_event IS NOT NULL THEN
		RAISE EXCEPTION 'a past_behavior campaign has no trigger event'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Make it a live_behavior campaign to trigger on "%s".', NEW.trigger_event);
	END IF;
	IF NEW.kind = 'past_behavior' AND cardinality(NEW.segment_ids) = 0 THEN
		RAISE EXCEPTION 'a past_behavior campaign needs at least one segment'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the segments whose members it sends to in segment_ids.';
	END IF;
	IF NEW.trigger_event <> 'Partner Sync' AND ctaudience.ct_is_system_event(NEW.trigger_event) THEN
		RAISE EXCEPTION 'the system event "%" cannot trigger a campaign', NEW.trigger_event
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Of the events CleverTap raises itself, only Partner Sync reaches a campaign here; other triggers are app events recorded with ct_record_event.';
	END IF;
	IF NEW.trigger_event = 'Partner Sync' AND NEW.channel = ANY (sdk_only) THEN
		RAISE EXCEPTION 'the Partner Sync event cannot trigger % campaigns', NEW.channel
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Partner Sync is raised by an import, not by the SDK in an app or a web page, so '
						   || array_to_string(sdk_only, ', ') || ' cannot show it.',
				  HINT = 'Channels that can use Partner Sync: '
						 || array_to_string(ARRAY(SELECT c FROM unnest(all_channels) c
												   WHERE NOT c = ANY (sdk_only)), ', ') || '.';
	END IF;
	IF jsonb_typeof(NEW.trigger_filter) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'trigger_filter must be a JSON object of event properties, not %',
			coalesce(jsonb_typeof(NEW.trigger_filter), 'null')
			USING ERRCODE = 'invalid_parameter_value', HINT = 'For example {"Action": "Added"}.';
	END IF;
	IF array_position(NEW.segment_ids, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'segment_ids must not contain NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- A segment of another project is refused here, on every write.  (A
	-- segment that does not exist yet is refused by the functions only: a
	-- restore may load the campaigns before the segments.)  Not on a shard
	-- of a Citus cluster (ct_campaign_102008), which cannot read the other
	-- shards: there the functions' check of the project's own segments is
	-- all, and segment ids are unique across its nodes (ct_distribute()).
	IF TG_TABLE_NAME = 'ct_campaign' THEN
		SELECT s.id INTO foreign_segment
		  FROM unnest(NEW.segment_ids) s(id)
		 WHERE EXISTS (SELECT 1 FROM ctaudience.ct_segment g
						WHERE g.segment_id = s.id AND g.project_id <> NEW.project_id)
		 LIMIT 1;
	END IF;
	IF foreign_segment IS NOT NULL THEN
		RAISE EXCEPTION 'segment % is not a segment of project "%"', foreign_segment, NEW.project_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use the segment_id of one of the project''s segments (ctaudience.ct_segments).';
	END IF;
	IF TG_OP = 'UPDATE' THEN
		IF NEW.project_id IS DISTINCT FROM OLD.project_id THEN
			RAISE EXCEPTION 'a campaign cannot move to another project' USING ERRCODE = 'invalid_parameter_value';
		END IF;
		NEW.updated_at := now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_check() IS
	'trigger: refuses a campaign whose name, status, channel, kind, trigger, filter or segments break the rules (22023; a NULL name, channel, kind or status 22004)';
