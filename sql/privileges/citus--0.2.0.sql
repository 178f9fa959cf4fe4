REVOKE ALL ON FUNCTION ctaudience.ct_message_project(text), ctaudience.ct_is_distributed(),
	ctaudience.ct_distributed_functions() FROM PUBLIC;
