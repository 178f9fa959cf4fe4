-- A journey's send node holding back a profile of the journey's control
-- group: the control_group outcome recorded as a sender's report would be.
CREATE FUNCTION ctaudience.ct_journey_control_group(project_id text, campaign_id bigint, ct_id text, ts timestamptz)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ct_journey_control_group'
	LANGUAGE C VOLATILE;
COMMENT ON FUNCTION ctaudience.ct_journey_control_group(text, bigint, text, timestamptz) IS
	'record that a journey''s send node (its campaign) held back a profile of the control group: the System Control Group event with the campaign''s attributes and a control_group delivery; the journeys'' clock calls it (the owner''s only)';
REVOKE ALL ON FUNCTION ctaudience.ct_journey_control_group(text, bigint, text, timestamptz) FROM PUBLIC;
