-- The demo: register a project and import the sample Firehose messages of
-- test/data/demo (paths relative to the repository root), print the result.
-- scripts/demo.sh runs it in two steps around the receiver: -v step=setup
-- (the project, and a login role for the receiver), then -v step=report
-- (the messages were posted to the receiver meanwhile).  Without step it
-- imports the messages itself, with ct_import_audience.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
\if :{?step}
\else
\set step all
\endif
SELECT :'step' IN ('setup', 'all') AS do_setup, :'step' = 'all' AS do_import, :'step' IN ('report', 'all') AS do_report \gset

\if :do_setup
CREATE EXTENSION IF NOT EXISTS ctaudience;
DO $$ BEGIN
	PERFORM ctaudience.ct_register_project('DEMO-PROJECT', 'demo-passcode-123', 'demo-token',
		region => 'eu1', name => 'Demo project', default_country => 'IN');
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ctaudience_receiver') THEN
		CREATE ROLE ctaudience_receiver LOGIN IN ROLE ctaudience_importer;
	END IF;
END $$;
-- the bodies the receiver binds hold the passcode: the server logs none of
-- them, even with log_statement = 'all' or log_min_duration_statement = 0
ALTER ROLE ctaudience_receiver SET log_parameter_max_length = 0;
ALTER ROLE ctaudience_receiver SET log_parameter_max_length_on_error = 0;
\endif

\if :do_import
\echo
\echo '== each message and what the import did'
CREATE TEMP TABLE demo_message (file text, body jsonb);
\set m `cat test/data/demo/01_membership.json`
INSERT INTO demo_message VALUES ('01_membership.json', :'m');
\set m `cat test/data/demo/02_membership.json`
INSERT INTO demo_message VALUES ('02_membership.json', :'m');
\set m `cat test/data/demo/03_membership.json`
INSERT INTO demo_message VALUES ('03_membership.json', :'m');
\set m `cat test/data/demo/04_membership.json`
INSERT INTO demo_message VALUES ('04_membership.json', :'m');
-- the sample spans four days; move it so that its newest message is an hour
-- old, so the 24-hour, 7-day and 30-day windows of the statistics show it
UPDATE demo_message SET body = jsonb_set(body, '{timestamp_ms}', to_jsonb((body ->> 'timestamp_ms')::bigint +
	(SELECT (extract(epoch FROM now()) * 1000)::bigint - 3600000 - max((body ->> 'timestamp_ms')::bigint) FROM demo_message)));
-- one message per transaction, as a receiver calls it
\pset tuples_only on
SELECT format($q$SELECT %L AS file, (SELECT string_agg(key || '=' || value, ' ' ORDER BY key)
	FROM jsonb_each(ctaudience.ct_import_audience(%L) -> 'ctaudience') WHERE value <> '0') AS counts$q$, file, body)
  FROM demo_message ORDER BY file \gexec
\pset tuples_only off
\endif

\if :do_report
\echo
\echo '== Segments'
SELECT name, type, partner_segment_id AS "audience id", status, members
  FROM ctaudience.ct_segments ORDER BY partner_segment_id;

\echo '== Segment statistics'
SELECT name, members, reachable_email AS "by email", reachable_phone AS "by phone",
	   added_24h AS "added 24h", removed_24h AS "removed 24h", added_7d AS "added 7d", removed_7d AS "removed 7d",
	   date_trunc('second', last_sync_at) AS "last sync"
  FROM ctaudience.ct_segment_stats ORDER BY partner_segment_id;

\echo '== Trend of Cart Drop off (members at the end of each day, UTC)'
SELECT day, members, added, removed
  FROM ctaudience.ct_segment_trend((SELECT segment_id FROM ctaudience.ct_segment WHERE partner_segment_id = 47444), 5,
								   (SELECT max(last_sync_at AT TIME ZONE 'UTC')::date FROM ctaudience.ct_segment_stats));

\echo '== Usage (billing data points)'
SELECT month, events AS "Partner Sync events", data_points AS "data points", profile_updates AS "profile property updates"
  FROM ctaudience.ct_usage ORDER BY month;

\echo '== Profiles'
SELECT ct_id, identity, email, phone, properties FROM ctaudience.ct_profile ORDER BY identity NULLS LAST, ct_id;
\endif
