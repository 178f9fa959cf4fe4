CREATE PROCEDURE ctaudience.ct_run_inbox(max_messages integer DEFAULT 100,
	INOUT done integer DEFAULT NULL, INOUT retried integer DEFAULT NULL, INOUT dead integer DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
	claimed bigint;
	outcome text;
BEGIN
	IF max_messages IS NULL OR max_messages < 1 THEN
		RAISE EXCEPTION 'max_messages must be at least 1' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	done := 0;
	retried := 0;
	dead := 0;
	FOR i IN 1 .. max_messages LOOP
		claimed := ctaudience.ct_inbox_claim();
		COMMIT;
		EXIT WHEN claimed IS NULL;
		outcome := ctaudience.ct_inbox_answer(claimed);
		COMMIT;
		IF outcome = 'done' THEN
			done := done + 1;
		ELSIF outcome = 'retried' THEN
			retried := retried + 1;
		ELSIF outcome = 'dead' THEN
			dead := dead + 1;
		END IF;
	END LOOP;
END;
$$;
COMMENT ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) IS
	'answer up to max_messages due inbox messages, each claimed (attempt counted) and answered in transactions of its own: CALL it outside a transaction block, e.g. from pg_cron';
