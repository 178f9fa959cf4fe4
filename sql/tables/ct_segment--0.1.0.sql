CREATE TABLE ctaudience.ct_segment (
	project_id text COLLATE "C" NOT NULL,
	segment_id bigint GENERATED ALWAYS AS IDENTITY,
	name text NOT NULL CONSTRAINT ct_segment_name_check CHECK (octet_length(name) BETWEEN 1 AND 512),
	type text NOT NULL DEFAULT 'Partner - mParticle',
	partner_name text COLLATE "C" NOT NULL DEFAULT 'mParticle',
	partner_segment_id bigint NOT NULL,
	status text NOT NULL DEFAULT 'active'
		CONSTRAINT ct_segment_status_check CHECK (status IN ('active', 'disconnected')),
	user_id_field text,
	settings jsonb NOT NULL DEFAULT '{}',
	name_ts timestamptz,
	status_ts timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (project_id, segment_id),
	CONSTRAINT ct_segment_partner_key UNIQUE (project_id, partner_name, partner_segment_id)
);
COMMENT ON TABLE ctaudience.ct_segment IS 'segments; one per mParticle audience, of type Partner - mParticle';
COMMENT ON COLUMN ctaudience.ct_segment.partner_segment_id IS 'the mParticle audience id';
COMMENT ON COLUMN ctaudience.ct_segment.user_id_field IS 'the mParticle identity used as Customer ID for this audience (userIdField); NULL means customer';
COMMENT ON COLUMN ctaudience.ct_segment.name_ts IS 'time of the message that set the current name (a newer message renames)';
COMMENT ON COLUMN ctaudience.ct_segment.status IS 'active, or disconnected after an audience subscription remove (membership changes are then refused)';
COMMENT ON COLUMN ctaudience.ct_segment.status_ts IS 'time of the subscription message that set status and settings (an older one changes nothing)';
COMMENT ON COLUMN ctaudience.ct_segment.settings IS 'the audience_subscription_settings of the newest subscription message';
