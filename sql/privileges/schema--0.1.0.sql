REVOKE ALL ON ALL TABLES IN SCHEMA ctaudience FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ctaudience FROM PUBLIC;
-- Type support functions stay callable by everyone, or the types are unusable.
GRANT EXECUTE ON FUNCTION
	ctaudience.ct_email_in(cstring), ctaudience.ct_email_out(ctaudience.ct_email),
	ctaudience.ct_email_recv(internal), ctaudience.ct_email_send(ctaudience.ct_email),
	ctaudience.ct_email_eq(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_ne(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_lt(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_le(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_gt(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_ge(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_cmp(ctaudience.ct_email, ctaudience.ct_email),
	ctaudience.ct_email_hash(ctaudience.ct_email),
	ctaudience.ct_email_hash_extended(ctaudience.ct_email, int8),
	ctaudience.ct_phone_in(cstring), ctaudience.ct_phone_out(ctaudience.ct_phone),
	ctaudience.ct_phone_recv(internal), ctaudience.ct_phone_send(ctaudience.ct_phone),
	ctaudience.ct_phone_eq(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_ne(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_lt(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_le(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_gt(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_ge(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_cmp(ctaudience.ct_phone, ctaudience.ct_phone),
	ctaudience.ct_phone_hash(ctaudience.ct_phone),
	ctaudience.ct_phone_hash_extended(ctaudience.ct_phone, int8),
	ctaudience.ct_normalize_email(text), ctaudience.ct_normalize_phone(text, text),
	ctaudience.ct_phone_region_supported(text)
	TO PUBLIC;

GRANT USAGE ON SCHEMA ctaudience TO ctaudience_importer, ctaudience_reader;
