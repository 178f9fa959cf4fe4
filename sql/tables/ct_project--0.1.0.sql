CREATE TABLE ctaudience.ct_project (
	project_id text COLLATE "C" NOT NULL PRIMARY KEY
		CONSTRAINT ct_project_id_check CHECK (project_id ~ '^[A-Za-z0-9_-]{1,64}$'),
	name text NOT NULL DEFAULT '',
	region text NOT NULL DEFAULT 'eu1'
		CONSTRAINT ct_project_region_check CHECK (region IN ('eu1', 'in1', 'sg1', 'us1', 'aps3', 'mec1', 'sk1')),
	account_token text NOT NULL
		CONSTRAINT ct_project_token_check CHECK (length(account_token) BETWEEN 1 AND 256),
	passcode_hash text NOT NULL,
	passcode_expires_at timestamptz,
	default_country text
		CONSTRAINT ct_project_country_check CHECK (default_country ~ '^[A-Z]{2}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ctaudience.ct_project IS 'CleverTap projects that receive mParticle audiences; the passcode is kept as a salted hash only';
COMMENT ON COLUMN ctaudience.ct_project.passcode_hash IS 'PBKDF2-SHA-256 of the passcode with a random salt; never the passcode itself';
COMMENT ON COLUMN ctaudience.ct_project.passcode_expires_at IS 'when the passcode stops being accepted; NULL means Forever';
COMMENT ON COLUMN ctaudience.ct_project.default_country IS 'ISO 3166 country used to read national phone numbers; NULL accepts only +E.164';
