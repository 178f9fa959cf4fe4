-- pgTAP: the shape of the installed schema: tables, keys, privileges,
-- documentation.  Run by scripts/test.sh with pg_prove.
BEGIN;
SELECT plan(77);

SELECT has_schema('ctaudience');
-- every view column is described (psql \d+, BI tools)
SELECT is(
	(SELECT array_agg(c.relname || '.' || a.attname ORDER BY c.relname, a.attnum)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	  WHERE n.nspname = 'ctaudience' AND c.relkind = 'v' AND col_description(c.oid, a.attnum) IS NULL),
	NULL, 'every view column has a COMMENT');
-- views show email and phone as text, so filters work from any search_path
SELECT is(
	(SELECT array_agg(c.relname || '.' || a.attname ORDER BY c.relname, a.attnum)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	   JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	   JOIN pg_type t ON t.oid = a.atttypid
	  WHERE n.nspname = 'ctaudience' AND c.relkind = 'v' AND t.typname IN ('ct_email', 'ct_phone')),
	NULL, 'no view column is a ct_email or ct_phone');
-- no view sorts (a BI tool orders what it reads)
SELECT is(
	(SELECT array_agg(c.relname::text ORDER BY c.relname)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	  WHERE n.nspname = 'ctaudience' AND c.relkind = 'v'
		AND pg_get_viewdef(c.oid) ~* '\n\s*ORDER BY [^)]*;?\s*$'),
	NULL, 'no view has an ORDER BY of its own');
SELECT tables_are('ctaudience', ARRAY['ct_project', 'ct_profile', 'ct_segment', 'ct_segment_member', 'ct_event', 'ct_message', 'ct_import_sample', 'ct_dsr_request', 'ct_segment_delta', 'ct_usage_delta', 'ct_inbox', 'ct_campaign', 'ct_campaign_queue', 'ct_active_user_month', 'ct_delivery', 'ct_export', 'ct_export_outbox', 'ct_export_request', 'ct_profile_alias', 'ct_project_grant', 'ct_journey', 'ct_journey_state', 'ct_journey_step']);
SELECT has_type('ctaudience', 'ct_email', 'type ct_email exists');
SELECT has_type('ctaudience', 'ct_phone', 'type ct_phone exists');
SELECT col_type_is('ctaudience', 'ct_profile', 'email', 'ctaudience', 'ct_email', 'profile email is a ct_email');
SELECT col_type_is('ctaudience', 'ct_profile', 'phone', 'ctaudience', 'ct_phone', 'profile phone is a ct_phone');
SELECT hasnt_column('ctaudience', 'ct_project', 'passcode', 'no clear passcode column');

-- SPEC 9: every table leads with project_id, every primary key and unique constraint includes it
SELECT is(
	(SELECT array_agg(c.relname::text ORDER BY c.relname)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	  WHERE n.nspname = 'ctaudience' AND c.relkind = 'r'
		AND (SELECT attname FROM pg_attribute WHERE attrelid = c.oid AND attnum = 1) <> 'project_id'),
	NULL, 'every table leads with project_id');
SELECT is(
	(SELECT array_agg(conname::text ORDER BY conname)
	   FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
	  WHERE n.nspname = 'ctaudience' AND con.contype IN ('p', 'u')
		AND NOT EXISTS (SELECT 1 FROM unnest(con.conkey) k JOIN pg_attribute a
						  ON a.attrelid = con.conrelid AND a.attnum = k WHERE a.attname = 'project_id')),
	NULL, 'every primary key and unique constraint includes project_id');

-- the import's keys lead with the profile, project_id last (0.3.0: the same in all of a project's rows)
SELECT col_is_pk('ctaudience', 'ct_profile', ARRAY['ct_id', 'project_id'], 'profiles keyed by CleverTap ID');
SELECT col_is_pk('ctaudience', 'ct_segment_member', ARRAY['segment_id', 'ct_id', 'project_id'], 'one membership row per segment and profile');
SELECT col_is_unique('ctaudience', 'ct_profile', ARRAY['identity', 'project_id'], 'an Identity belongs to one profile');
-- but events: project_id first (ct_event_pkey), the one index a purge or an export's backfill reads a project's events by
SELECT col_is_pk('ctaudience', 'ct_event', ARRAY['project_id', 'ct_id', 'event_id'], 'events keyed by project and profile');

