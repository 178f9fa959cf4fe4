COMMENT ON FUNCTION ctaudience.ct_firehose(jsonb) IS
	'answer any mParticle Firehose message: module registration, audience subscription, membership change, data subject erasure';
