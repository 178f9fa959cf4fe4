-- Every write of a project's time zone, through ct_set_project_time_zone or
-- direct DML, is checked (22023 for a zone PostgreSQL does not know); the
-- default, UTC, is not (a registration, a restore or Citus's copy of the
-- projects does not read the zone names for it).
CREATE FUNCTION ctaudience.ct_project_time_zone_check() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	NEW.time_zone := ctaudience.ct_check_time_zone(NEW.time_zone);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_project_time_zone_check() IS
	'trigger: refuses a project time zone PostgreSQL does not know (22023)';
CREATE TRIGGER ct_project_time_zone_check BEFORE INSERT OR UPDATE OF time_zone ON ctaudience.ct_project
	FOR EACH ROW WHEN (NEW.time_zone IS DISTINCT FROM 'UTC') EXECUTE FUNCTION ctaudience.ct_project_time_zone_check();
