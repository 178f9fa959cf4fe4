-- A journey's send nodes are campaigns of kind journey: senders take
-- their queue and report their deliveries like any campaign's.
ALTER TABLE ctaudience.ct_campaign ADD COLUMN journey_id bigint, ADD COLUMN journey_node text;
COMMENT ON COLUMN ctaudience.ct_campaign.journey_id IS 'kind journey: the journey whose send node this campaign is';
COMMENT ON COLUMN ctaudience.ct_campaign.journey_node IS 'kind journey: the id of its send node';
COMMENT ON COLUMN ctaudience.ct_campaign.kind IS 'past_behavior, live_behavior, or journey (a journey''s send node)';
