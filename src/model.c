/*
 * model.c
 *	  The C model of Firehose messages: identity type names, the settings
 *	  of a message's limits, and the builder both readers fill the model
 *	  with; see model.h.
 */
#include "postgres.h"

#include <limits.h>

#include "utils/guc.h"
#include "utils/hsearch.h"

#include "model.h"

const char *const ct_uid_type_names[CT_UID_NTYPES] = {
	"other", "customer", "facebook", "twitter", "google", "microsoft",
	"yahoo", "email", "other2", "other3", "other4", "other5", "other6",
	"other7", "other8", "other9", "other10", "mobile_number",
	"phone_number_2", "phone_number_3"
};

/* Map a Firehose user identity type name to CtUidType; -1 if unknown. */
int
ct_uid_type_from_name(CtStr name)
{
	for (int i = 0; i < CT_UID_NTYPES; i++)
	{
		if (ct_str_eq(name, ct_uid_type_names[i]))
			return i;
	}
	return -1;
}

/* Map a userIdField setting to a CtUidType (or CT_UID_MPID); -1 if unknown. */
int
ct_user_id_field_from_name(CtStr name)
{
	if (ct_str_eq_ci(name, "mpid") || ct_str_eq_ci(name, "mparticle_id"))
		return CT_UID_MPID;
	for (int i = 0; i < CT_UID_NTYPES; i++)
	{
		if (ct_str_eq_ci(name, ct_uid_type_names[i]))
			return i;
	}
	if (ct_str_eq_ci(name, "customer_id") || ct_str_eq_ci(name, "customerid"))
		return CT_UID_CUSTOMER;
	return -1;
}

/* The canonical name of a userIdField value. */
const char *
ct_user_id_field_name(int field)
{
	if (field == CT_UID_MPID)
		return "mpid";
	if (field >= 0 && field < CT_UID_NTYPES)
		return ct_uid_type_names[field];
	return "customer";
}

/* The settings' defaults. */
#define CT_DEFAULT_MAX_CLOCK_SKEW 600	/* seconds */
#define CT_DEFAULT_MAX_MESSAGE_BYTES (64 * 1024 * 1024)
#define CT_DEFAULT_MAX_PROFILES 100000
#define CT_DEFAULT_MAX_AUDIENCES 1000

int			ct_max_clock_skew = CT_DEFAULT_MAX_CLOCK_SKEW;

/* The limits of one message; see model.h. */
int			ct_max_message_bytes = CT_DEFAULT_MAX_MESSAGE_BYTES;
int			ct_max_profiles_per_message = CT_DEFAULT_MAX_PROFILES;
int			ct_max_audiences_per_message = CT_DEFAULT_MAX_AUDIENCES;

/* Define this module's settings: the limits of a message and its time (_PG_init). */
void
ct_model_init(void)
{
	DefineCustomIntVariable("ctaudience.max_clock_skew",
							"How far ahead of this server's clock a membership or subscription message may be dated.",
							"A message dated later is refused (SQLSTATE 22008): newer messages win, so one dated "
							"in the future would make every later real message for its users stale.",
							&ct_max_clock_skew,
							CT_DEFAULT_MAX_CLOCK_SKEW, 0, INT_MAX / 1000,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_message_bytes",
							"The largest Firehose message accepted, in bytes.",
							"A larger message is refused (SQLSTATE 54000) before it is read.",
							&ct_max_message_bytes,
							CT_DEFAULT_MAX_MESSAGE_BYTES, 1024, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_profiles_per_message",
							"The most user profiles a membership message may carry.",
							"A message with more is refused (SQLSTATE 54000) as soon as that is seen.",
							&ct_max_profiles_per_message,
							CT_DEFAULT_MAX_PROFILES, 1, 10000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_audiences_per_message",
							"The most distinct audiences a membership message may name.",
							"A message naming more is refused (SQLSTATE 54000): each audience is a segment.",
							&ct_max_audiences_per_message,
							CT_DEFAULT_MAX_AUDIENCES, 1, 1000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
}

/* See model.h. */
void
ct_check_message_bytes(Size bytes)
{
	if (bytes > (Size) ct_max_message_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("Firehose message of %zu bytes is larger than ctaudience.max_message_bytes (%d bytes)",
						bytes, ct_max_message_bytes),
				 errhint("Have the sender send smaller batches, or raise ctaudience.max_message_bytes (superuser).")));
}

/* See model.h. */
void
ct_too_many_profiles(void)
{
	CT_PATH_ROOT(path);

	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("invalid Firehose message: more than ctaudience.max_profiles_per_message (%d) user profiles",
					ct_max_profiles_per_message),
			 errdetail("The problem is at JSON path %s.", ct_path_format(&path, "user_profiles")),
			 errhint("Have the sender send smaller batches, or raise ctaudience.max_profiles_per_message (superuser).")));
}

/* See model.h. */
void
ct_too_many_audiences_at(int profile, const char *list, int index)
{
	CT_PATH_ROOT(root);
	CT_PATH_KEY(ppath, &root, "user_profiles");
	CT_PATH_INDEX(epath, &ppath, profile);
	CT_PATH_KEY(lpath, &epath, list);
	CT_PATH_INDEX(apath, &lpath, index);

	ct_json_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, &apath, NULL,
				  "more than ctaudience.max_audiences_per_message (%d) audiences in one message",
				  ct_max_audiences_per_message);
}

/* Raise the error of an audience entry over ctaudience.max_audiences_per_message. */
static void
ct_too_many_audiences(const CtAudienceEntry *e)
{
	ct_too_many_audiences_at(e->profile, e->list, e->index);
}

typedef struct CtAudienceHashEntry
{
	int64		audience_id;
	int			index;
} CtAudienceHashEntry;

