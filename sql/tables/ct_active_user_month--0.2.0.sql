-- Who was active in a month (an app event recorded, not a Partner Sync):
-- kept apart from the events, so that purging old events leaves
-- ct_usage.monthly_active_users as it was.
CREATE TABLE ctaudience.ct_active_user_month (
	project_id text COLLATE "C" NOT NULL,
	month date NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	PRIMARY KEY (project_id, month, ct_id)
);
COMMENT ON TABLE ctaudience.ct_active_user_month IS 'profiles with an app event (not Partner Sync) in a UTC month: monthly active users, kept when events are purged';
SELECT pg_catalog.pg_extension_config_dump('ctaudience.ct_active_user_month', '');
