COMMENT ON VIEW ctaudience.ct_segment_stats IS 'per segment: members now, reachable by email and phone, added/removed in the last 24 hours, 7 and 30 days (message time), last sync';
