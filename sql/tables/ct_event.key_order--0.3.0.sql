-- project_id last in the events' key, as in ct_profile's keys
-- (ct_profile.key_order): a profile's events are still one range of it.
ALTER TABLE ctaudience.ct_event
	DROP CONSTRAINT ct_event_pkey,
	ADD CONSTRAINT ct_event_pkey PRIMARY KEY (ct_id, event_id, project_id);
