COMMENT ON FUNCTION ctaudience.ct_inbox_answer(bigint) IS
	'ct_run_inbox''s second step: answer a claimed inbox message and record the outcome (done, retried or dead; busy when another session is importing it: due again a second later, no attempt counted)';
