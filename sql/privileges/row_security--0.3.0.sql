-- Row-level security on every table a view shows, with the capabilities
-- that read it: the roles of every project (a capability each) see all
-- rows; a member of ctaudience_scoped sees the rows of the projects
-- granted to it for one of them.  The extension's owner (whose SECURITY
-- DEFINER functions import) is not subject to it: the import reads and
-- writes as before.  Only the owner writes, so only SELECT has policies.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN
		SELECT x.name, x.capabilities,
			   (SELECT string_agg(CASE c WHEN 'read' THEN 'ctaudience_reader' WHEN 'send' THEN 'ctaudience_sender'
										 WHEN 'operate' THEN 'ctaudience_operator' WHEN 'export' THEN 'ctaudience_exporter' END,
								  ', ' ORDER BY o)
				  FROM unnest(x.capabilities) WITH ORDINALITY AS u(c, o)) AS every_project
		  FROM (VALUES ('ct_segment', '{read}'::text[]), ('ct_segment_delta', '{read}'), ('ct_segment_member', '{read}'),
					   ('ct_profile', '{read}'), ('ct_event', '{read}'), ('ct_usage_delta', '{read}'),
					   ('ct_active_user_month', '{read}'), ('ct_message', '{read}'), ('ct_import_sample', '{read}'),
					   ('ct_inbox', '{read,operate}'),
					   ('ct_campaign', '{read,send}'), ('ct_campaign_queue', '{read,send}'), ('ct_delivery', '{read,send}'),
					   ('ct_export', '{read,export}'), ('ct_export_outbox', '{read,export}'),
					   ('ct_export_request', '{read,export}')) AS x(name, capabilities)
	LOOP
		EXECUTE format('ALTER TABLE ctaudience.%I ENABLE ROW LEVEL SECURITY', t.name);
		EXECUTE format('CREATE POLICY ct_every_project ON ctaudience.%I FOR SELECT TO %s USING (true)',
					   t.name, t.every_project);
		EXECUTE format('CREATE POLICY ct_granted_projects ON ctaudience.%I FOR SELECT TO ctaudience_scoped'
					   ' USING (ctaudience.ct_project_visible(project_id, %L))', t.name, t.capabilities);
	END LOOP;
END
$$;
