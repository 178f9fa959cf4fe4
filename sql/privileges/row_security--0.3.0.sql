-- Row-level security on every table a view shows: the four roles of
-- every project see all rows; a member of ctaudience_scoped sees the rows
-- of the projects granted to it for a capability that reads the table.
-- The extension's owner (whose SECURITY DEFINER functions import) is not
-- subject to it: the import reads and writes as before.  Only SELECT is
-- granted to anyone but the owner, so only SELECT has policies.
ALTER TABLE ctaudience.ct_segment ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_segment FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_segment FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_segment_delta ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_segment_delta FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_segment_delta FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_segment_member ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_segment_member FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_segment_member FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_profile ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_profile FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_profile FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_event FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_event FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_usage_delta ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_usage_delta FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_usage_delta FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_active_user_month ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_active_user_month FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_active_user_month FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_message ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_message FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_message FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_import_sample ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_import_sample FOR SELECT TO ctaudience_reader USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_import_sample FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read}'));
ALTER TABLE ctaudience.ct_inbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_inbox FOR SELECT TO ctaudience_reader, ctaudience_operator USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_inbox FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,operate}'));
ALTER TABLE ctaudience.ct_campaign ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_campaign FOR SELECT TO ctaudience_reader, ctaudience_sender USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_campaign FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,send}'));
ALTER TABLE ctaudience.ct_campaign_queue ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_campaign_queue FOR SELECT TO ctaudience_reader, ctaudience_sender USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_campaign_queue FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,send}'));
ALTER TABLE ctaudience.ct_delivery ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_delivery FOR SELECT TO ctaudience_reader, ctaudience_sender USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_delivery FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,send}'));
ALTER TABLE ctaudience.ct_export ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_export FOR SELECT TO ctaudience_reader, ctaudience_exporter USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_export FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,export}'));
ALTER TABLE ctaudience.ct_export_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_export_outbox FOR SELECT TO ctaudience_reader, ctaudience_exporter USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_export_outbox FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,export}'));
ALTER TABLE ctaudience.ct_export_request ENABLE ROW LEVEL SECURITY;
CREATE POLICY ct_every_project ON ctaudience.ct_export_request FOR SELECT TO ctaudience_reader, ctaudience_exporter USING (true);
CREATE POLICY ct_granted_projects ON ctaudience.ct_export_request FOR SELECT TO ctaudience_scoped
	USING (ctaudience.ct_project_visible(project_id, '{read,export}'));
