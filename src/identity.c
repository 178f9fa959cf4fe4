/*
 * identity.c
 *	  The identity order of mParticle Import (Audience), exactly:
 *	  Partner ID, else Customer ID, else mParticle ID with an email or a
 *	  phone, else anonymous.  Pure C: see identity.h.
 */
#include "identity.h"
#include "normalize.h"

/* The names ct_resolve_identity() and the import log report. */
const char *
ct_rule_name(CtRule rule)
{
	switch (rule)
	{
		case CT_RULE_PARTNER_ID:
			return "partner_id";
		case CT_RULE_CUSTOMER_ID:
			return "customer_id";
		case CT_RULE_MPARTICLE_ID:
			return "mparticle_id";
		case CT_RULE_ANONYMOUS:
			break;
	}
	return "anonymous";
}

/* Is an identity value usable?  Records why not in *problems. */
static bool
ct_identity_usable(const char *s, size_t len, unsigned *problems)
{
	switch (ct_identity_check(s, len))
	{
		case CT_IDENTITY_OK:
			return true;
		case CT_IDENTITY_EMPTY:
			return false;
		case CT_IDENTITY_FORBIDDEN:
			*problems |= CT_IDP_FORBIDDEN;
			return false;
		case CT_IDENTITY_TOO_LONG:
			*problems |= CT_IDP_TOO_LONG;
			return false;
	}
	return false;
}

/* Apply the rules to one user. */
void
ct_identity_resolve(const CtIdentityInput *in, CtIdentityResult *out)
{
	bool		user_id_ok;

	out->rule = CT_RULE_ANONYMOUS;
	out->key = NULL;
	out->key_len = 0;
	out->claim = NULL;
	out->claim_len = 0;
	out->problems = 0;

	user_id_ok = in->user_id != NULL &&
		ct_identity_usable(in->user_id, in->user_id_len, &out->problems);

	/* 1. Partner ID -> CleverTap ID */
	if (in->partner_id != NULL &&
		ct_identity_usable(in->partner_id, in->partner_len, &out->problems))
	{
		if (ct_ctid_is_valid(in->partner_id, in->partner_len))
		{
			out->rule = CT_RULE_PARTNER_ID;
			out->key = in->partner_id;
			out->key_len = in->partner_len;
			if (user_id_ok)
			{
				out->claim = in->user_id;
				out->claim_len = in->user_id_len;
			}
			return;
		}
		out->problems |= CT_IDP_BAD_CTID;
	}

	/* 2. Customer ID (or the chosen User ID) -> Identity */
	if (user_id_ok)
	{
		out->rule = CT_RULE_CUSTOMER_ID;
		out->key = in->user_id;
		out->key_len = in->user_id_len;
		return;
	}

	/* 3. mParticle ID -> Identity, only with a valid email or phone */
	if (in->mpid != NULL &&
		ct_identity_usable(in->mpid, in->mpid_len, &out->problems) &&
		in->has_contact != NULL && in->has_contact(in->has_contact_arg))
	{
		out->rule = CT_RULE_MPARTICLE_ID;
		out->key = in->mpid;
		out->key_len = in->mpid_len;
		return;
	}

	/* 4. anonymous */
	if (in->any_hashed)
		out->problems |= CT_IDP_HASHED_ONLY;
}