/* Start building the model of a membership message. */
void
ct_model_begin(CtModelBuilder *b, CtMembershipMessage *msg, int nprofiles)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(CtAudienceHashEntry);
	ctl.hcxt = CurrentMemoryContext;
	memset(b, 0, sizeof(*b));
	b->msg = msg;
	b->audience_index = hash_create("ctaudience audiences", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	b->profiles_cap = Max(nprofiles, 16);
	msg->nprofiles = 0;
	msg->profiles = palloc(sizeof(CtUserProfile) * b->profiles_cap);
	b->entries_cap = Max(nprofiles * 2, 16);
	msg->nentries = 0;
	msg->entries = palloc(sizeof(CtAudienceEntry) * b->entries_cap);
	b->audiences_cap = 16;
	msg->naudiences = 0;
	msg->audiences = palloc(sizeof(CtAudienceRef) * b->audiences_cap);
}

/* A new, zeroed user profile; returns its index. */
int
ct_model_new_profile(CtModelBuilder *b)
{
	CtMembershipMessage *msg = b->msg;
	CtUserProfile *p;

	if (msg->nprofiles >= ct_max_profiles_per_message)
	{
		if (!b->defer_limits)
			ct_too_many_profiles();
		b->over_profiles = true;
		return -1;
	}

	if (msg->nprofiles >= b->profiles_cap)
	{
		b->profiles_cap *= 2;
		msg->profiles = repalloc(msg->profiles, sizeof(CtUserProfile) * b->profiles_cap);
	}
	p = &msg->profiles[msg->nprofiles];
	memset(p, 0, sizeof(*p));
	p->first_entry = msg->nentries;
	return msg->nprofiles++;
}

/* Close a user profile: its entries are the ones added since it began. */
void
ct_model_end_profile(CtModelBuilder *b, int pi)
{
	CtUserProfile *p = &b->msg->profiles[pi];

	p->nentries = b->msg->nentries - p->first_entry;
}

/* Record one user identity of a profile (the first raw value of a type counts). */
void
ct_model_add_identity(CtUserProfile *p, CtStr type, bool raw, CtStr value)
{
	int			t = ct_uid_type_from_name(type);

	if (t < 0)
		return;					/* a type this version does not use */
	if (!raw)
		p->any_hashed = true;
	else
		ct_model_set_uid(p, t, value);
}

/* See model.h. */
void
ct_model_set_uid(CtUserProfile *p, int t, CtStr value)
{
	CtUid	   *u;

	if (value.s == NULL || ct_uid(p, t).s != NULL)
		return;
	if (p->nuids < CT_UID_INLINE)
		u = &p->uids[p->nuids];
	else
	{
		if (p->more == NULL)
			p->more = palloc(sizeof(CtUid) * (CT_UID_NTYPES - CT_UID_INLINE));
		u = &p->more[p->nuids - CT_UID_INLINE];
	}
	u->type = t;
	u->value = value;
	p->nuids++;
}

/* Record one partner identity of a profile: only CleverTap_User_ID counts. */
void
ct_model_add_partner(CtUserProfile *p, CtStr type, bool raw, CtStr value)
{
	if (!ct_str_eq_ci(type, "clevertap_user_id"))
		return;
	if (!raw)
	{
		p->partner_hashed = true;
		p->any_hashed = true;
	}
	else if (p->partner_id.s == NULL)
		p->partner_id = value;
}

/* A new, zeroed audience entry (valid until the next call). */
CtAudienceEntry *
ct_model_new_entry(CtModelBuilder *b, int profile, int index, const char *list)
{
	CtMembershipMessage *msg = b->msg;
	CtAudienceEntry *e;

	if (msg->nentries >= b->entries_cap)
	{
		b->entries_cap *= 2;
		msg->entries = repalloc(msg->entries, sizeof(CtAudienceEntry) * b->entries_cap);
	}
	e = &msg->entries[msg->nentries];
	memset(e, 0, sizeof(*e));
	e->profile = profile;
	e->index = index;
	e->list = list;
	return e;
}

/* Keep the entry from ct_model_new_entry; note its audience. */
void
ct_model_commit_entry(CtModelBuilder *b, CtAudienceEntry *e)
{
	CtMembershipMessage *msg = b->msg;
	CtAudienceHashEntry *he;
	bool		found;

	he = hash_search(b->audience_index, &e->audience_id, HASH_ENTER, &found);
	if (!found)
	{
		if (msg->naudiences >= ct_max_audiences_per_message)
		{
			hash_search(b->audience_index, &e->audience_id, HASH_REMOVE, NULL);
			if (!b->defer_limits)
				ct_too_many_audiences(e);
			if (!b->over_audiences)
				b->over_entry = *e;
			b->over_audiences = true;
			return;
		}
		if (msg->naudiences >= b->audiences_cap)
		{
			b->audiences_cap *= 2;
			msg->audiences = repalloc(msg->audiences, sizeof(CtAudienceRef) * b->audiences_cap);
		}
		he->index = msg->naudiences++;
		msg->audiences[he->index].audience_id = e->audience_id;
		msg->audiences[he->index].user_id_field = -1;
	}
	e->audience = he->index;
	msg->audiences[he->index].name = e->name;
	if (e->user_id_field >= 0)
		msg->audiences[he->index].user_id_field = e->user_id_field;
	msg->nentries++;
}

/* Done building. */
void
ct_model_finish(CtModelBuilder *b)
{
	hash_destroy(b->audience_index);
}

/* Raise the error of a limit the message went over, if any (defer_limits). */
void
ct_model_raise_deferred(CtModelBuilder *b)
{
	if (b->over_profiles)
		ct_too_many_profiles();
	if (b->over_audiences)
		ct_too_many_audiences(&b->over_entry);
}
