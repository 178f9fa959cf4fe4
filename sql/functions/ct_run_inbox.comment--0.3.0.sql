COMMENT ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) IS
	'answer up to max_messages due inbox messages, each claimed (attempt counted) and answered in transactions of its own: CALL it outside a transaction block, e.g. from pg_cron; done, retried (failed, due again) and dead count messages; one another session is importing is in none (due again a second later)';
