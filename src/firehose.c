/*
 * firehose.c
 *	  Parse mParticle Firehose messages (jsonb) into the C model of
 *	  firehose.h, and build Firehose responses.
 *
 * Every shape check happens here, before the import writes anything.
 * Unknown fields are ignored, as mParticle's own SDK ignores them.
 */
#include "postgres.h"

#include <limits.h>

#include "common/hashfn.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "firehose.h"
#include "rules.h"

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

/* The root object of a request; anything else is a shape error. */
JsonbContainer *
ct_message_root(Jsonb *request)
{
	CT_PATH_ROOT(root);

	if (!JB_ROOT_IS_OBJECT(request))
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &root, NULL,
					  "a message must be a JSON object, not %s",
					  JB_ROOT_IS_SCALAR(request) ? "a scalar" : "an array");
	return &request->root;
}

/* ctaudience.max_clock_skew, in seconds. */
#define CT_DEFAULT_MAX_CLOCK_SKEW 600	/* seconds */
#define CT_DEFAULT_MAX_MESSAGE_BYTES (64 * 1024 * 1024)
#define CT_DEFAULT_MAX_PROFILES 100000
#define CT_DEFAULT_MAX_AUDIENCES 1000

int			ct_max_clock_skew = CT_DEFAULT_MAX_CLOCK_SKEW;

/* The limits of one message; see firehose.h. */
int			ct_max_message_bytes = CT_DEFAULT_MAX_MESSAGE_BYTES;
int			ct_max_profiles_per_message = CT_DEFAULT_MAX_PROFILES;
int			ct_max_audiences_per_message = CT_DEFAULT_MAX_AUDIENCES;

/* Define this module's settings: the limits of a message (_PG_init). */
void
ct_firehose_init(void)
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

/* See firehose.h. */
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

/* See firehose.h. */
void
ct_check_settings_size(JsonbContainer *parent, const CtPath *path)
{
	JsonbValue	v;

	if (ct_json_member(parent, "audience_subscription_settings", &v) &&
		v.type == jbvBinary && v.val.binary.len > CT_MAX_SETTING_BYTES)
		ct_json_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, path, "audience_subscription_settings",
					  "\"audience_subscription_settings\" is %d bytes as jsonb; at most %d bytes are kept",
					  v.val.binary.len, CT_MAX_SETTING_BYTES);
}

/* See firehose.h. */
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

/*
 * Parse type, id, timestamp_ms and firehose_version; a membership or
 * subscription message dated too far in the future is refused.
 */
void
ct_parse_envelope(JsonbContainer *root, CtEnvelope *env)
{
	CT_PATH_ROOT(path);

	ct_json_get_string(root, "type", &path, true, &env->type);
	ct_json_get_string(root, "id", &path, true, &env->id_text);
	ct_rule_uuid(env->id_text, &env->id, &path, "id");
	ct_json_get_int64(root, "timestamp_ms", &path, true, &env->timestamp_ms);
	ct_rule_time_ms(env->timestamp_ms, &path, "timestamp_ms");
	env->ts = ct_time_from_ms(env->timestamp_ms);
	ct_json_get_string(root, "firehose_version", &path, false, &env->firehose_version);
	ct_rule_firehose_version(&env->firehose_version, &path);
	ct_rule_message_time(env, &path);
}

/*
 * Read the four account settings.  Missing ones stay empty: authentication
 * reports them as credential errors (class 28), not shape errors.
 */
void
ct_parse_credentials(JsonbContainer *root, CtCredentials *cred)
{
	CT_PATH_ROOT(path);
	CT_PATH_KEY(apath, &path, "account");
	CT_PATH_KEY(spath, &apath, "account_settings");
	JsonbContainer *account;
	JsonbContainer *settings = NULL;

	memset(cred, 0, sizeof(*cred));
	account = ct_json_get_object(root, "account", &path, false);
	if (account != NULL)
		settings = ct_json_get_object(account, "account_settings", &apath, false);
	if (settings == NULL)
		return;
	ct_json_get_string(settings, "accountId", &spath, false, &cred->account_id);
	ct_json_get_string(settings, "passcode", &spath, false, &cred->passcode);
	ct_json_get_string(settings, "accountToken", &spath, false, &cred->account_token);
	ct_json_get_string(settings, "region", &spath, false, &cred->region);
}

/* Read one identity element {type, encoding, value}. */
static void
ct_parse_identity(JsonbContainer *obj, const CtPath *path, CtStr *type,
				  bool *raw, CtStr *value)
{
	CtStr		encoding;

	ct_json_get_string(obj, "type", path, true, type);
	ct_json_get_string(obj, "encoding", path, true, &encoding);
	ct_json_get_string(obj, "value", path, true, value);
	ct_rule_encoding(encoding, raw, path);
}

