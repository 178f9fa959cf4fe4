-- Engage: campaigns that target imported segments.  A past-behavior
-- campaign sends to the members of its segments now
-- (ct_campaign_audience); a live campaign qualifies a profile when it does
-- the trigger event -- a Partner Sync raised by an import, or an event
-- recorded with ct_record_event -- with properties that contain
-- trigger_filter while it is a member of one of segment_ids (any profile
-- when segment_ids is empty).  Qualified profiles wait in
-- ct_campaign_queue until a sender takes them (ct_campaign_take).

CREATE TABLE ctaudience.ct_campaign (
	project_id text COLLATE "C" NOT NULL,
	campaign_id bigint GENERATED ALWAYS AS IDENTITY,
	name text NOT NULL CONSTRAINT ct_campaign_name_check CHECK (octet_length(name) BETWEEN 1 AND 512),
	channel text NOT NULL,
	kind text NOT NULL,
	trigger_event text,
	trigger_filter jsonb NOT NULL DEFAULT '{}',
	segment_ids bigint[] NOT NULL DEFAULT '{}',
	recurring boolean NOT NULL DEFAULT false,
	status text NOT NULL DEFAULT 'running'
		CONSTRAINT ct_campaign_status_check CHECK (status IN ('running', 'stopped')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, campaign_id)
);
-- the live campaigns an event can trigger, looked up once per statement
CREATE INDEX ct_campaign_live_idx ON ctaudience.ct_campaign (project_id, trigger_event)
	WHERE status = 'running' AND kind = 'live_behavior';
COMMENT ON TABLE ctaudience.ct_campaign IS 'campaigns on imported segments: past_behavior (the members now) or live_behavior (a trigger event, filtered by its properties and the segments)';
COMMENT ON COLUMN ctaudience.ct_campaign.channel IS 'push, email, sms, whatsapp, webhook, web_push, in_app, web_popup, web_exit_intent, app_inbox or native_display';
COMMENT ON COLUMN ctaudience.ct_campaign.kind IS 'past_behavior or live_behavior';
COMMENT ON COLUMN ctaudience.ct_campaign.trigger_event IS 'live_behavior: the event that qualifies a profile (Partner Sync, or a recorded event such as App Launched); NULL for past_behavior';
COMMENT ON COLUMN ctaudience.ct_campaign.trigger_filter IS 'a JSON object the event''s properties must contain, e.g. {"Action": "Added"}; {} matches every occurrence';
COMMENT ON COLUMN ctaudience.ct_campaign.segment_ids IS 'segments of the same project; a profile must be a member of one of them (none: every profile)';
COMMENT ON COLUMN ctaudience.ct_campaign.recurring IS 'live_behavior: true queues a profile on every occurrence; false at most once per profile ever';
COMMENT ON COLUMN ctaudience.ct_campaign.status IS 'running, or stopped (qualifies no one; queued rows stay)';

