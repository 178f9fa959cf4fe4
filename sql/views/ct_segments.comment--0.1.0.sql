COMMENT ON VIEW ctaudience.ct_segments IS 'the Segments list: one row per imported mParticle audience, with its members now';
