CREATE TABLE ctaudience.ct_profile (
	project_id text COLLATE "C" NOT NULL,
	ct_id text COLLATE "C" NOT NULL,
	identity text COLLATE "C",
	email ctaudience.ct_email,
	phone ctaudience.ct_phone,
	mparticle_id text COLLATE "C",
	properties jsonb NOT NULL DEFAULT '{}',
	email_ts timestamptz,
	phone_ts timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	properties_ts jsonb NOT NULL DEFAULT '{}',
	PRIMARY KEY (project_id, ct_id),
	CONSTRAINT ct_profile_identity_key UNIQUE (project_id, identity)
) WITH (fillfactor = 90);