CREATE FUNCTION ctaudience.ct_is_system_event(name text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ct_is_system_event'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ctaudience.ct_is_system_event(text) IS
	'whether an event name is one CleverTap raises itself (Partner Sync, Notification Sent, ...): ct_record_event refuses it, and only Partner Sync can trigger a campaign';

-- Channels a Partner Sync can trigger: it is not an SDK event, so the
-- channels shown inside an app or a web page while the user is there
-- cannot use it.
CREATE FUNCTION ctaudience.ct_campaign_check() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	all_channels CONSTANT text[] := ARRAY['push', 'email', 'sms', 'whatsapp', 'webhook', 'web_push',
		'in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	sdk_only CONSTANT text[] := ARRAY['in_app', 'web_popup', 'web_exit_intent', 'app_inbox', 'native_display'];
	foreign_segment bigint;
BEGIN
	IF NEW.channel IS NULL OR NOT NEW.channel = ANY (all_channels) THEN
		RAISE EXCEPTION 'unknown campaign channel "%"', NEW.channel
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use one of ' || array_to_string(all_channels, ', ') || '.';
	END IF;
	IF NEW.kind IS NULL OR NEW.kind NOT IN ('past_behavior', 'live_behavior') THEN
		RAISE EXCEPTION 'unknown campaign kind "%"', NEW.kind
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use past_behavior or live_behavior.';
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
	'trigger: refuses a campaign whose channel, kind, trigger, filter or segments break the rules (22023)';
CREATE TRIGGER ct_campaign_check BEFORE INSERT OR UPDATE ON ctaudience.ct_campaign
	FOR EACH ROW EXECUTE FUNCTION ctaudience.ct_campaign_check();

CREATE TABLE ctaudience.ct_campaign_queue (
	project_id text COLLATE "C" NOT NULL,
	queue_id bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
	campaign_id bigint NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	event_name text NOT NULL,
	event_ts timestamptz NOT NULL,
	event_props jsonb NOT NULL DEFAULT '{}',
	once boolean NOT NULL,
	qualified_at timestamptz NOT NULL DEFAULT now(),
	taken_at timestamptz,
	PRIMARY KEY (project_id, queue_id)
);
-- a one-time campaign queues a profile once ever
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ctaudience.ct_campaign_queue (project_id, campaign_id, ct_id)
	WHERE once;
-- what a sender takes next
CREATE INDEX ct_campaign_queue_due_idx ON ctaudience.ct_campaign_queue (campaign_id, queue_id)
	WHERE taken_at IS NULL;
COMMENT ON TABLE ctaudience.ct_campaign_queue IS 'profiles qualified by a live campaign, one row per event occurrence (per profile for a one-time campaign), until a sender takes them';
COMMENT ON COLUMN ctaudience.ct_campaign_queue.once IS 'queued by a one-time (not recurring) campaign: unique per campaign and profile';
COMMENT ON COLUMN ctaudience.ct_campaign_queue.taken_at IS 'when ct_campaign_take handed the row to a sender; NULL while queued';

-- The campaigns, for readers and senders (who read views, not tables).
CREATE VIEW ctaudience.ct_campaigns AS
SELECT c.project_id, c.campaign_id, c.name, c.channel, c.kind, c.trigger_event, c.trigger_filter,
	   c.segment_ids, c.recurring, c.status, c.created_at, c.updated_at,
	   coalesce(q.queued, 0) AS queued
  FROM ctaudience.ct_campaign c
  LEFT JOIN (SELECT q.project_id, q.campaign_id, count(*) AS queued
			   FROM ctaudience.ct_campaign_queue q
			  WHERE q.taken_at IS NULL
			  GROUP BY q.project_id, q.campaign_id) q ON q.project_id = c.project_id AND q.campaign_id = c.campaign_id;
COMMENT ON VIEW ctaudience.ct_campaigns IS 'the campaigns, with how many qualified profiles wait in the queue';
COMMENT ON COLUMN ctaudience.ct_campaigns.project_id IS 'the CleverTap project';
COMMENT ON COLUMN ctaudience.ct_campaigns.campaign_id IS 'the campaign''s id';
COMMENT ON COLUMN ctaudience.ct_campaigns.name IS 'the campaign name';
COMMENT ON COLUMN ctaudience.ct_campaigns.channel IS 'the messaging channel';
COMMENT ON COLUMN ctaudience.ct_campaigns.kind IS 'past_behavior or live_behavior';
COMMENT ON COLUMN ctaudience.ct_campaigns.trigger_event IS 'live: the event that qualifies a profile';
COMMENT ON COLUMN ctaudience.ct_campaigns.trigger_filter IS 'live: properties the event must contain';
COMMENT ON COLUMN ctaudience.ct_campaigns.segment_ids IS 'the segments it targets';
COMMENT ON COLUMN ctaudience.ct_campaigns.recurring IS 'live: queue on every occurrence (else once per profile)';
COMMENT ON COLUMN ctaudience.ct_campaigns.status IS 'running or stopped';
COMMENT ON COLUMN ctaudience.ct_campaigns.created_at IS 'when it was created';
COMMENT ON COLUMN ctaudience.ct_campaigns.updated_at IS 'when it last changed';
COMMENT ON COLUMN ctaudience.ct_campaigns.queued IS 'qualified profiles not yet taken by a sender';

SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_campaign', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_campaign_queue', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_campaign', 'campaign_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_campaign_queue', 'queue_id'), '');

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

CREATE FUNCTION ctaudience.ct_create_campaign(project_id text, name text, channel text, kind text,
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

CREATE FUNCTION ctaudience.ct_update_campaign(campaign_id bigint, name text DEFAULT NULL,
											  channel text DEFAULT NULL, kind text DEFAULT NULL,
											  trigger_event text DEFAULT NULL,
											  trigger_filter jsonb DEFAULT NULL,
											  segment_ids bigint[] DEFAULT NULL,
											  recurring boolean DEFAULT NULL,
											  status text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	SELECT x.project_id INTO project FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_update_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_update_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	IF ct_update_campaign.segment_ids IS NOT NULL THEN
		PERFORM ctaudience.ct_campaign_segments_exist(project, ct_update_campaign.segment_ids);
	END IF;
	UPDATE ctaudience.ct_campaign c
	   SET name = coalesce(ct_update_campaign.name, c.name),
		   channel = coalesce(ct_update_campaign.channel, c.channel),
		   kind = coalesce(ct_update_campaign.kind, c.kind),
		   trigger_event = CASE WHEN coalesce(ct_update_campaign.kind, c.kind) = 'past_behavior' THEN NULL
								ELSE coalesce(ct_update_campaign.trigger_event, c.trigger_event) END,
		   trigger_filter = coalesce(ct_update_campaign.trigger_filter, c.trigger_filter),
		   segment_ids = coalesce(ct_update_campaign.segment_ids, c.segment_ids),
		   recurring = coalesce(ct_update_campaign.recurring, c.recurring),
		   status = coalesce(ct_update_campaign.status, c.status)
	 WHERE c.campaign_id = ct_update_campaign.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_update_campaign.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text) IS
	'change the given fields of a campaign (NULL keeps a field), with the checks of ct_create_campaign; status running restarts a stopped one';

CREATE FUNCTION ctaudience.ct_stop_campaign(campaign_id bigint) RETURNS void
	LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	BEGIN ATOMIC
		SELECT ctaudience.ct_update_campaign(ct_stop_campaign.campaign_id, status => 'stopped');
	END;
COMMENT ON FUNCTION ctaudience.ct_stop_campaign(bigint) IS
	'stop a campaign: it qualifies no one from now on; rows already queued can still be taken';

CREATE FUNCTION ctaudience.ct_record_event(project_id text, ct_id text, event_name text,
										   props jsonb DEFAULT '{}', ts timestamptz DEFAULT now())
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_record_event'
	LANGUAGE C VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION ctaudience.ct_record_event(text, text, text, jsonb, timestamptz) IS
	'record an app event of a profile (e.g. App Launched) and qualify it for live campaigns; returns its event_id; system events such as Partner Sync are refused (22023); counts in ct_usage';

-- The members of a campaign's segments now, with whether each can be
-- reached on its channel: an email address for email, a phone number for
-- sms and whatsapp; the other channels reach the app or browser of a
-- known profile.
CREATE FUNCTION ctaudience.ct_campaign_audience(campaign_id bigint, after_ct_id text DEFAULT NULL,
												page_size integer DEFAULT NULL)
	RETURNS TABLE (ct_id text, identity text, email text, phone text, reachable boolean)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c ctaudience.ct_campaign;
BEGIN
	SELECT * INTO c FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_campaign_audience.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_campaign_audience.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	RETURN QUERY
	SELECT p.ct_id::text, p.identity, p.email::text, p.phone::text,
		   CASE c.channel WHEN 'email' THEN p.email IS NOT NULL
						  WHEN 'sms' THEN p.phone IS NOT NULL
						  WHEN 'whatsapp' THEN p.phone IS NOT NULL
						  ELSE true END
	  FROM ctaudience.ct_profile p
	 WHERE p.project_id = c.project_id
	   AND (ct_campaign_audience.after_ct_id IS NULL OR p.ct_id > ct_campaign_audience.after_ct_id COLLATE "C")
	   AND EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
				    WHERE m.project_id = c.project_id AND m.ct_id = p.ct_id
					  AND m.segment_id = ANY (c.segment_ids) AND m.is_member)
	 ORDER BY p.ct_id
	 LIMIT ct_campaign_audience.page_size;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_audience(bigint, text, integer) IS
	'the profiles in a campaign''s segments now, ordered by ct_id, and whether each is reachable on its channel (email needs an email, sms and whatsapp a phone); page with after_ct_id (the last ct_id of the previous page) and page_size';

-- Hand up to n queued rows of a campaign to a sender, oldest first, and
-- mark them taken.  Rows another session is taking are skipped, so
-- concurrent senders never get the same row.
CREATE FUNCTION ctaudience.ct_campaign_take(campaign_id bigint, n integer DEFAULT 100)
	RETURNS TABLE (queue_id bigint, project_id text, ct_id text, event_name text,
				   event_ts timestamptz, event_props jsonb, qualified_at timestamptz)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	project text;
BEGIN
	-- by the campaign's project, so that a Citus cluster routes it to one shard
	SELECT c.project_id INTO project FROM ctaudience.ct_campaign c WHERE c.campaign_id = ct_campaign_take.campaign_id;
	RETURN QUERY
	WITH picked AS (
		SELECT q.project_id, q.queue_id
		  FROM ctaudience.ct_campaign_queue q
		 WHERE q.project_id = project AND q.campaign_id = ct_campaign_take.campaign_id AND q.taken_at IS NULL
		 ORDER BY q.queue_id
		 LIMIT greatest(ct_campaign_take.n, 0)
		   FOR UPDATE SKIP LOCKED)
	UPDATE ctaudience.ct_campaign_queue q
	   SET taken_at = now()
	  FROM picked
	 WHERE q.project_id = project AND q.project_id = picked.project_id AND q.queue_id = picked.queue_id
	RETURNING q.queue_id, q.project_id::text, q.ct_id::text, q.event_name, q.event_ts, q.event_props, q.qualified_at;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_take(bigint, integer) IS
	'take up to n queued rows of a campaign (oldest first) and mark them taken; safe from several sessions at once (FOR UPDATE SKIP LOCKED)';
