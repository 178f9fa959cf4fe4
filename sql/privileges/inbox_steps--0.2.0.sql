REVOKE ALL ON FUNCTION ctaudience.ct_inbox_claim(), ctaudience.ct_inbox_answer(bigint) FROM PUBLIC;
REVOKE ALL ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ctaudience.ct_inbox_claim(), ctaudience.ct_inbox_answer(bigint) TO ctaudience_importer;
GRANT EXECUTE ON PROCEDURE ctaudience.ct_run_inbox(integer, integer, integer, integer) TO ctaudience_importer;
