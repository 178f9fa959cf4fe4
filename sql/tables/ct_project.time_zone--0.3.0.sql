-- A project's time zone: the waits until a time of day of its journeys
-- that name none of their own end in it.  Checked on every write (the
-- trigger ct_project_time_zone_check); set with ct_set_project_time_zone.
ALTER TABLE ctaudience.ct_project ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
COMMENT ON COLUMN ctaudience.ct_project.time_zone IS 'the project''s time zone (an IANA name; UTC by default): a journey''s wait until a time of day without a time_zone of its own ends at that time here';
