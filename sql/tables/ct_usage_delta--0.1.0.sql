-- Usage (billing) as delta rows per project and month (UTC, by message time).
CREATE TABLE ctaudience.ct_usage_delta (
	project_id text COLLATE "C" NOT NULL,
	month date NOT NULL,
	events bigint NOT NULL DEFAULT 0,
	data_points bigint NOT NULL DEFAULT 0,
	profile_updates bigint NOT NULL DEFAULT 0
);
CREATE INDEX ct_usage_delta_month_idx ON ctaudience.ct_usage_delta (project_id, month);
COMMENT ON TABLE ctaudience.ct_usage_delta IS 'usage as delta rows: Partner Sync events, their data points, profile property updates';
