-- The members of a campaign's segments now, with whether each can be
-- reached on its channel: an email address for email, a phone number for
-- sms and whatsapp; the other channels reach the app or browser of a
-- known profile.
CREATE OR REPLACE FUNCTION ctaudience.ct_campaign_audience(campaign_id bigint, after_ct_id text DEFAULT NULL,
												page_size integer DEFAULT NULL)
	RETURNS TABLE (ct_id text, identity text, email text, phone text, reachable boolean)
	LANGUAGE plpgsql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c ctaudience.ct_campaign;
BEGIN
	SELECT * INTO c FROM ctaudience.ct_campaign x WHERE x.campaign_id = ct_campaign_audience.campaign_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no campaign %', ct_campaign_audience.campaign_id USING ERRCODE = 'no_data_found';
	END IF;
	PERFORM ctaudience.ct_check_project(c.project_id, '{read,send}', format('campaign %s', c.campaign_id));
	RETURN QUERY
	SELECT p.ct_id::text, p.identity, p.email::text, p.phone::text,
		   CASE c.channel WHEN 'email' THEN p.email IS NOT NULL
						  WHEN 'sms' THEN p.phone IS NOT NULL
						  WHEN 'whatsapp' THEN p.phone IS NOT NULL
						  ELSE true END
	  FROM ctaudience.ct_profile p
	 WHERE p.project_id = c.project_id
	   AND (ct_campaign_audience.after_ct_id IS NULL OR p.ct_id > ct_campaign_audience.after_ct_id COLLATE "C")
	   AND EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m
				    WHERE m.project_id = c.project_id AND m.ct_id = p.ct_id
					  AND m.segment_id = ANY (c.segment_ids) AND m.is_member)
	 ORDER BY p.ct_id
	 LIMIT ct_campaign_audience.page_size;
END
$$;
COMMENT ON FUNCTION ctaudience.ct_campaign_audience(bigint, text, integer) IS
	'the profiles in a campaign''s segments now, ordered by ct_id, and whether each is reachable on its channel (email needs an email, sms and whatsapp a phone); page with after_ct_id (the last ct_id of the previous page) and page_size';
