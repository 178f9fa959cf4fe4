SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_campaign', '');
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_campaign_queue', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_campaign', 'campaign_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('ctaudience.ct_campaign_queue', 'queue_id'), '');
