-- Projects and authentication: passcodes are hashed, every check is a
-- class 28 error naming the failed check, and a refused message writes nothing.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- the passcode is stored as a salted verifier only
SELECT project_id, passcode_hash ~ '^pbkdf2-sha256\$4096\$[0-9a-f]{32}\$[0-9a-f]{64}$' AS hashed,
	   position('test-passcode-1' IN passcode_hash) = 0 AS not_in_clear
  FROM ct_project ORDER BY 1;
-- the same passcode gets a different salt each time
SELECT count(DISTINCT passcode_hash) AS distinct_verifiers FROM ct_project;

-- registration checks its arguments
SELECT ct_register_project('bad id!', 'test-passcode-1', 'tok');
SELECT ct_register_project('TEST-X', 'short', 'tok');
SELECT ct_register_project('TEST-X', 'test-passcode-1', 'tok', 'mars1');
SELECT ct_register_project('TEST-X', 'test-passcode-1', 'tok', 'eu1', NULL, NULL, 'Narnia');
SELECT ct_register_project('TEST-X', NULL, 'tok');
SELECT count(*) AS projects FROM ct_project;

-- a good message is accepted (a verification ping: no user_profiles)
SELECT t.imp(t.msg(1, 1714592744000, NULL));

-- every failed check raises class 28 and names the check, never the secret
SELECT ct_import_audience(t.msg(2, 1714592744000, '[]', 'NOPE'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(2, 1714592744000, '[]') #- '{account,account_settings,accountId}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(jsonb_set(t.msg(2, 1714592744000, '[]'), '{account,account_settings,passcode}', '"wrong-passcode"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(2, 1714592744000, '[]') #- '{account,account_settings,passcode}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(jsonb_set(t.msg(2, 1714592744000, '[]'), '{account,account_settings,accountToken}', '"token-other"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(jsonb_set(t.msg(2, 1714592744000, '[]'), '{account,account_settings,region}', '"us1"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_import_audience(t.msg(2, 1714592744000, '[]') #- '{account}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- region is compared without case or surrounding blanks
SELECT t.imp(jsonb_set(t.msg(3, 1714592744000, '[]'), '{account,account_settings,region}', '" EU1 "'));

-- an expired passcode is refused with a hint on how to rotate it
UPDATE ct_project SET passcode_expires_at = '2020-01-01 00:00:00+00' WHERE project_id = 'TEST-2';
SELECT ct_import_audience(t.msg(4, 1714592744000, '[]', 'TEST-2'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a wrong passcode is reported as wrong even when expired
SELECT ct_import_audience(jsonb_set(t.msg(4, 1714592744000, '[]', 'TEST-2'), '{account,account_settings,passcode}', '"nope-nope-nope"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE ct_project SET passcode_expires_at = NULL WHERE project_id = 'TEST-2';
SELECT t.imp(jsonb_set(t.msg(4, 1714592744000, '[]', 'TEST-2'), '{account,account_settings,region}', '"in1"'));

-- a refused message writes nothing
SELECT count(*) AS messages_before FROM ct_message;
SELECT ct_import_audience(jsonb_set(t.msg(5, 1714592744000,
	jsonb_build_array(t.u('1', jsonb_build_array(t.id('customer', 'auth-c1')), jsonb_build_array(t.aud(9001, 'Auth A'))))),
	'{account,account_settings,passcode}', '"wrong-passcode"'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT (SELECT count(*) FROM ct_message) AS messages, (SELECT count(*) FROM ct_profile) AS profiles,
	   (SELECT count(*) FROM ct_segment) AS segments;

-- re-registering rotates the passcode: the old one stops working
SELECT ct_register_project('TEST-NOCC', 'new-passcode-22', 'token-TEST-NOCC');
SELECT ct_import_audience(t.msg(6, 1714592744000, '[]', 'TEST-NOCC'));
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT t.imp(jsonb_set(t.msg(6, 1714592744000, '[]', 'TEST-NOCC'), '{account,account_settings,passcode}', '"new-passcode-22"'));
SELECT ct_register_project('TEST-NOCC', 'test-passcode-1', 'token-TEST-NOCC');

-- roles: the reader cannot see the verifier, the importer cannot read tables
SELECT has_table_privilege('ctaudience_reader', 'ctaudience.ct_project', 'SELECT') AS reader_sees_projects,
	   has_function_privilege('ctaudience_importer', 'ctaudience.ct_import_audience(jsonb)', 'EXECUTE') AS importer_imports,
	   has_table_privilege('ctaudience_importer', 'ctaudience.ct_profile', 'SELECT') AS importer_reads_profiles,
	   has_function_privilege('public', 'ctaudience.ct_import_audience(jsonb)', 'EXECUTE') AS public_imports;

-- ct_rotate_passcode replaces the verifier; the expiry is enforced
SELECT ct_rotate_passcode('TEST-2', 'rotated-passcode-3', now() + interval '1 day');
SELECT t.imp(jsonb_set(jsonb_set(t.msg(7, 1714592744000, '[]', 'TEST-2'), '{account,account_settings,region}', '"in1"'),
	'{account,account_settings,passcode}', '"rotated-passcode-3"'));
SELECT ct_rotate_passcode('TEST-2', 'rotated-passcode-3', '2020-01-01');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_rotate_passcode('NOPE', 'rotated-passcode-3');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT ct_rotate_passcode('TEST-2', 'test-passcode-1');
SELECT passcode_expires_at IS NULL AS forever FROM ct_project WHERE project_id = 'TEST-2';
