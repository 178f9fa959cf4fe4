-- Whether a user profile of a queued message names the subject of an
-- erasure: by mpid, by the value of any raw user identity (a Customer ID or
-- another User ID), by email (normalized) or by Partner ID.
CREATE FUNCTION ctaudience.ct_names_subject(profile jsonb, emails ctaudience.ct_email[],
	identities text[], mpids text[], ct_ids text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT profile ->> 'mpid' = ANY (mpids)
		OR EXISTS (SELECT 1
					 FROM jsonb_array_elements(CASE jsonb_typeof(profile -> 'user_identities')
											   WHEN 'array' THEN profile -> 'user_identities' ELSE '[]' END) AS u(i)
					WHERE u.i ->> 'value' = ANY (identities) OR u.i ->> 'value' = ANY (mpids)
					   OR (u.i ->> 'type' = 'email'
						   AND ctaudience.ct_normalize_email(u.i ->> 'value') OPERATOR(ctaudience.=) ANY (emails)))
		OR EXISTS (SELECT 1
					 FROM jsonb_array_elements(CASE jsonb_typeof(profile -> 'partner_identities')
											   WHEN 'array' THEN profile -> 'partner_identities' ELSE '[]' END) AS u(i)
					WHERE u.i ->> 'value' = ANY (ct_ids))
$$;
COMMENT ON FUNCTION ctaudience.ct_names_subject(jsonb, ctaudience.ct_email[], text[], text[], text[]) IS
	'whether a user profile of a Firehose message names a data subject (mpid, a raw user identity, email or Partner ID); erasure takes such profiles out of the inbox';

REVOKE ALL ON FUNCTION ctaudience.ct_names_subject(jsonb, ctaudience.ct_email[], text[], text[], text[]) FROM PUBLIC;
