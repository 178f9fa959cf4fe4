-- The demo: register a project, import the sample Firehose messages of
-- test/data/demo (paths relative to the repository root), print the result.
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS ctaudience;
DO $$ BEGIN
	PERFORM ctaudience.ct_register_project('DEMO-PROJECT', 'demo-passcode-123', 'demo-token',
		region => 'eu1', name => 'Demo project', default_country => 'IN');
END $$;

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
-- one message per transaction, as a receiver calls it
\pset tuples_only on
SELECT format($q$SELECT %L AS file, (SELECT string_agg(key || '=' || value, ' ' ORDER BY key)
	FROM jsonb_each(ctaudience.ct_import_audience(%L) -> 'ctaudience') WHERE value <> '0') AS counts$q$, file, body)
  FROM demo_message ORDER BY file \gexec
\pset tuples_only off
\echo
\echo '== Segments'
SELECT name, type, partner_segment_id AS "audience id", status, members
  FROM ctaudience.ct_segments ORDER BY partner_segment_id;

\echo '== Segment statistics'
SELECT s.name,
	   count(*) FILTER (WHERE m.is_member) AS members,
	   count(*) FILTER (WHERE m.is_member AND p.email IS NOT NULL) AS "reachable by email",
	   count(*) FILTER (WHERE m.is_member AND p.phone IS NOT NULL) AS "reachable by phone",
	   (SELECT count(*) FROM ctaudience.ct_event e WHERE e.project_id = s.project_id AND e.event_name = 'Partner Sync'
			AND (e.props ->> 'Partner Segment ID')::bigint = s.partner_segment_id AND e.props ->> 'Action' = 'Added') AS added,
	   (SELECT count(*) FROM ctaudience.ct_event e WHERE e.project_id = s.project_id AND e.event_name = 'Partner Sync'
			AND (e.props ->> 'Partner Segment ID')::bigint = s.partner_segment_id AND e.props ->> 'Action' = 'Removed') AS removed
  FROM ctaudience.ct_segment s
  LEFT JOIN ctaudience.ct_segment_member m USING (project_id, segment_id)
  LEFT JOIN ctaudience.ct_profile p USING (project_id, ct_id)
 GROUP BY s.project_id, s.segment_id, s.name, s.partner_segment_id ORDER BY s.partner_segment_id;

\echo '== Profiles'
SELECT ct_id, identity, email, phone, properties FROM ctaudience.ct_profile ORDER BY identity NULLS LAST, ct_id;
