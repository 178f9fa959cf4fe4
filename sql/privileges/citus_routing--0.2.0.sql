-- A receiver on a Citus coordinator routes by the message's project.
GRANT EXECUTE ON FUNCTION ctaudience.ct_message_project(text), ctaudience.ct_is_distributed()
	TO ctaudience_importer;
