/*
 * registration.c
 *	  module_registration_request: what this integration needs from
 *	  mParticle (the identities it reads, its account and audience
 *	  settings), answered without a project and without writing.
 */
#include "postgres.h"

#include "firehose.h"
#include "kind.h"
#include "registration.h"
#include "response.h"

#ifndef CT_VERSION
#define CT_VERSION "unknown"
#endif

/* One account setting of the registration, as mParticle's Setting model. */
static void
ct_jb_setting(CtJsonBuilder *b, const char *id, const char *name,
			  const char *description, bool required, bool confidential,
			  const char *default_value)
{
	ct_jb_begin_object(b, NULL);
	ct_jb_string(b, "type", "text", -1);
	ct_jb_string(b, "id", id, -1);
	ct_jb_string(b, "name", name, -1);
	ct_jb_string(b, "description", description, -1);
	ct_jb_bool(b, "visible", true);
	ct_jb_bool(b, "required", required);
	ct_jb_bool(b, "confidential", confidential);
	if (default_value != NULL)
		ct_jb_string(b, "default_value", default_value, -1);
	ct_jb_end_object(b);
}

/* The four account settings of a CleverTap connection. */
static void
ct_jb_account_settings(CtJsonBuilder *b)
{
	ct_jb_begin_array(b, "account_settings");
	ct_jb_setting(b, "accountId", "Account ID",
				  "The Project ID of your CleverTap project (Settings > Project).",
				  true, false, NULL);
	ct_jb_setting(b, "passcode", "Passcode",
				  "The Passcode of your CleverTap project.",
				  true, true, NULL);
	ct_jb_setting(b, "accountToken", "Account Token",
				  "The Project Token of your CleverTap project (Settings > Project).",
				  true, false, NULL);
	ct_jb_setting(b, "region", "Region",
				  "The region of your CleverTap project: eu1, in1, sg1, us1, aps3, mec1 or sk1.",
				  true, false, "eu1");
	ct_jb_end_array(b);
}

/* One identity permission {type, encoding, required}. */
static void
ct_jb_permission(CtJsonBuilder *b, const char *type)
{
	ct_jb_begin_object(b, NULL);
	ct_jb_string(b, "type", type, -1);
	ct_jb_string(b, "encoding", "raw", -1);
	ct_jb_bool(b, "required", false);
	ct_jb_end_object(b);
}

/*
 * The module_registration_response: the identities this integration reads,
 * its account settings and its audience setting userIdField.
 */
static Jsonb *
ct_module_registration(const CtEnvelope *env)
{
	static const char *const user_identities[] = {
		"customer", "email", "mobile_number", "phone_number_2", "phone_number_3",
		/* the identities a connection may choose as its User ID (userIdField) */
		"other", "other2", "other3", "other4", "other5", "other6", "other7",
		"other8", "other9", "other10"
	};
	CtJsonBuilder b;

	ct_jb_begin(&b);
	ct_jb_response_envelope(&b, ct_kinds[CT_KIND_REGISTRATION].response, env);
	ct_jb_string(&b, "sdk_version", "3.2.0", -1);
	ct_jb_string(&b, "name", "CleverTap", -1);
	ct_jb_string(&b, "description",
				 "Imports mParticle audiences into CleverTap segments of type Partner - mParticle "
				 "(ctaudience, a PostgreSQL extension).", -1);
	ct_jb_string(&b, "version", CT_VERSION, -1);

	ct_jb_begin_object(&b, "permissions");
	ct_jb_begin_array(&b, "user_identities");
	for (int i = 0; i < lengthof(user_identities); i++)
		ct_jb_permission(&b, user_identities[i]);
	ct_jb_end_array(&b);
	ct_jb_begin_array(&b, "partner_identities");
	ct_jb_permission(&b, "CleverTap_User_ID");
	ct_jb_end_array(&b);
	ct_jb_bool(&b, "allow_access_mpid", true);
	ct_jb_bool(&b, "allow_audience_user_attributes", true);
	ct_jb_end_object(&b);

	ct_jb_begin_object(&b, "audience_processing_registration");
	ct_jb_account_settings(&b);
	ct_jb_begin_array(&b, "audience_subscription_settings");
	ct_jb_setting(&b, "userIdField", "User ID",
				  "The mParticle identity matched to CleverTap Identity when no Partner ID comes: "
				  "customer (Customer ID), email, other, other2 to other10, or mpid.",
				  false, false, "customer");
	ct_jb_end_array(&b);
	ct_jb_end_object(&b);

	ct_jb_begin_object(&b, "dsr_processing_registration");
	ct_jb_account_settings(&b);
	ct_jb_begin_array(&b, "supported_dsr_types");
	ct_jb_string(&b, NULL, "erasure", -1);
	ct_jb_end_array(&b);
	ct_jb_end_object(&b);

	return ct_jb_finish(&b);
}

/* See registration.h. */
Jsonb *
ct_registration_handle(Jsonb *request, CtMessageMode *mode)
{
	CtEnvelope	env;

	ct_parse_envelope(ct_message_root(request), &env);
	return ct_module_registration(&env);
}
