/*
 * firehose.c
 *	  The jsonb reader: parse mParticle Firehose messages (jsonb) into the
 *	  C model of model.h, with the format's rules of rules.c.
 *
 * Every shape check happens here, before the import writes anything.
 * Unknown fields are ignored, as mParticle's own SDK ignores them.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/hsearch.h"

#include "firehose.h"
#include "rules.h"

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
	CtEnvelope	env;
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

/* An audience entry's audience_id, when it is one ct_parse_membership would take. */
static bool
ct_limit_audience_id(JsonbContainer *entry, int64 *id)
{
	JsonbValue	v;
	bool		ok = false;

	if (!ct_json_member(entry, "audience_id", &v))
		return false;
	if (v.type == jbvString)
		return ct_parse_int64(v.val.string.val, v.val.string.len, id);
	if (v.type == jbvNumeric)
	{
		char	   *txt = DatumGetCString(DirectFunctionCall1(numeric_out,
															  NumericGetDatum(v.val.numeric)));

		ok = ct_parse_int64(txt, strlen(txt), id);
		pfree(txt);
	}
	return ok;
}

/* The lists of audience entries of a user profile. */
static const char *const lists[] = {"audiences", "added_audiences", "removed_audiences"};

/* See firehose.h. */
void
ct_check_membership_limits(JsonbContainer *root)
{
	CT_PATH_ROOT(path);
	CT_PATH_KEY(ppath, &path, "user_profiles");
	JsonbValue	v;
	JsonbContainer *profiles;
	HASHCTL		ctl;
	HTAB	   *seen = NULL;
	long		naudiences = 0;

	if (!ct_json_member(root, "user_profiles", &v) || v.type != jbvBinary ||
		!JsonContainerIsArray(v.val.binary.data))
		return;
	profiles = v.val.binary.data;
	if (JsonContainerSize(profiles) > (uint32) ct_max_profiles_per_message)
		ct_too_many_profiles();

	for (int i = 0; i < (int) JsonContainerSize(profiles); i++)
	{
		CT_PATH_INDEX(epath, &ppath, i);
		JsonbValue *profile = getIthJsonbValueFromContainer(profiles, i);

		if (profile == NULL || profile->type != jbvBinary || !JsonContainerIsObject(profile->val.binary.data))
			continue;
		for (int l = 0; l < lengthof(lists); l++)
		{
			CT_PATH_KEY(lpath, &epath, lists[l]);
			JsonbContainer *list;

			if (!ct_json_member(profile->val.binary.data, lists[l], &v) || v.type != jbvBinary ||
				!JsonContainerIsArray(v.val.binary.data))
				continue;
			list = v.val.binary.data;
			for (int j = 0; j < (int) JsonContainerSize(list); j++)
			{
				CT_PATH_INDEX(apath, &lpath, j);
				JsonbValue *entry = getIthJsonbValueFromContainer(list, j);
				JsonbValue	settings;
				int64		id;
				bool		found;

				if (entry == NULL || entry->type != jbvBinary || !JsonContainerIsObject(entry->val.binary.data))
					continue;
				/* in the order ct_parse_membership checks them */
				if (ct_json_member(entry->val.binary.data, "audience_subscription_settings", &settings) &&
					settings.type == jbvBinary && JsonContainerIsObject(settings.val.binary.data))
					ct_check_settings_size(entry->val.binary.data, &apath);
				if (!ct_limit_audience_id(entry->val.binary.data, &id))
					continue;
				if (seen == NULL)
				{
					ctl.keysize = sizeof(int64);
					ctl.entrysize = sizeof(int64);
					ctl.hcxt = CurrentMemoryContext;
					seen = hash_create("ctaudience queued audiences", 64, &ctl,
									   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
				}
				(void) hash_search(seen, &id, HASH_FIND, &found);
				if (found)
					continue;
				if (naudiences >= ct_max_audiences_per_message)
					ct_too_many_audiences_at(i, lists[l], j);
				(void) hash_search(seen, &id, HASH_ENTER, NULL);
				naudiences++;
			}
		}
	}
	if (seen != NULL)
		hash_destroy(seen);
}
