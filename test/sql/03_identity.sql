-- Identity resolution, rule by rule (SPEC 4):
-- Partner ID -> CleverTap ID, else Customer ID -> Identity, else mParticle
-- ID -> Identity with a valid email or phone, else anonymous.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never

-- Rule 1: a Partner ID absent from the store creates the profile with that CleverTap ID
SELECT t.imp(t.msg(100, 1714600000000, jsonb_build_array(
	t.u('9001', jsonb_build_array(t.id('email', 'Partner.One@Example.com')),
		jsonb_build_array(t.aud(1, 'Rule tests')), 'ct-partner-1'))));
SELECT * FROM t.profiles WHERE ct_id = 'ct-partner-1';

-- Rule 1: present in the store, the same profile is matched and email/phone merged
SELECT t.imp(t.msg(101, 1714600001000, jsonb_build_array(
	t.u('9001', jsonb_build_array(t.id('mobile_number', '+1 (415) 555-2671')),
		jsonb_build_array(t.aud(1, 'Rule tests')), 'ct-partner-1'))));
SELECT * FROM t.profiles WHERE ct_id = 'ct-partner-1';

-- the type name of the partner identity is matched case-insensitively
SELECT t.imp(t.msg(102, 1714600002000, jsonb_build_array(jsonb_build_object(
	'mpid', '9002',
	'partner_identities', jsonb_build_array(jsonb_build_object('type', 'clevertap_user_id', 'encoding', 'raw', 'value', 'ct-partner-2')),
	'audiences', jsonb_build_array(t.aud(1, 'Rule tests'))))));
