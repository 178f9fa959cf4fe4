REVOKE ALL ON FUNCTION ctaudience.ct_check_region(text), ctaudience.ct_check_country(text),
	ctaudience.ct_check_passcode(text, timestamptz), ctaudience.ct_unknown_project(text),
	ctaudience.ct_update_project(text, text, text, text, text, timestamptz) FROM PUBLIC;
