-- Journeys: the owner defines, starts and stops them (and grants those
-- functions to whom it trusts, as for campaigns); the operator runs the
-- clock; readers see the views.  Row-level security as on the other tables
-- the views show: a role given projects sees the rows of those only.
REVOKE ALL ON ctaudience.ct_journey, ctaudience.ct_journey_state, ctaudience.ct_journey_step FROM PUBLIC;
REVOKE ALL ON FUNCTION ctaudience.ct_journey_nodes_check(jsonb), ctaudience.ct_journey_check(),
	ctaudience.ct_journey_wait_end(jsonb, timestamptz, text),
	ctaudience.ct_create_journey(text, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[]),
	ctaudience.ct_update_journey(bigint, text, jsonb, text, jsonb, text, jsonb, text, interval, integer, bigint[]),
	ctaudience.ct_start_journey(bigint, timestamptz), ctaudience.ct_stop_journey(bigint),
	ctaudience.ct_advance_journeys(integer, timestamptz), ctaudience.ct_advance_project_journeys(text, integer, timestamptz),
	ctaudience.ct_schedule_journeys(text, integer, text),
	ctaudience.ct_check_time_zone(text), ctaudience.ct_project_time_zone_check(), ctaudience.ct_set_project_time_zone(text, text)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_advance_journeys(integer, timestamptz),
	ctaudience.ct_advance_project_journeys(text, integer, timestamptz) TO ctaudience_operator, ctaudience_scoped;
GRANT SELECT ON ctaudience.ct_journey_stats, ctaudience.ct_journey_profiles, ctaudience.ct_journey_daily
	TO ctaudience_reader, ctaudience_scoped;
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['ct_journey', 'ct_journey_state', 'ct_journey_step'] LOOP
		EXECUTE format('ALTER TABLE ctaudience.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY ct_every_project ON ctaudience.%I FOR SELECT TO ctaudience_reader USING (true)', t);
		EXECUTE format('CREATE POLICY ct_granted_projects ON ctaudience.%I FOR SELECT TO ctaudience_scoped'
					   ' USING (ctaudience.ct_project_visible(project_id, %L))', t, '{read}'::text[]);
	END LOOP;
END
$$;
