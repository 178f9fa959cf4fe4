COMMENT ON FUNCTION ctaudience.ct_import_audience(jsonb) IS
	'import one mParticle audience_membership_change_request; returns the Firehose response with ctaudience counts';