/* A string-or-integer member (mpid), as text. */
static bool
ct_json_get_id_text(JsonbContainer *obj, const char *key, const CtPath *path, CtStr *out)
{
	JsonbValue	v;

	out->s = NULL;
	out->len = 0;
	if (!ct_json_member(obj, key, &v))
		return false;
	if (v.type == jbvString)
	{
		out->s = v.val.string.val;
		out->len = v.val.string.len;
		return true;
	}
	if (v.type == jbvNumeric)
	{
		int64		dummy;

		/* validates it is an integer */
		ct_json_get_int64(obj, key, path, true, &dummy);
		out->s = psprintf(INT64_FORMAT, dummy);
		out->len = strlen(out->s);
		return true;
	}
	ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
				  "\"%s\" must be a string, not %s", key, ct_json_type_name(&v));
	return false;
}

/* Read userIdField out of audience_subscription_settings, if given. */
static int
ct_parse_subscription_settings(JsonbContainer *settings, const CtPath *path)
{
	JsonbValue	v;
	CT_PATH_KEY(spath, path, "audience_subscription_settings");
	CtStr		field;
	int			f;

	if (settings == NULL)
		return -1;
	if (!ct_json_member(settings, "userIdField", &v))
		return -1;
	if (v.type != jbvString)
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &spath, "userIdField",
					  "\"userIdField\" must be a string, not %s", ct_json_type_name(&v));
	field.s = v.val.string.val;
	field.len = v.val.string.len;
	ct_rule_user_id_field(field, &f, &spath);
	return f;
}

/* Read user_attributes of one audience entry. */
static void
ct_parse_attributes(JsonbContainer *arr, const CtPath *path, CtAudienceEntry *entry)
{
	int			n = JsonContainerSize(arr);

	entry->attrs = n > 0 ? palloc0(sizeof(CtAttrOp) * n) : NULL;
	entry->nattrs = 0;
	for (int i = 0; i < n; i++)
	{
		CT_PATH_INDEX(apath, path, i);
		JsonbContainer *obj = ct_json_array_object(arr, i, path);
		CtAttrOp   *op;
		CtStr		action;
		JsonbValue	v;

		/* mParticle's own example carries an empty {}: ignore it */
		if (JsonContainerSize(obj) == 0)
			continue;
		op = &entry->attrs[entry->nattrs++];
		ct_json_get_string(obj, "key", &apath, true, &op->key);
		ct_json_get_string(obj, "action", &apath, true, &action);
		ct_rule_attr_action(action, &op->is_delete, &apath);
		if (!ct_rule_attr_key_fits(op->key))
			op->invalid = true;

		op->value.type = jbvNull;
		if (ct_json_member(obj, "list_value", &v))
		{
			CT_PATH_KEY(lpath, &apath, "list_value");
			JsonbContainer *list;
			int			nl;

			if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data) ||
				JsonContainerIsScalar(v.val.binary.data))
				ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &apath, "list_value",
							  "\"list_value\" must be an array, not %s", ct_json_type_name(&v));
			list = v.val.binary.data;
			nl = JsonContainerSize(list);
			for (int k = 0; k < nl; k++)
			{
				JsonbValue *e = getIthJsonbValueFromContainer(list, k);

				if (e->type != jbvString)
				{
					CT_PATH_INDEX(epath, &lpath, k);

					ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &epath, NULL,
								  "list_value elements must be strings, not %s",
								  ct_json_type_name(e));
				}
				if (!ct_rule_attr_value_fits(e->val.string.len))
					op->invalid = true;
				pfree(e);
			}
			op->value = v;
		}
		else if (ct_json_member(obj, "value", &v))
		{
			if (v.type != jbvString)
				ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &apath, "value",
							  "\"value\" must be a string, not %s", ct_json_type_name(&v));
			if (!ct_rule_attr_value_fits(v.val.string.len))
				op->invalid = true;
			op->value = v;
		}
	}
}

/* Raise the error of an audience entry over ctaudience.max_audiences_per_message. */
static void
ct_too_many_audiences(const CtAudienceEntry *e)
{
	CT_PATH_ROOT(root);
	CT_PATH_KEY(ppath, &root, "user_profiles");
	CT_PATH_INDEX(epath, &ppath, e->profile);
	CT_PATH_KEY(lpath, &epath, e->list);
	CT_PATH_INDEX(apath, &lpath, e->index);

	ct_json_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, &apath, NULL,
				  "more than ctaudience.max_audiences_per_message (%d) audiences in one message",
				  ct_max_audiences_per_message);
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

/* See firehose.h. */
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

