COMMENT ON FUNCTION ctaudience.ct_import_audience(text) IS
	'import one mParticle audience_membership_change_request given as JSON text (the body as posted); same result and errors as the jsonb variant';
