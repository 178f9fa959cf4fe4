-- Its errors log no STATEMENT, CONTEXT or DETAIL line: a caller's statement
-- there may hold the account token as a literal (as ct_register_project's).
ALTER FUNCTION ctaudience.ct_update_project(text, text, text, text, text, timestamptz)
	SET log_min_error_statement = panic SET log_error_verbosity = terse;