SELECT triggers_are('ctaudience', 'ct_campaign', ARRAY['ct_campaign_check'], 'campaigns are checked on every write');
SELECT triggers_are('ctaudience', 'ct_journey', ARRAY['ct_journey_check'], 'journeys are checked on every write');
SELECT triggers_are('ctaudience', 'ct_project', ARRAY['ct_project_time_zone_check'], 'a project''s time zone is checked on every write');
SELECT has_column('ctaudience', 'ct_project', 'time_zone', 'a project has a time zone');
SELECT has_column('ctaudience', 'ct_journey', 'exit_segments', 'a journey has exit segments');
SELECT has_column('ctaudience', 'ct_journey', 'entry_event', 'a journey may enter on an app event');
SELECT has_function('ctaudience', 'ct_set_project_time_zone', ARRAY['text', 'text']);
SELECT table_privs_are('ctaudience', 'ct_journey_daily', 'ctaudience_reader', ARRAY['SELECT']);
SELECT col_is_pk('ctaudience', 'ct_campaign_queue', ARRAY['queue_id', 'project_id'], 'queued qualifications keyed by project');
SELECT triggers_are('ctaudience', 'ct_segment_member', ARRAY['ct_partner_sync_insert', 'ct_partner_sync_update', 'ct_partner_sync_delete']);

