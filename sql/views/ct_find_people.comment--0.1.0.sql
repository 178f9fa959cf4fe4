COMMENT ON VIEW ctaudience.ct_find_people IS 'Find People: users who did Partner Sync (filter by partner_segment_id and action) with the segments they are in now';