-- a partner identity of another type is not a Partner ID (mParticle's example sends "partner_id")
SELECT t.imp(t.msg(103, 1714600003000, jsonb_build_array(jsonb_build_object(
	'mpid', '9003',
	'partner_identities', jsonb_build_array(jsonb_build_object('type', 'partner_id', 'encoding', 'raw', 'value', 'ct-partner-3')),
	'audiences', jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT count(*) AS partner_3_profiles FROM ct_profile WHERE ct_id = 'ct-partner-3';

-- Rule 2: Customer ID -> Identity; the second message finds the same profile
SELECT t.imp(t.msg(110, 1714600010000, jsonb_build_array(
	t.u('9010', jsonb_build_array(t.id('customer', 'cust-10'), t.id('email', 'ten@example.com')),
		jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT t.imp(t.msg(111, 1714600011000, jsonb_build_array(
	t.u('9010', jsonb_build_array(t.id('customer', 'cust-10'), t.id('email', 'ten.new@example.com')),
		jsonb_build_array(t.aud(2, 'Second audience'))))));
SELECT * FROM t.profiles WHERE identity = 'cust-10';

-- Rule 1 wins over rule 2 when both come; the Customer ID becomes the new profile's Identity
SELECT t.imp(t.msg(112, 1714600012000, jsonb_build_array(
	t.u('9012', jsonb_build_array(t.id('customer', 'cust-12')), jsonb_build_array(t.aud(1, 'Rule tests')), 'ct-partner-12'))));
SELECT * FROM t.profiles WHERE ct_id = 'ct-partner-12';
-- ... so a later message with the Customer ID alone finds that profile
SELECT t.imp(t.msg(113, 1714600013000, jsonb_build_array(
	t.u('9012', jsonb_build_array(t.id('customer', 'cust-12'), t.id('email', 'twelve@example.com')),
		jsonb_build_array(t.aud(2, 'Second audience'))))));
SELECT * FROM t.profiles WHERE identity = 'cust-12';
-- an existing partner profile without Identity takes the Customer ID too
SELECT t.imp(t.msg(114, 1714600014000, jsonb_build_array(
	t.u('9001', jsonb_build_array(t.id('customer', 'cust-partner-1')), jsonb_build_array(t.aud(1, 'Rule tests')), 'ct-partner-1'))));
SELECT ct_id, identity FROM t.profiles WHERE ct_id = 'ct-partner-1';
-- a Customer ID held by a profile whose CleverTap ID was generated here: that
-- profile is merged into the Partner ID's, which takes the Identity
SELECT t.imp(t.msg(115, 1714600015000, jsonb_build_array(
	t.u('9002', jsonb_build_array(t.id('customer', 'cust-10')), jsonb_build_array(t.aud(1, 'Rule tests')), 'ct-partner-2'))));
SELECT ct_id, identity FROM t.profiles WHERE ct_id IN ('ct-partner-2') OR identity = 'cust-10' ORDER BY 1;

-- Rule 3: mParticle ID with a valid email
SELECT t.imp(t.msg(120, 1714600020000, jsonb_build_array(
	t.u('9020', jsonb_build_array(t.id('email', 'twenty@example.com')), jsonb_build_array(t.aud(1, 'Rule tests'))))));
-- Rule 3: mParticle ID with a phone, national format read with the project's country (US)
SELECT t.imp(t.msg(121, 1714600021000, jsonb_build_array(
	t.u('9021', jsonb_build_array(t.id('mobile_number', '(212) 555-0123')), jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT * FROM t.profiles WHERE identity IN ('9020', '9021') ORDER BY identity;

-- Rule 4: mParticle ID alone is anonymous: nothing is created
SELECT t.imp(t.msg(130, 1714600030000, jsonb_build_array(
	t.u('9030', NULL, jsonb_build_array(t.aud(1, 'Rule tests'))))));
-- hashed identities only: anonymous too, and counted as such
SELECT t.imp(t.msg(131, 1714600031000, jsonb_build_array(
	t.u('9031', jsonb_build_array(t.id('email', 'e179e95c00e7718ab4a23840f992ea63', 'md5'),
								  t.id('customer', '4739c5c11d833bb199c16ff95a92b267', 'sha256'),
								  t.id('mobile_number', 'ab12', 'sha1')),
		jsonb_build_array(t.aud(1, 'Rule tests'))))));
-- a hashed Partner ID is no Partner ID either
SELECT t.imp(t.msg(132, 1714600032000, jsonb_build_array(jsonb_build_object(
	'mpid', '9032',
	'partner_identities', jsonb_build_array(jsonb_build_object('type', 'CleverTap_User_ID', 'encoding', 'sha256', 'value', 'abcdef')),
	'audiences', jsonb_build_array(t.aud(1, 'Rule tests'))))));
-- an mParticle ID with an invalid email only is anonymous (the email must be valid)
SELECT t.imp(t.msg(133, 1714600033000, jsonb_build_array(
	t.u('9033', jsonb_build_array(t.id('email', 'not-an-address')), jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT count(*) AS anonymous_profiles FROM ct_profile WHERE identity IN ('9030', '9031', '9032', '9033') OR mparticle_id IN ('9030', '9031', '9032', '9033');

-- forbidden identity values count as absent (any case, with blanks)
SELECT t.imp(t.msg(140, 1714600040000, jsonb_build_array(
	t.u('9040', jsonb_build_array(t.id('customer', ' N/A '), t.id('email', 'forty@example.com')), jsonb_build_array(t.aud(1, 'Rule tests'))),
	t.u('-1', jsonb_build_array(t.id('customer', 'Undefined'), t.id('email', 'forty1@example.com')), jsonb_build_array(t.aud(1, 'Rule tests'))),
	t.u('9042', jsonb_build_array(t.id('customer', 'anonymous')), jsonb_build_array(t.aud(1, 'Rule tests')), 'null'))));
-- a LIKE prefix on ct_email::text (PostgreSQL 18 failed to plan it while the cast was binary)
SELECT identity, email FROM t.profiles WHERE email::text LIKE 'forty%' ORDER BY email;
SELECT count(*) AS forbidden_stored FROM ct_profile
 WHERE lower(btrim(identity)) IN ('n/a', 'undefined', 'anonymous', '-1', 'null') OR lower(ct_id) = 'null';

-- an identity of 1024 characters or more is dropped; 1023 is kept
SELECT t.imp(t.msg(141, 1714600041000, jsonb_build_array(
	t.u('9043', jsonb_build_array(t.id('customer', repeat('é', 1024)), t.id('email', 'long@example.com')), jsonb_build_array(t.aud(1, 'Rule tests'))),
	t.u('9044', jsonb_build_array(t.id('customer', repeat('é', 1023))), jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT length(identity), email FROM ct_profile WHERE mparticle_id IN ('9043', '9044') ORDER BY 1;

-- a Partner ID that is not a CleverTap ID (1-64 of A-Z a-z 0-9 ( ) ! : @ $ _ -) falls through to rule 2
SELECT t.imp(t.msg(142, 1714600042000, jsonb_build_array(
	t.u('9045', jsonb_build_array(t.id('customer', 'cust-45')), jsonb_build_array(t.aud(1, 'Rule tests')), 'has space'),
	t.u('9046', jsonb_build_array(t.id('customer', 'cust-46')), jsonb_build_array(t.aud(1, 'Rule tests')), repeat('x', 65)),
	t.u('9047', NULL, jsonb_build_array(t.aud(1, 'Rule tests')), 'Ok(:@$_-!)9'))));
SELECT ct_id, identity FROM t.profiles WHERE mparticle_id IN ('9045', '9046', '9047') ORDER BY 2, 1;

-- invalid email and phone are not merged; the user is still imported and the problem counted
SELECT t.imp(t.msg(150, 1714600050000, jsonb_build_array(
	t.u('9050', jsonb_build_array(t.id('customer', 'cust-50'), t.id('email', 'bad@@example'), t.id('mobile_number', '+1 555')),
		jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT identity, email, phone FROM t.profiles WHERE identity = 'cust-50';
-- an invalid value never replaces a valid one
SELECT t.imp(t.msg(151, 1714600051000, jsonb_build_array(
	t.u('9010', jsonb_build_array(t.id('customer', 'cust-10'), t.id('email', 'broken'), t.id('mobile_number', 'call me')),
		jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT identity, email, phone FROM t.profiles WHERE identity = 'cust-10';

-- phone: mobile_number, else phone_number_2, else phone_number_3
SELECT t.imp(t.msg(160, 1714600060000, jsonb_build_array(
	t.u('9060', jsonb_build_array(t.id('customer', 'cust-60'), t.id('phone_number_2', '+44 20 7946 0018'), t.id('phone_number_3', '+1 212 555 0199')),
		jsonb_build_array(t.aud(1, 'Rule tests'))),
	t.u('9061', jsonb_build_array(t.id('customer', 'cust-61'), t.id('phone_number_3', '+1 212 555 0199')),
		jsonb_build_array(t.aud(1, 'Rule tests'))),
	t.u('9062', jsonb_build_array(t.id('customer', 'cust-62'), t.id('mobile_number', 'nope'), t.id('phone_number_2', '+44 20 7946 0019')),
		jsonb_build_array(t.aud(1, 'Rule tests'))))));
SELECT identity, phone FROM t.profiles WHERE identity IN ('cust-60', 'cust-61', 'cust-62') ORDER BY 1;

-- national numbers are read with the project's default_country; without one only +E.164 works
SELECT t.imp(jsonb_set(t.msg(170, 1714600070000, jsonb_build_array(
	t.u('9070', jsonb_build_array(t.id('customer', 'cust-70'), t.id('mobile_number', '098765 43210')), jsonb_build_array(t.aud(1, 'India')))),
	'TEST-2'), '{account,account_settings,region}', '"in1"'));
SELECT t.imp(t.msg(171, 1714600071000, jsonb_build_array(
	t.u('9071', jsonb_build_array(t.id('customer', 'cust-71'), t.id('mobile_number', '(415) 555-2671')), jsonb_build_array(t.aud(1, 'No country'))),
	t.u('9072', jsonb_build_array(t.id('customer', 'cust-72'), t.id('mobile_number', '+1 415 555 2672')), jsonb_build_array(t.aud(1, 'No country')))),
	'TEST-NOCC'));
SELECT project_id, identity, phone FROM t.profiles WHERE identity IN ('cust-70', 'cust-71', 'cust-72') ORDER BY identity;

-- the connection's User ID (userIdField) replaces Customer ID in rule 2
SELECT t.imp(t.msg(180, 1714600080000, jsonb_build_array(
	t.u('9080', jsonb_build_array(t.id('customer', 'cust-80'), t.id('email', 'Eighty@Example.com')),
		jsonb_build_array(t.aud(5, 'By email') || '{"audience_subscription_settings": {"userIdField": "email"}}')),
	t.u('9081', jsonb_build_array(t.id('customer', 'cust-81'), t.id('other2', 'o2-81')),
		jsonb_build_array(t.aud(6, 'By other2') || '{"audience_subscription_settings": {"userIdField": "other2"}}')),
	t.u('9082', jsonb_build_array(t.id('customer', 'cust-82'), t.id('email', 'eighty2@example.com')),
		jsonb_build_array(t.aud(7, 'By mpid') || '{"audience_subscription_settings": {"userIdField": "mpid"}}')))));
SELECT identity, email FROM t.profiles WHERE mparticle_id IN ('9080', '9081', '9082') ORDER BY 1;

-- the same user twice in one message is one profile
SELECT t.imp(t.msg(190, 1714600090000, jsonb_build_array(
	t.u('9090', jsonb_build_array(t.id('customer', 'cust-90'), t.id('email', 'first@example.com')), jsonb_build_array(t.aud(1, 'Rule tests'))),
	t.u('9090', jsonb_build_array(t.id('customer', 'cust-90'), t.id('email', 'second@example.com')), jsonb_build_array(t.aud(2, 'Second audience'))))));
SELECT identity, email FROM t.profiles WHERE identity = 'cust-90';

-- newest message wins for email and phone: an older message does not overwrite
SELECT t.imp(t.msg(191, 1714500000000, jsonb_build_array(
	t.u('9010', jsonb_build_array(t.id('customer', 'cust-10'), t.id('email', 'ancient@example.com'), t.id('mobile_number', '+1 212 555 0100')),
		jsonb_build_array(t.aud(3, 'Old audience'))))));
SELECT identity, email, phone FROM t.profiles WHERE identity = 'cust-10';

-- ct_resolve_identity applies the same rules without writing
SELECT (ct_resolve_identity('TEST-1', 'ct-partner-1')).*;
SELECT (ct_resolve_identity('TEST-1', 'ct-partner-new', 'cust-10')).*;
SELECT rule, key, ct_id = (SELECT ct_id FROM ct_profile WHERE identity = 'cust-10') AS matched, email, phone
  FROM ct_resolve_identity('TEST-1', NULL, 'cust-10', '9010', ' X@Example.COM ');
SELECT rule, key, ct_id IS NOT NULL AS exists FROM ct_resolve_identity('TEST-1', NULL, 'cust-new');
SELECT rule, key, ct_id = (SELECT ct_id FROM ct_profile WHERE identity = '9020') AS matched, email, phone
  FROM ct_resolve_identity('TEST-1', NULL, 'null', '9020', NULL, '(212) 555-0124');
SELECT (ct_resolve_identity('TEST-1', NULL, NULL, '9999', 'bad email', '12')).*;
SELECT (ct_resolve_identity('TEST-1', 'bad id with spaces', NULL, '9999')).*;
SELECT (ct_resolve_identity('NOPE', 'x')).*;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS profiles_named_new FROM ct_profile WHERE identity = 'cust-new' OR ct_id = 'ct-partner-new';

-- ct_resolve_identity tells whether a profile exists: an importer needs the
-- project's passcode, and an unknown project or a wrong passcode get the
-- same answer; a member of ctaudience_reader (or a superuser) needs none
SET ROLE ctaudience_importer;
SELECT rule, ct_id IS NOT NULL AS exists FROM ctaudience.ct_resolve_identity('TEST-1', customer_id => 'cust-10');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT rule, ct_id IS NOT NULL AS exists FROM ctaudience.ct_resolve_identity('TEST-1', customer_id => 'cust-10', passcode => 'wrong-passcode');
SELECT rule, ct_id IS NOT NULL AS exists FROM ctaudience.ct_resolve_identity('NOPE', customer_id => 'cust-10', passcode => 'test-passcode-1');
SELECT rule, ct_id IS NOT NULL AS exists FROM ctaudience.ct_resolve_identity('TEST-1', customer_id => 'cust-10', passcode => 'test-passcode-1');
RESET ROLE;
SET ROLE ctaudience_reader;
SELECT rule, ct_id IS NOT NULL AS exists FROM ctaudience.ct_resolve_identity('TEST-1', customer_id => 'cust-10');
RESET ROLE;