/* Append one audience entry, validating it. */
static void
ct_parse_audience_entry(CtModelBuilder *st, JsonbContainer *obj, const CtPath *path,
						int profile, int index, const char *list, int legacy_action)
{
	CtAudienceEntry *e = ct_model_new_entry(st, profile, index, list);
	CtStr		action;
	JsonbContainer *settings;
	JsonbContainer *attrs;

	ct_json_get_int64(obj, "audience_id", path, true, &e->audience_id);
	ct_rule_audience_id(e->audience_id, path);
	ct_json_get_string(obj, "audience_name", path, true, &e->name);
	ct_rule_audience_name(e->name, path);
	if (legacy_action >= 0)
		e->action = (CtAction) legacy_action;
	else
	{
		ct_json_get_string(obj, "action", path, true, &action);
		ct_rule_audience_action(action, &e->action, path);
	}

	settings = ct_json_get_object(obj, "audience_subscription_settings", path, false);
	if (settings != NULL)
		ct_check_settings_size(obj, path);
	e->user_id_field = ct_parse_subscription_settings(settings, path);

	attrs = ct_json_get_array(obj, "user_attributes", path, false);
	if (attrs != NULL)
	{
		CT_PATH_KEY(upath, path, "user_attributes");

		ct_parse_attributes(attrs, &upath, e);
	}

	ct_model_commit_entry(st, e);
}

/* Parse an array of audience entries (audiences, added_audiences, removed_audiences). */
static void
ct_parse_audience_list(CtModelBuilder *st, JsonbContainer *arr, const CtPath *path,
					   int profile, const char *list, int legacy_action)
{
	int			n = JsonContainerSize(arr);

	for (int j = 0; j < n; j++)
	{
		CT_PATH_INDEX(epath, path, j);
		JsonbContainer *obj = ct_json_array_object(arr, j, path);

		ct_parse_audience_entry(st, obj, &epath, profile, j, list, legacy_action);
	}
}

/* Parse the identities of a user profile listed under key, each given to add. */
static void
ct_parse_identity_list(JsonbContainer *obj, const char *key, const CtPath *path, CtUserProfile *p,
					   void (*add) (CtUserProfile *p, CtStr type, bool raw, CtStr value))
{
	JsonbContainer *arr = ct_json_get_array(obj, key, path, false);
	CT_PATH_KEY(ipath, path, key);

	for (int i = 0; arr != NULL && i < (int) JsonContainerSize(arr); i++)
	{
		CT_PATH_INDEX(epath, &ipath, i);
		JsonbContainer *idobj = ct_json_array_object(arr, i, &ipath);
		CtStr		type,
					value;
		bool		raw;

		ct_parse_identity(idobj, &epath, &type, &raw, &value);
		add(p, type, raw, value);
	}
}

/* Parse one element of user_profiles[]. */
static void
ct_parse_profile(CtModelBuilder *st, JsonbContainer *obj, const CtPath *path)
{
	int			pi = ct_model_new_profile(st);
	CtUserProfile *p = &st->msg->profiles[pi];
	JsonbContainer *arr;

	ct_json_get_id_text(obj, "mpid", path, &p->mpid);

	ct_parse_identity_list(obj, "user_identities", path, p, ct_model_add_identity);
	ct_parse_identity_list(obj, "partner_identities", path, p, ct_model_add_partner);

	arr = ct_json_get_array(obj, "audiences", path, false);
	if (arr != NULL)
	{
		CT_PATH_KEY(apath, path, "audiences");

		ct_parse_audience_list(st, arr, &apath, pi, "audiences", -1);
	}
	/* pre-2.0 messages listed additions and removals separately */
	arr = ct_json_get_array(obj, "added_audiences", path, false);
	if (arr != NULL)
	{
		CT_PATH_KEY(apath, path, "added_audiences");

		st->msg->legacy = true;
		ct_parse_audience_list(st, arr, &apath, pi, "added_audiences", CT_ACTION_ADD);
	}
	arr = ct_json_get_array(obj, "removed_audiences", path, false);
	if (arr != NULL)
	{
		CT_PATH_KEY(apath, path, "removed_audiences");

		st->msg->legacy = true;
		ct_parse_audience_list(st, arr, &apath, pi, "removed_audiences", CT_ACTION_DELETE);
	}
	ct_model_end_profile(st, pi);
}

/*
 * Parse a whole audience_membership_change_request (the envelope must
 * already have been checked by the caller).
 */
