-- project_id last in the campaign queue's keys, as in ct_profile's
-- (ct_profile.key_order): an import writes a queue row for each profile a
-- live campaign qualifies (2.6 a Partner Sync event with ten campaigns),
-- and on (project_id, ...) each comparison of an index entry first
-- compared two equal texts, then had to find the next column past a
-- variable-length one.  The primary key leads with queue_id (unique
-- alone: ct_campaign_take updates by it); a one-time campaign's index
-- (the import's ON CONFLICT arbiter) with the profile, so that a merge
-- finds the absorbed profile's one-time rows in it.  The names stay (the
-- import finds the arbiter by name, in either column order).
ALTER TABLE ctaudience.ct_campaign_queue
	DROP CONSTRAINT ct_campaign_queue_pkey,
	ADD CONSTRAINT ct_campaign_queue_pkey PRIMARY KEY (queue_id, project_id);
DROP INDEX ctaudience.ct_campaign_queue_once_idx;
-- a one-time campaign queues a profile once ever
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ctaudience.ct_campaign_queue (ct_id, campaign_id, project_id)
	WHERE once;
