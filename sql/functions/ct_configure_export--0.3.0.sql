-- Create or change a project's export.  It is due at once; a run in
-- progress ends, a request waiting for mParticle's answer stays.
CREATE FUNCTION ctaudience.ct_configure_export(
	project_id text,
	feed_key text,
	data_center text DEFAULT 'default',
	endpoint text DEFAULT NULL,
	customer_id text DEFAULT 'identity',
	export_type text DEFAULT 'all_events',
	events text[] DEFAULT '{}',
	schedule text DEFAULT 'recurring',
	every interval DEFAULT NULL,
	look_back interval DEFAULT '60 days',
	environment text DEFAULT 'production',
	enabled boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	types CONSTANT text[] := ARRAY['all_events', 'selected_events', 'engagement_events', 'user_properties'];
	at CONSTANT timestamptz := now();	-- a value: Citus refuses now() in DO UPDATE
BEGIN
	IF project_id IS NULL OR feed_key IS NULL THEN
		RAISE EXCEPTION '% must not be null', CASE WHEN project_id IS NULL THEN 'project_id' ELSE 'feed_key' END
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM ctaudience.ct_project p WHERE p.project_id = ct_configure_export.project_id) THEN
		PERFORM ctaudience.ct_unknown_project(project_id);
	END IF;
	data_center := coalesce(data_center, 'default');
	customer_id := coalesce(customer_id, 'identity');
	export_type := coalesce(export_type, 'all_events');
	events := coalesce(events, '{}');
	schedule := coalesce(schedule, 'recurring');
	look_back := coalesce(look_back, '60 days');
	environment := coalesce(environment, 'production');
	every := coalesce(every, CASE WHEN export_type = 'user_properties' THEN interval '24 hours' ELSE interval '4 hours' END);
	IF feed_key !~ '^[!-9;-~]+$' OR length(feed_key) > 256 THEN
		RAISE EXCEPTION 'feed_key must be 1 to 256 printable characters without a colon or a space'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'It is the Server to Server Key of the CleverTap feed in mParticle (Setup > Inputs > Feeds).';
	END IF;
	IF data_center NOT IN ('default', 'us', 'eu', 'au') THEN
		RAISE EXCEPTION 'unknown data center "%"', data_center
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use default, us, eu or au, or give an endpoint.';
	END IF;
	IF endpoint IS NOT NULL AND (endpoint !~ '^(https://[^/?#@[:space:]]+|http://(localhost|127\.[0-9]+\.[0-9]+\.[0-9]+|\[::1\])(:[0-9]+)?)(/[^?#[:space:]]*)?$' OR length(endpoint) > 1024) THEN
		RAISE EXCEPTION 'endpoint must be an https URL (http only to this host: the feed secret would go in clear) without user, query or fragment'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example https://inbound.mparticle.com/s2s; requests go to the endpoint followed by /v2/bulkevents.';
	END IF;
	IF customer_id NOT IN ('identity', 'ct_id', 'email', 'mparticle_id') AND (customer_id !~ '^property:.' OR length(customer_id) > 521) THEN
		RAISE EXCEPTION 'unknown customer_id source "%"', customer_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use identity, ct_id, email, mparticle_id, or property:<key> for a key of the profile''s properties.';
	END IF;
	IF NOT export_type = ANY (types) THEN
		RAISE EXCEPTION 'unknown export type "%"', export_type
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ' || array_to_string(types, ', ') || '.';
	END IF;
	IF array_ndims(events) > 1 THEN
		RAISE EXCEPTION 'events must be a one-dimensional array of event names'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example events => ARRAY[''Notification Clicked'', ''Charged''].';
	END IF;
	IF (export_type = 'selected_events') <> (cardinality(events) > 0) OR array_position(events, NULL) IS NOT NULL THEN
		RAISE EXCEPTION '%', CASE WHEN export_type = 'selected_events' THEN 'a selected_events export needs the names of its events'
								  ELSE 'events are named only for a selected_events export' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'For example export_type => ''selected_events'', events => ARRAY[''Notification Clicked'', ''Charged''].';
	END IF;
	IF schedule NOT IN ('once', 'recurring') THEN
		RAISE EXCEPTION 'unknown schedule "%"', schedule
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use once or recurring.';
	END IF;
	IF schedule = 'once' AND NOT look_back BETWEEN '0' AND '60 days' THEN
		RAISE EXCEPTION 'a one-time export looks back at most 60 days, not %', look_back
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule = 'recurring' AND export_type = 'user_properties' AND every <> '24 hours' THEN
		RAISE EXCEPTION 'user properties are exported every 24 hours, not every %', every
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule = 'recurring' AND export_type <> 'user_properties' AND NOT every BETWEEN '4 hours' AND '24 hours' THEN
		RAISE EXCEPTION 'a recurring export runs every 4 to 24 hours, not every %', every
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF environment NOT IN ('production', 'development') THEN
		RAISE EXCEPTION 'unknown environment "%"', environment
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Use production or development.';
	END IF;
	INSERT INTO ctaudience.ct_export AS x (project_id, feed_key, data_center, endpoint, customer_id, export_type,
										   events, schedule, every, look_back, environment, enabled, status,
										   next_run_at, properties_through)
	VALUES (project_id, feed_key, data_center, endpoint, customer_id, export_type, events, schedule, every,
			look_back, environment, coalesce(enabled, true), 'active', at, '-infinity')
	ON CONFLICT ON CONSTRAINT ct_export_pkey DO UPDATE
	   SET feed_key = EXCLUDED.feed_key, data_center = EXCLUDED.data_center, endpoint = EXCLUDED.endpoint,
		   customer_id = EXCLUDED.customer_id, export_type = EXCLUDED.export_type, events = EXCLUDED.events,
		   schedule = EXCLUDED.schedule, every = EXCLUDED.every, look_back = EXCLUDED.look_back,
		   environment = EXCLUDED.environment, enabled = EXCLUDED.enabled, status = 'active',
		   paused_reason = NULL, next_run_at = at, run_started_at = NULL,
		   properties_through = CASE WHEN x.export_type = 'user_properties' AND EXCLUDED.export_type = 'user_properties'
									 THEN x.properties_through ELSE '-infinity' END,
		   updated_at = at;
	-- events that no longer belong to the export leave its outbox
	DELETE FROM ctaudience.ct_export_outbox o
	 USING ctaudience.ct_event e
	 WHERE o.project_id = ct_configure_export.project_id AND e.project_id = o.project_id
	   AND e.ct_id = o.ct_id AND e.event_id = o.event_id
	   AND NOT ctaudience.ct_export_selects(export_type, events, e.event_name);
	IF export_type <> 'user_properties' THEN
		DELETE FROM ctaudience.ct_export_outbox o WHERE o.project_id = ct_configure_export.project_id AND o.event_id = 0;
	END IF;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_configure_export(text, text, text, text, text, text, text[], text, interval, interval, text, boolean) IS
	'create or change a project''s export to mParticle (the CleverTap feed''s key, data center or endpoint, customer_id source, export type, schedule, environment); due at once; 22023 for a setting out of range; the feed secret is never given here';
REVOKE ALL ON FUNCTION ctaudience.ct_configure_export(text, text, text, text, text, text, text[], text, interval, interval, text, boolean) FROM PUBLIC;