void
ct_parse_membership(JsonbContainer *root, CtMembershipMessage *msg)
{
	CT_PATH_ROOT(path);
	CT_PATH_KEY(ppath, &path, "user_profiles");
	CtEnvelope env;
	JsonbContainer *profiles;
	CtModelBuilder st;

	memset(msg, 0, sizeof(*msg));
	ct_parse_envelope(root, &env);
	msg->id = env.id;
	msg->id_text = env.id_text;
	msg->firehose_version = env.firehose_version;
	msg->timestamp_ms = env.timestamp_ms;
	msg->ts = env.ts;
	ct_parse_credentials(root, &msg->cred);

	/* account.account_id must be an integer when present (schema) */
	{
		CT_PATH_KEY(apath, &path, "account");
		JsonbContainer *account = ct_json_get_object(root, "account", &path, false);
		int64		account_id;

		if (account != NULL)
			ct_json_get_int64(account, "account_id", &apath, false, &account_id);
	}

	profiles = ct_json_get_array(root, "user_profiles", &path, false);
	msg->has_profiles = (profiles != NULL);
	if (profiles == NULL)
		return;

	if (JsonContainerSize(profiles) > (uint32) ct_max_profiles_per_message)
		ct_too_many_profiles();
	ct_model_begin(&st, msg, JsonContainerSize(profiles));
	for (int i = 0; i < (int) JsonContainerSize(profiles); i++)
	{
		CT_PATH_INDEX(epath, &ppath, i);
		JsonbContainer *obj = ct_json_array_object(profiles, i, &ppath);

		ct_parse_profile(&st, obj, &epath);
	}
	ct_model_finish(&st);
}

/* Start a response object. */
void
ct_jb_begin(CtJsonBuilder *b)
{
	b->state = NULL;
	pushJsonbValue(&b->state, WJB_BEGIN_OBJECT, NULL);
}

/* Push an object key. */
void
ct_jb_key(CtJsonBuilder *b, const char *key)
{
	JsonbValue	k;

	memset(&k, 0, sizeof(k));

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(&b->state, WJB_KEY, &k);
}

/* Add a value as the member key, or as an array element when key is NULL. */
static void
ct_jb_value(CtJsonBuilder *b, const char *key, JsonbValue *v)
{
	if (key)
		ct_jb_key(b, key);
	pushJsonbValue(&b->state, key ? WJB_VALUE : WJB_ELEM, v);
}

/* Add a string member (or array element when key is NULL). */
void
ct_jb_string(CtJsonBuilder *b, const char *key, const char *val, int len)
{
	JsonbValue	v = {0};

	v.type = jbvString;
	v.val.string.val = (char *) val;
	v.val.string.len = len < 0 ? strlen(val) : len;
	ct_jb_value(b, key, &v);
}

/* Add an integer member. */
void
ct_jb_int(CtJsonBuilder *b, const char *key, int64 val)
{
	JsonbValue	v = {0};

	v.type = jbvNumeric;
	v.val.numeric = int64_to_numeric(val);
	ct_jb_value(b, key, &v);
}

/* Add a boolean member. */
void
ct_jb_bool(CtJsonBuilder *b, const char *key, bool val)
{
	JsonbValue	v = {0};

	v.type = jbvBool;
	v.val.boolean = val;
	ct_jb_value(b, key, &v);
}

/* Add a jsonb member (copied in). */
void
ct_jb_jsonb(CtJsonBuilder *b, const char *key, Jsonb *val)
{
	JsonbValue	v;

	memset(&v, 0, sizeof(v));

	if (JB_ROOT_IS_SCALAR(val))
		JsonbExtractScalar(&val->root, &v);
	else
	{
		v.type = jbvBinary;
		v.val.binary.data = &val->root;
		v.val.binary.len = VARSIZE(val) - VARHDRSZ;
	}
	ct_jb_value(b, key, &v);
}

/* Open (as member key, or an element when key is NULL) or close a nested object or array. */
void
ct_jb_nest(CtJsonBuilder *b, const char *key, JsonbIteratorToken tok)
{
	if (key)
		ct_jb_key(b, key);
	pushJsonbValue(&b->state, tok, NULL);
}

/* Close the top-level object and return it as jsonb. */
Jsonb *
ct_jb_finish(CtJsonBuilder *b)
{
	JsonbValue *res = pushJsonbValue(&b->state, WJB_END_OBJECT, NULL);

	return JsonbValueToJsonb(res);
}

/* The envelope every response carries. */
void
ct_jb_response_envelope(CtJsonBuilder *b, const char *type, const CtEnvelope *request)
{
	TimestampTz now = GetCurrentTimestamp();
	int64		now_ms = now / 1000 +
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;

	ct_jb_string(b, "type", type, -1);
	ct_jb_string(b, "id", request->id_text.s, request->id_text.len);
	ct_jb_int(b, "timestamp_ms", now_ms);
	ct_jb_string(b, "firehose_version", request->firehose_version.s,
				 request->firehose_version.len);
}
