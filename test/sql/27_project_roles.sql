-- Per-project roles: a role given projects (ct_grant_project) reads,
-- sends, operates and exports in those only, through every view
-- (row-level security behind views read with the reader's rights) and
-- every function it may call; the roles of every project are unchanged,
-- and the import still runs as the owner.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- roles left by an earlier run of this test
DO $$
DECLARE
	r text;
BEGIN
	FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'ct\_pr\_%' LOOP
		EXECUTE format('DROP OWNED BY %I', r);
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;

-- two projects, each with profiles, segments, statistics, usage, an
-- import log, queued and dead inbox messages, a live campaign with queued
-- profiles, and an export
SELECT ct_register_project('TEST-RA', 'test-passcode-1', 'token-TEST-RA', 'eu1', 'Agency client A');
SELECT ct_register_project('TEST-RB', 'test-passcode-1', 'token-TEST-RB', 'eu1', 'Agency client B');
SELECT t.imp(t.msg(2601, 1767261600000, jsonb_build_array(
	t.u('2601', jsonb_build_array(t.id('customer', 'ra-1'), t.id('email', 'ra1@example.com')), jsonb_build_array(t.aud(56001, 'A buyers'))),
	t.u('2602', jsonb_build_array(t.id('customer', 'ra-2')), jsonb_build_array(t.aud(56001, 'A buyers')))), 'TEST-RA'));
SELECT t.imp(t.msg(2602, 1767265200000, jsonb_build_array(
	t.u('2603', jsonb_build_array(t.id('customer', 'ra-3')), jsonb_build_array(t.aud(56001, 'A buyers')))), 'TEST-RA'));
SELECT t.imp(t.msg(2603, 1767261600000, jsonb_build_array(
	t.u('2611', jsonb_build_array(t.id('customer', 'rb-1'), t.id('email', 'rb1@example.com')), jsonb_build_array(t.aud(56101, 'B buyers'))),
	t.u('2612', jsonb_build_array(t.id('customer', 'rb-2')), jsonb_build_array(t.aud(56101, 'B buyers')))), 'TEST-RB'));
SELECT t.imp(t.msg(2604, 1767265200000, jsonb_build_array(
	t.u('2613', jsonb_build_array(t.id('customer', 'rb-3')), jsonb_build_array(t.aud(56101, 'B buyers')))), 'TEST-RB'));
CREATE FUNCTION t.pr(project text, who text) RETURNS text LANGUAGE sql AS $$
	SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = project AND identity = who
$$;
SELECT segment_id AS seg_a FROM ct_segment WHERE project_id = 'TEST-RA' AND partner_segment_id = 56001 \gset
SELECT segment_id AS seg_b FROM ct_segment WHERE project_id = 'TEST-RB' AND partner_segment_id = 56101 \gset
SELECT ct_create_campaign('TEST-RA', 'A: welcome', 'push', 'live_behavior', trigger_event => 'App Launched',
						  segment_ids => ARRAY[:seg_a]::bigint[]) AS camp_a \gset
SELECT ct_create_campaign('TEST-RB', 'B: welcome', 'push', 'live_behavior', trigger_event => 'App Launched',
						  segment_ids => ARRAY[:seg_b]::bigint[]) AS camp_b \gset
-- a journey in each, with a profile in it
SELECT ct_create_journey(p, p || ': journey', jsonb_build_array(
	jsonb_build_object('id', 'in', 'type', 'entry', 'segment_id', s, 'next', 'out'), '{"id": "out", "type": "exit"}'::jsonb)) > 0 AS journey
  FROM (VALUES ('TEST-RA', :seg_a), ('TEST-RB', :seg_b)) AS v(p, s);
INSERT INTO ct_journey_state (project_id, journey_id, ct_id, node, entered_at, node_at, due_at)
SELECT j.project_id, j.journey_id, m.ct_id, 'in', '2026-01-01', '2026-01-01', '2026-01-01'
  FROM ct_journey j JOIN ct_segment_member m ON m.project_id = j.project_id AND m.segment_id = j.segment_id
 WHERE j.project_id IN ('TEST-RA', 'TEST-RB');
INSERT INTO ct_journey_step (project_id, journey_id, ct_id, node, outcome, ts)
SELECT x.project_id, x.journey_id, x.ct_id, x.node, 'entered', x.entered_at
  FROM ct_journey_state x WHERE x.project_id IN ('TEST-RA', 'TEST-RB');
SELECT ct_configure_export('TEST-RA', 'feed-a', endpoint => 'http://127.0.0.1:1/s2s');
SELECT ct_configure_export('TEST-RB', 'feed-b', endpoint => 'http://127.0.0.1:1/s2s');
SELECT count(ct_record_event(project_id, ct_id, 'App Launched', '{}', '2026-01-02 00:00+00')) AS launches
  FROM ct_profile WHERE project_id IN ('TEST-RA', 'TEST-RB');
-- the inbox: a dead message in each project, then a due one in B before one in A
SET ctaudience.inbox_max_attempts = 1;
SET client_min_messages = error;
SELECT ct_enqueue(replace(t.msg(2611, 1767261600000, jsonb_build_array(t.u('2621', jsonb_build_array(t.id('customer', 'x')),
	jsonb_build_array(t.aud(56001, 'A buyers')))), 'TEST-RA')::text, '"A buyers"', '""')) AS dead_a \gset
SELECT ct_enqueue(replace(t.msg(2612, 1767261600000, jsonb_build_array(t.u('2622', jsonb_build_array(t.id('customer', 'x')),
	jsonb_build_array(t.aud(56101, 'B buyers')))), 'TEST-RB')::text, '"B buyers"', '""')) AS dead_b \gset
SELECT done, dead FROM ct_process_inbox(10);
RESET ctaudience.inbox_max_attempts;
SET client_min_messages = warning;
SELECT ct_enqueue(t.msg(2613, 1767268800000, jsonb_build_array(t.u('2614', jsonb_build_array(t.id('customer', 'rb-4')),
	jsonb_build_array(t.aud(56101, 'B buyers')))), 'TEST-RB')) AS due_b \gset
SELECT ct_enqueue(t.msg(2614, 1767268800000, jsonb_build_array(t.u('2604', jsonb_build_array(t.id('customer', 'ra-4')),
	jsonb_build_array(t.aud(56001, 'A buyers')))), 'TEST-RA')) AS due_a \gset

-- the test's helpers, for the roles below
GRANT USAGE ON SCHEMA t TO PUBLIC;

-- the roles: one per capability for A; a team reading B whose member also
-- reads A; and one role of each kind for every project
CREATE ROLE ct_pr_reader_a;
CREATE ROLE ct_pr_sender_a;
CREATE ROLE ct_pr_operator_a;
CREATE ROLE ct_pr_exporter_a;
CREATE ROLE ct_pr_team_b;
CREATE ROLE ct_pr_member IN ROLE ct_pr_team_b;
CREATE ROLE ct_pr_reader IN ROLE ctaudience_reader;
CREATE ROLE ct_pr_sender IN ROLE ctaudience_sender;
CREATE ROLE ct_pr_operator IN ROLE ctaudience_operator;
CREATE ROLE ct_pr_exporter IN ROLE ctaudience_exporter;
CREATE ROLE ct_pr_importer IN ROLE ctaudience_importer;
SELECT ct_grant_project('ct_pr_reader_a', 'TEST-RA', 'read');
SELECT ct_grant_project('ct_pr_sender_a', 'TEST-RA', 'send');
SELECT ct_grant_project('ct_pr_operator_a', 'TEST-RA', 'operate');
SELECT ct_grant_project('ct_pr_exporter_a', 'TEST-RA', 'export');
SELECT ct_grant_project('ct_pr_team_b', 'TEST-RB', 'read');
SELECT ct_grant_project('ct_pr_member', 'TEST-RA', 'read');
SELECT ct_grant_project('ct_pr_member', 'TEST-RA', 'read') AS again;
SELECT project_id, role, capability FROM ct_project_grant WHERE role LIKE 'ct\_pr\_%' ORDER BY 2, 1, 3;
SELECT r AS role, pg_has_role(r, 'ctaudience_scoped', 'MEMBER') AS scoped
  FROM unnest(ARRAY['ct_pr_reader_a', 'ct_pr_team_b', 'ct_pr_member', 'ct_pr_reader']) r;
-- what a grant refuses
SELECT ct_grant_project('ct_pr_reader_a', 'TEST-RA', 'write');
SELECT ct_grant_project('ct_pr_reader_a', 'TEST-NONE', 'read');
SELECT ct_grant_project('ct_pr_nobody', 'TEST-RA', 'read');
SELECT ct_grant_project('ctaudience_scoped', 'TEST-RA', 'read');
SELECT ct_grant_project('ct_pr_reader_a', NULL, 'read');

-- t.seen(view, role): the test projects a role sees in a view, as that role
CREATE FUNCTION t.seen(v text, r text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	res text;
BEGIN
	PERFORM set_config('role', r, true);
	BEGIN
		EXECUTE format('SELECT coalesce(string_agg(DISTINCT right(project_id, 1), '','' ORDER BY right(project_id, 1)), ''-'')'
					   ' FROM ctaudience.%I WHERE project_id IN (''TEST-RA'', ''TEST-RB'')', v) INTO res;
	EXCEPTION WHEN insufficient_privilege THEN
		res := 'denied';
	END;
	PERFORM set_config('role', 'none', true);
	RETURN res;
END
$$;
-- t.as_role(role, query): the query's one value as that role, or its error
-- (SQLSTATE and message, numbers left out)
CREATE FUNCTION t.as_role(r text, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	res text;
BEGIN
	PERFORM set_config('role', r, true);
	BEGIN
		EXECUTE q INTO res;
		res := coalesce(res, '(null)');
	EXCEPTION WHEN OTHERS THEN
		res := SQLSTATE || ' ' || regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
	END;
	PERFORM set_config('role', 'none', true);
	RETURN res;
END
$$;

-- every view, as each role: the roles given A see A in what their
-- capability reads; the team's member sees B (the team's) and A (its own);
-- the roles of every project see both, as before
SELECT v AS view, t.seen(v, 'ct_pr_reader_a') AS reader_a, t.seen(v, 'ct_pr_sender_a') AS sender_a,
	   t.seen(v, 'ct_pr_operator_a') AS operator_a, t.seen(v, 'ct_pr_exporter_a') AS exporter_a,
	   t.seen(v, 'ct_pr_team_b') AS team_b, t.seen(v, 'ct_pr_member') AS member,
	   t.seen(v, 'ct_pr_reader') AS reader, t.seen(v, 'ct_pr_sender') AS sender,
	   t.seen(v, 'ct_pr_operator') AS operator, t.seen(v, 'ct_pr_exporter') AS exporter,
	   t.seen(v, 'ct_pr_importer') AS importer
  FROM unnest(ARRAY['ct_segments', 'ct_segment_stats', 'ct_profile_activity', 'ct_find_people', 'ct_usage',
					'ct_import_log', 'ct_segment_daily', 'ct_inbox_status', 'ct_inbox_dead_letters', 'ct_campaigns',
					'ct_campaign_results', 'ct_export_status', 'ct_export_dead_letters',
					'ct_journey_stats', 'ct_journey_profiles', 'ct_journey_daily']) v;
-- and none is left out
SELECT array_agg(c.relname::text ORDER BY c.relname) AS views_not_tested
  FROM pg_class c
 WHERE c.relnamespace = 'ctaudience'::regnamespace AND c.relkind = 'v'
   AND c.relname NOT IN ('ct_segments', 'ct_segment_stats', 'ct_profile_activity', 'ct_find_people', 'ct_usage',
						 'ct_import_log', 'ct_segment_daily', 'ct_inbox_status', 'ct_inbox_dead_letters', 'ct_campaigns',
						 'ct_campaign_results', 'ct_export_status', 'ct_export_dead_letters',
					'ct_journey_stats', 'ct_journey_profiles', 'ct_journey_daily');
-- SELECT * as A's reader, the way a BI tool reads: A's segment only
SET ROLE ct_pr_reader_a;
SELECT project_id, name, partner_segment_id, members FROM ct_segment_stats
 WHERE project_id IN ('TEST-RA', 'TEST-RB') ORDER BY 1;
-- its columns are those of the views: not the tables' others
SELECT properties FROM ct_profile LIMIT 1;
SELECT body FROM ct_inbox LIMIT 1;
SELECT count(*) FROM ct_project;
-- a filter on the view can still reach the delta index: the policy does
-- not keep the filter from the index (a table this small is otherwise read
-- whole, depending on when it was last analyzed; no JIT for the plan that
-- disabled cost makes dear)
SET enable_seqscan = off;
SET jit = off;
SELECT bool_or(l ~ 'ct_segment_delta_segment_idx') AS uses_the_delta_index
  FROM t.plan(format('SELECT * FROM ctaudience.ct_segment_daily WHERE project_id = %L AND segment_id = %s', 'TEST-RA', :seg_a)) l;
RESET enable_seqscan;
RESET jit;
-- becoming ctaudience_scoped, which holds no project, shows nothing
SET ROLE ctaudience_scoped;
SELECT count(*) AS seen FROM ct_segments WHERE project_id IN ('TEST-RA', 'TEST-RB');
RESET ROLE;

-- reading functions: the trend and a campaign's audience of B are refused
-- to A's reader; ct_resolve_identity needs B's passcode from it
SELECT t.as_role('ct_pr_reader_a', format('SELECT count(*) FROM ct_segment_trend(%s, 3)', :seg_a)) AS trend_a,
	   t.as_role('ct_pr_reader_a', format('SELECT count(*) FROM ct_segment_trend(%s, 3)', :seg_b)) AS trend_b,
	   t.as_role('ct_pr_reader', format('SELECT count(*) FROM ct_segment_trend(%s, 3)', :seg_b)) AS reader_trend_b;
SELECT t.as_role('ct_pr_reader_a', format('SELECT count(*) FROM ct_campaign_audience(%s)', :camp_a)) AS audience_a,
	   t.as_role('ct_pr_reader_a', format('SELECT count(*) FROM ct_campaign_audience(%s)', :camp_b)) AS audience_b,
	   t.as_role('ct_pr_sender_a', format('SELECT count(*) FROM ct_campaign_audience(%s)', :camp_a)) AS sender_audience_a;
SELECT t.as_role('ct_pr_reader_a', $$SELECT rule || ' ' || (ct_id IS NOT NULL) FROM ct_resolve_identity('TEST-RA', customer_id => 'ra-1')$$) AS resolve_a,
	   t.as_role('ct_pr_reader_a', $$SELECT rule FROM ct_resolve_identity('TEST-RB', customer_id => 'rb-1')$$) AS resolve_b,
	   t.as_role('ct_pr_reader_a', $$SELECT rule FROM ct_resolve_identity('TEST-RB', customer_id => 'rb-1', passcode => 'test-passcode-1')$$) AS resolve_b_passcode,
	   t.as_role('ct_pr_reader', $$SELECT rule FROM ct_resolve_identity('TEST-RB', customer_id => 'rb-1')$$) AS reader_resolve_b;

-- sending: A's sender takes A's queued profiles only, and reports for A only
SELECT project_id, count(*) FILTER (WHERE taken_at IS NULL) AS queued FROM ct_campaign_queue
 WHERE project_id IN ('TEST-RA', 'TEST-RB') GROUP BY 1 ORDER BY 1;
SELECT t.as_role('ct_pr_sender_a', format('SELECT count(*) FROM ct_campaign_take(%s, 10)', :camp_b)) AS take_b,
	   t.as_role('ct_pr_sender_a', format('SELECT count(*) FROM ct_campaign_take(%s, 10)', :camp_a)) AS take_a;
SELECT t.pr('TEST-RB', 'rb-1') AS rb1, t.pr('TEST-RA', 'ra-1') AS ra1 \gset
SET ROLE ct_pr_sender_a;
SELECT ct_record_delivery('TEST-RB', :camp_b, :'rb1', 'sent');
SELECT ct_record_delivery('TEST-RA', :camp_a, :'ra1', 'sent') > 0 AS reported;
RESET ROLE;
SELECT project_id, count(*) FILTER (WHERE taken_at IS NULL) AS queued FROM ct_campaign_queue
 WHERE project_id IN ('TEST-RA', 'TEST-RB') GROUP BY 1 ORDER BY 1;
-- a sender of every project takes B's
SELECT t.as_role('ct_pr_sender', format('SELECT count(*) FROM ct_campaign_take(%s, 10)', :camp_b)) AS sender_takes_b;

-- exporting: A's exporter is handed A only, and may claim and answer A's
SELECT t.as_role('ct_pr_exporter_a', $$SELECT string_agg(project_id, ',') FROM ct_export_due() WHERE project_id IN ('TEST-RA', 'TEST-RB')$$) AS due_a,
	   t.as_role('ct_pr_exporter', $$SELECT string_agg(project_id, ',') FROM ct_export_due() WHERE project_id IN ('TEST-RA', 'TEST-RB')$$) AS due_all;
SELECT t.as_role('ct_pr_exporter_a', $$SELECT count(*) FROM ct_export_claim('TEST-RB')$$) AS claim_b,
	   t.as_role('ct_pr_exporter_a', $$SELECT ct_export_result('TEST-RB', 1, 202)$$) AS result_b,
	   t.as_role('ct_pr_exporter_a', $$SELECT ct_export_hold('TEST-RB', 1)::text$$) AS hold_b,
	   t.as_role('ct_pr_exporter_a', $$SELECT count(*) FROM ct_export_claim('TEST-RA')$$) AS claim_a;

-- operating: A's operator sees A's inbox, claims A's message though B's is
-- older, cannot answer or requeue B's (no attempt counted), and folds A's
-- statistics only
SELECT t.as_role('ct_pr_operator_a', 'SELECT ct_inbox_depth()::text') AS depth_a,
	   t.as_role('ct_pr_operator', 'SELECT (ct_inbox_depth()).pending > 1') AS depth_all,
	   t.as_role('ct_pr_importer', 'SELECT (ct_inbox_depth()).pending > 1') AS importer_depth_all;
SELECT t.as_role('ct_pr_operator_a', 'SELECT ct_inbox_claim()') = :'due_a' AS claims_a;
SELECT t.as_role('ct_pr_operator_a', format('SELECT ct_inbox_answer(%s)', :due_b)) AS answer_b,
	   t.as_role('ct_pr_operator_a', format('SELECT ct_inbox_answer(%s)', :due_a)) AS answer_a,
	   t.as_role('ct_pr_operator_a', format('SELECT ct_requeue(%s)', :dead_b)) AS requeue_b,
	   t.as_role('ct_pr_operator_a', format('SELECT ct_requeue(%s)', :dead_a)) AS requeue_a;
SET client_min_messages = error;
SELECT t.as_role('ct_pr_operator_a', 'SELECT done || '' '' || retried || '' '' || dead FROM ct_process_inbox(10)') AS operator_runs_a;
SET client_min_messages = warning;
SELECT project_id, status, attempts FROM ct_inbox WHERE inbox_id IN (:dead_a, :dead_b, :due_a, :due_b) ORDER BY inbox_id;
SELECT t.as_role('ct_pr_operator_a', 'SELECT ct_compact_stats(''TEST-RB'')') AS compact_b;
SELECT project_id, count(*) AS delta_rows FROM ct_segment_delta WHERE project_id IN ('TEST-RA', 'TEST-RB') GROUP BY 1 ORDER BY 1;
SELECT t.as_role('ct_pr_operator_a', 'SELECT ct_compact_stats() > 0') AS compact_all;
SELECT project_id, count(*) AS delta_rows FROM ct_segment_delta WHERE project_id IN ('TEST-RA', 'TEST-RB') GROUP BY 1 ORDER BY 1;
-- the importer imports and no longer runs the inbox or folds statistics
SELECT t.as_role('ct_pr_importer', 'SELECT ct_inbox_claim()') AS importer_claims,
	   t.as_role('ct_pr_importer', 'SELECT ct_compact_stats()') AS importer_compacts,
	   t.as_role('ct_pr_importer', format('SELECT ct_inbox_answer(%s)', :due_b)) AS importer_answers;
SELECT t.as_role('ct_pr_operator', 'SELECT done || '' '' || retried || '' '' || dead FROM ct_process_inbox(10)') AS operator_runs_b;
SELECT project_id, status FROM ct_inbox WHERE inbox_id = :due_b;

-- the owner's functions, granted to a role given projects, act in the
-- projects it operates; granted to a role given none, in every project
CREATE ROLE ct_pr_pipeline;
GRANT USAGE ON SCHEMA ctaudience TO ct_pr_pipeline;
GRANT EXECUTE ON FUNCTION ct_record_event(text, text, text, jsonb, timestamptz),
	ct_create_campaign(text, text, text, text, text, jsonb, bigint[], boolean),
	ct_update_campaign(bigint, text, text, text, text, jsonb, bigint[], boolean, text),
	ct_stop_campaign(bigint), ct_purge_events(text, timestamptz) TO ct_pr_pipeline, ct_pr_operator_a;
SELECT r AS role,
	   t.as_role(r, format($$SELECT ct_record_event('TEST-RB', %L, 'Opened') > 0$$, t.pr('TEST-RB', 'rb-1'))) AS record_b,
	   t.as_role(r, $$SELECT ct_create_campaign('TEST-RB', 'B: more', 'email', 'past_behavior') > 0$$) AS create_b,
	   t.as_role(r, format('SELECT ct_stop_campaign(%s)', :camp_b)) AS stop_b,
	   t.as_role(r, $$SELECT ct_purge_events('TEST-RB', '2000-01-01')$$) AS purge_b,
	   t.as_role(r, format($$SELECT ct_record_event('TEST-RA', %L, 'Opened') > 0$$, t.pr('TEST-RA', 'ra-1'))) AS record_a
  FROM unnest(ARRAY['ct_pr_operator_a', 'ct_pr_pipeline']) r;

-- that only for a role that may itself call the function: a team's own
-- SECURITY DEFINER function over ours, called by a role outside
-- ctaudience_scoped that may not (another login, or the team's member
-- after SET ROLE to any other role of its own), acts in no project
-- (review rev7 #1: it acted in every one)
CREATE ROLE ct_pr_plain;
CREATE ROLE ct_pr_stopper;
GRANT USAGE ON SCHEMA ctaudience TO ct_pr_stopper;
GRANT EXECUTE ON FUNCTION ct_stop_campaign(bigint) TO ct_pr_stopper;
CREATE SCHEMA ct_pr_team_a AUTHORIZATION ct_pr_operator_a;
GRANT USAGE ON SCHEMA ct_pr_team_a TO PUBLIC;
SET ROLE ct_pr_operator_a;
CREATE FUNCTION ct_pr_team_a.record(p text, who text) RETURNS boolean SECURITY DEFINER SET search_path = pg_catalog
	LANGUAGE sql AS $$ SELECT ctaudience.ct_record_event(p, who, 'Opened') > 0 $$;
CREATE FUNCTION ct_pr_team_a.purge(p text) RETURNS bigint SECURITY DEFINER SET search_path = pg_catalog
	LANGUAGE sql AS $$ SELECT ctaudience.ct_purge_events(p, '2000-01-01') $$;
CREATE FUNCTION ct_pr_team_a.stop(c bigint) RETURNS text SECURITY DEFINER SET search_path = pg_catalog
	LANGUAGE sql AS $$ SELECT 'stopped' FROM ctaudience.ct_stop_campaign(c) $$;
CREATE FUNCTION ct_pr_team_a.advance(p text) RETURNS bigint SECURITY DEFINER SET search_path = pg_catalog
	LANGUAGE sql AS $$ SELECT ctaudience.ct_advance_project_journeys(p) $$;
CREATE FUNCTION ct_pr_team_a.depth() RETURNS boolean SECURITY DEFINER SET search_path = pg_catalog
	LANGUAGE sql AS $$ SELECT d.pending + d.dead > 0 FROM ctaudience.ct_inbox_depth() d $$;
RESET ROLE;
SELECT r AS role,
	   t.as_role(r, format($$SELECT ct_pr_team_a.record('TEST-RB', %L)$$, t.pr('TEST-RB', 'rb-1'))) AS record_b,
	   t.as_role(r, $$SELECT ct_pr_team_a.purge('TEST-RB')$$) AS purge_b,
	   t.as_role(r, format('SELECT ct_pr_team_a.stop(%s)', :camp_b)) AS stop_b,
	   t.as_role(r, $$SELECT ct_pr_team_a.advance('TEST-RB')$$) AS advance_b,
	   t.as_role(r, 'SELECT ct_pr_team_a.depth()') AS depth_b,
	   t.as_role(r, format($$SELECT ct_pr_team_a.record('TEST-RA', %L)$$, t.pr('TEST-RA', 'ra-1'))) AS record_a
  FROM unnest(ARRAY['ct_pr_plain', 'pg_monitor', 'ct_pr_stopper', 'ct_pr_pipeline', 'ct_pr_importer']) r;
-- (a role that may call ours acts, through the team's function too, in
-- every project: the pipeline records in B, the importer counts every
-- project's inbox); a role granted ct_stop_campaign alone stops any
-- campaign, and changes nothing else
SELECT t.as_role('ct_pr_stopper', format($$SELECT 'stopped' FROM ct_stop_campaign(%s)$$, :camp_b)) AS stopper_stops_b,
	   t.as_role('ct_pr_stopper', format('SELECT ct_update_campaign(%s, name => %L)', :camp_b, 'B: renamed')) AS stopper_renames_b;

-- the import runs as the owner, whom row-level security does not hold
SET ROLE ct_pr_importer;
SELECT t.counts(ct_import_audience(t.msg(2621, 1767272400000, jsonb_build_array(
	t.u('2631', jsonb_build_array(t.id('customer', 'rb-9')), jsonb_build_array(t.aud(56101, 'B buyers')))), 'TEST-RB')));
RESET ROLE;
SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
  FROM pg_class c WHERE c.relnamespace = 'ctaudience'::regnamespace AND c.relname IN ('ct_profile', 'ct_segment_member', 'ct_event')
 ORDER BY 1;

-- a project taken back: the role then sees none (not every one)
SELECT ct_revoke_project('ct_pr_reader_a', 'TEST-RA', 'read') AS revoked;
SELECT t.seen('ct_segments', 'ct_pr_reader_a') AS seen_after_revoke;
SELECT ct_revoke_project('ct_pr_member') AS revoked_all;
SELECT t.seen('ct_segments', 'ct_pr_member') AS member_sees;
-- a dropped role's grants go with the next grant
DROP OWNED BY ct_pr_team_b;
DROP ROLE ct_pr_team_b;
SELECT ct_grant_project('ct_pr_reader_a', 'TEST-RB', 'read');
SELECT project_id, role, capability FROM ct_project_grant WHERE role LIKE 'ct\_pr\_%' ORDER BY 2, 1, 3;
-- a role dropped and created again under the same name gets none of the
-- old role's grants (its first grant takes them away, before any other
-- grant could apply them to it); a renamed role keeps none (fail closed)
CREATE ROLE ct_pr_again;
SELECT ct_grant_project('ct_pr_again', 'TEST-RA', 'read');
DROP OWNED BY ct_pr_again;
DROP ROLE ct_pr_again;
CREATE ROLE ct_pr_again;
SELECT ct_grant_project('ct_pr_again', 'TEST-RB', 'read');
SELECT project_id, role, capability FROM ct_project_grant WHERE role = 'ct_pr_again' ORDER BY 1;
SELECT t.seen('ct_segments', 'ct_pr_again') AS again_sees;
-- nor does one created again under the name and never given a project,
-- which is not in ctaudience_scoped, through a role that has its
-- privileges (review rev7 #2: ct_pr_reader_a read A again)
CREATE ROLE ct_pr_gone;
SELECT ct_grant_project('ct_pr_gone', 'TEST-RA', 'read');
DROP OWNED BY ct_pr_gone;
DROP ROLE ct_pr_gone;
CREATE ROLE ct_pr_gone;
GRANT ct_pr_gone TO ct_pr_reader_a;
SELECT t.seen('ct_segments', 'ct_pr_reader_a') AS reader_a_sees,
	   pg_has_role('ct_pr_gone', 'ctaudience_scoped', 'MEMBER') AS gone_scoped;
ALTER ROLE ct_pr_again RENAME TO ct_pr_renamed;
SELECT t.seen('ct_segments', 'ct_pr_renamed') AS renamed_sees;
CREATE ROLE ct_pr_again;
SELECT ct_grant_project('ct_pr_again', 'TEST-RA', 'send');
SELECT project_id, role, capability FROM ct_project_grant WHERE role IN ('ct_pr_again', 'ct_pr_renamed') ORDER BY 1;

DO $$
DECLARE
	r text;
BEGIN
	PERFORM ctaudience.ct_revoke_project(rolname) FROM pg_roles WHERE rolname LIKE 'ct\_pr\_%';
	FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'ct\_pr\_%' LOOP
		EXECUTE format('DROP OWNED BY %I', r);
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;
REVOKE USAGE ON SCHEMA t FROM PUBLIC;