-- SECURITY DEFINER functions pin search_path
SELECT is(
	(SELECT array_agg(p.proname::text ORDER BY p.proname)
	   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	  WHERE n.nspname = 'ctaudience' AND p.prosecdef
		AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
	NULL, 'every SECURITY DEFINER function sets search_path = pg_catalog, pg_temp');

-- the entry points of the import run without JIT (kept plans priced over
-- jit_above_cost by the planner switches would be compiled at each run)
SELECT is(
	(SELECT array_agg(p.proname::text || '(' || pg_get_function_identity_arguments(p.oid) || ')' ORDER BY 1)
	   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	  WHERE n.nspname = 'ctaudience' AND p.proname IN ('ct_firehose', 'ct_import_audience')
		AND NOT coalesce(p.proconfig @> ARRAY['jit=off'], false)),
	NULL, 'ct_firehose and ct_import_audience set jit = off');

-- every table, view and user-facing function is documented
SELECT is(
	(SELECT array_agg(c.relname::text ORDER BY c.relname)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	  WHERE n.nspname = 'ctaudience' AND c.relkind IN ('r', 'v') AND obj_description(c.oid, 'pg_class') IS NULL),
	NULL, 'every table and view has a COMMENT');
SELECT is(
	(SELECT array_agg(p.proname::text ORDER BY p.proname)
	   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	  WHERE n.nspname = 'ctaudience' AND obj_description(p.oid, 'pg_proc') IS NULL
		AND p.proname !~ '^ct_(email|phone)_(in|out|recv|send|eq|ne|lt|le|gt|ge|cmp|hash|hash_extended)$'),
	NULL, 'every function other than type support has a COMMENT');

-- roles
SELECT has_role('ctaudience_importer');
SELECT has_role('ctaudience_reader');
SELECT function_privs_are('ctaudience', 'ct_import_audience', ARRAY['jsonb'], 'ctaudience_importer', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_import_audience', ARRAY['jsonb'], 'public', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_import_audience', ARRAY['text'], 'ctaudience_importer', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_import_audience', ARRAY['text'], 'public', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_firehose', ARRAY['text'], 'ctaudience_importer', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_firehose', ARRAY['text'], 'ctaudience_reader', ARRAY[]::text[]);
-- scheduled imports: importers queue and process, nobody reads the queue but its owner
SELECT function_privs_are('ctaudience', 'ct_enqueue', ARRAY['jsonb'], 'ctaudience_importer', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_process_inbox', ARRAY['integer'], 'ctaudience_importer', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_process_inbox', ARRAY['integer'], 'ctaudience_operator', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_process_inbox', ARRAY['integer'], 'public', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_project_node', ARRAY['text'], 'ctaudience_importer', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_project_node', ARRAY['text'], 'public', ARRAY[]::text[]);
-- which paths below SQL the import takes: the owner's diagnosis only
SELECT has_function('ctaudience', 'ct_direct_paths', ARRAY['text']);
SELECT function_privs_are('ctaudience', 'ct_direct_paths', ARRAY['text'], 'public', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_direct_paths', ARRAY['text'], 'ctaudience_importer', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_direct_paths', ARRAY['text'], 'ctaudience_operator', ARRAY[]::text[]);
SELECT table_privs_are('ctaudience', 'ct_inbox', 'ctaudience_importer', ARRAY[]::text[]);
SELECT col_is_pk('ctaudience', 'ct_inbox', ARRAY['project_id', 'inbox_id'], 'queued messages keyed by project');
-- both variants of the entry points: jsonb and the body as text
SELECT has_function('ctaudience', 'ct_import_audience', ARRAY['text']);
SELECT has_function('ctaudience', 'ct_firehose', ARRAY['text']);
SELECT table_privs_are('ctaudience', 'ct_profile', 'ctaudience_importer', ARRAY[]::text[]);
SELECT table_privs_are('ctaudience', 'ct_project', 'ctaudience_reader', ARRAY[]::text[]);
SELECT table_privs_are('ctaudience', 'ct_segments', 'ctaudience_reader', ARRAY['SELECT']);
SELECT views_are('ctaudience', ARRAY['ct_segments', 'ct_segment_stats', 'ct_profile_activity', 'ct_find_people', 'ct_usage', 'ct_import_log', 'ct_campaigns', 'ct_segment_daily', 'ct_inbox_status', 'ct_inbox_dead_letters', 'ct_campaign_results', 'ct_export_status', 'ct_export_dead_letters', 'ct_journey_stats', 'ct_journey_profiles', 'ct_journey_daily']);
SELECT is(
	(SELECT array_agg(v ORDER BY v) FROM unnest(ARRAY['ct_segments', 'ct_segment_stats', 'ct_profile_activity',
		'ct_find_people', 'ct_usage', 'ct_import_log', 'ct_campaign_results', 'ct_export_status',
		'ct_export_dead_letters']) v
	  WHERE NOT has_table_privilege('ctaudience_reader', 'ctaudience.' || v, 'SELECT')),
	NULL, 'the reader reads every view');
SELECT is(
	(SELECT array_agg(c.relname::text ORDER BY c.relname)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	  WHERE n.nspname = 'ctaudience' AND c.relkind = 'r' AND has_table_privilege('ctaudience_reader', c.oid, 'SELECT')),
	NULL, 'the reader reads no table directly');

-- the export: its role calls four functions and reads the status, nothing else
SELECT function_privs_are('ctaudience', 'ct_export_claim', ARRAY['text', 'integer'], 'ctaudience_exporter', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_export_claim', ARRAY['text', 'integer'], 'public', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_export_hold', ARRAY['text', 'bigint'], 'ctaudience_exporter', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_export_hold', ARRAY['text', 'bigint'], 'public', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_configure_export',
	ARRAY['text', 'text', 'text', 'text', 'text', 'text', 'text[]', 'text', 'interval', 'interval', 'text', 'boolean'],
	'ctaudience_exporter', ARRAY[]::text[]);
SELECT table_privs_are('ctaudience', 'ct_export', 'ctaudience_exporter', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_record_delivery', ARRAY['text', 'bigint', 'text', 'text', 'timestamp with time zone', 'jsonb'],
	'ctaudience_sender', ARRAY['EXECUTE']);
SELECT col_is_pk('ctaudience', 'ct_export_outbox', ARRAY['project_id', 'ct_id', 'event_id'], 'what waits, by profile and event');

-- per-project roles: the inbox's run and compaction are the operator's;
-- ctaudience_scoped holds the four roles' privileges; only the owner grants
SELECT has_role('ctaudience_operator');
SELECT has_role('ctaudience_scoped');
SELECT function_privs_are('ctaudience', 'ct_inbox_claim', ARRAY[]::text[], 'ctaudience_importer', ARRAY[]::text[]);
SELECT function_privs_are('ctaudience', 'ct_compact_stats', ARRAY['text'], 'ctaudience_operator', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_campaign_take', ARRAY['bigint', 'integer'], 'ctaudience_scoped', ARRAY['EXECUTE']);
SELECT function_privs_are('ctaudience', 'ct_grant_project', ARRAY['name', 'text', 'text'], 'public', ARRAY[]::text[]);
-- every view is read with its reader's rights, so the tables' policies hold
SELECT is(
	(SELECT array_agg(c.relname::text ORDER BY c.relname)
	   FROM pg_class c
	  WHERE c.relnamespace = 'ctaudience'::regnamespace AND c.relkind = 'v'
		AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)),
	NULL, 'every view is security_invoker');
-- every table a view shows has row-level security (not forced on the
-- owner, who imports), with the policy of every project and the granted one
SELECT is(
	(SELECT array_agg(DISTINCT t.relname::text ORDER BY t.relname::text)
	   FROM pg_class v JOIN pg_rewrite w ON w.ev_class = v.oid
	   JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid AND d.refclassid = 'pg_class'::regclass
	   JOIN pg_class t ON t.oid = d.refobjid AND t.relkind = 'r'
	  WHERE v.relnamespace = 'ctaudience'::regnamespace AND v.relkind = 'v'
		AND (NOT t.relrowsecurity OR t.relforcerowsecurity
			 OR (SELECT array_agg(p.polname::text ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = t.oid)
				IS DISTINCT FROM ARRAY['ct_every_project', 'ct_granted_projects'])),
	NULL, 'every table a view shows has row-level security and its two policies');
-- a role reads, in a table, only the columns of the views it reads
SELECT is(
	(SELECT array_agg(format('%s.%s %s', t.relname, a.attname, r.rolname) ORDER BY 1)
	   FROM pg_class t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0
	  CROSS JOIN LATERAL aclexplode(a.attacl) x
	   JOIN pg_roles r ON r.oid = x.grantee
	  WHERE t.relnamespace = 'ctaudience'::regnamespace AND t.relkind = 'r' AND x.privilege_type = 'SELECT'
		AND NOT EXISTS (
			SELECT 1 FROM pg_class v JOIN pg_rewrite w ON w.ev_class = v.oid
			  JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid
							  AND d.refobjid = t.oid AND d.refobjsubid = a.attnum
			 WHERE v.relnamespace = 'ctaudience'::regnamespace AND has_table_privilege(x.grantee, v.oid, 'SELECT'))),
	NULL, 'no role reads a table column that no view it reads shows');
SELECT is(
	(SELECT array_agg(a.attname::text ORDER BY a.attname)
	   FROM pg_attribute a
	  WHERE a.attrelid IN ('ctaudience.ct_inbox'::regclass, 'ctaudience.ct_message'::regclass,
						   'ctaudience.ct_profile'::regclass, 'ctaudience.ct_export_request'::regclass)
		AND a.attname IN ('body', 'response', 'properties', 'properties_ts')
		AND has_column_privilege('ctaudience_scoped', a.attrelid, a.attnum, 'SELECT')),
	NULL, 'no body, response or profile property is readable by a role given projects');

-- the data tables are dumped by pg_dump
SELECT is(
	(SELECT array_agg(c.relname::text ORDER BY c.relname)
	   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	  WHERE n.nspname = 'ctaudience' AND c.relkind = 'r'
		AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'ctaudience')::oid[])),
	NULL, 'every data table is registered with pg_extension_config_dump');

SELECT * FROM finish();
ROLLBACK;
