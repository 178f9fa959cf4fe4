COMMENT ON FUNCTION ctaudience.ct_firehose(text) IS
	'answer any mParticle Firehose message given as JSON text (the body as posted); same result and errors as the jsonb variant';
