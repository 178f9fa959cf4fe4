/*
 * stream.c
 *	  Parse the JSON text of an audience_membership_change_request straight
 *	  into the model of model.h with the actions of PostgreSQL's
 *	  event-based JSON parser, called by ct_json_walk (jsonwalk.c) or, where
 *	  that declines, by pg_parse_json itself; building no jsonb.
 *
 * A receiver hands over the body of mParticle's POST as text.  Turned into
 * jsonb first, a message becomes a tree several times its size before the
 * import starts; read here, it costs a fraction of that time and little
 * more memory than the text itself.
 *
 * Only well-formed messages take this path.  Anything it does not expect --
 * invalid JSON, a field of the wrong type, a missing field, a duplicate key,
 * a value the rules refuse, legacy lists, nested settings -- makes it give up,
 * and the caller parses the text as jsonb with the jsonb parser of
 * firehose.c, which reports the canonical error (or accepts what only it
 * handles).  So the text and jsonb entry points accept the same messages,
 * build the same model and fail with the same errors.
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

#include "compat.h"
#include "jsonwalk.h"
#include "kind.h"
#include "rules.h"
#include "stream.h"

typedef enum CtFrameKind
{
	F_ROOT,
	F_ACCOUNT,
	F_SETTINGS,
	F_PROFILES,
	F_PROFILE,
	F_IDS,
	F_ID,
	F_AUDS,
	F_AUD,
	F_AUDSET,
	F_ATTRS,
	F_ATTR,
	F_LIST,
	F_SKIP
} CtFrameKind;

#define CT_MAX_DEPTH 16

typedef struct CtFrame
{
	CtFrameKind kind;
	int			index;			/* arrays: elements seen */
	uint32		seen;			/* objects: interpreted fields seen (duplicates give up) */
	int			depth;			/* F_SKIP: nesting below it */
	bool		partner;		/* F_IDS / F_ID: partner_identities */
} CtFrame;

/* The fields each object interprets, as bits of CtFrame.seen. */
enum
{
	B_TYPE = 1 << 0,
	B_ID = 1 << 1,
	B_TS = 1 << 2,
	B_VERSION = 1 << 3,
	B_ACCOUNT = 1 << 4,
	B_PROFILES = 1 << 5,
	B_ACCOUNT_ID = 1 << 6,
	B_SETTINGS = 1 << 7,
	B_S_ACCOUNT = 1 << 8,
	B_S_PASSCODE = 1 << 9,
	B_S_TOKEN = 1 << 10,
	B_S_REGION = 1 << 11,
	B_MPID = 1 << 12,
	B_UIDS = 1 << 13,
	B_PIDS = 1 << 14,
	B_AUDS = 1 << 15,
	B_I_TYPE = 1 << 16,
	B_I_ENC = 1 << 17,
	B_I_VALUE = 1 << 18,
	B_A_ID = 1 << 19,
	B_A_NAME = 1 << 20,
	B_A_ACTION = 1 << 21,
	B_A_SETTINGS = 1 << 22,
	B_A_ATTRS = 1 << 23,
	B_A_FIELD = 1 << 24,
	B_T_KEY = 1 << 25,
	B_T_ACTION = 1 << 26,
	B_T_VALUE = 1 << 27,
	B_T_LIST = 1 << 28
};

typedef struct CtStream
{
	bool		failed;
	CtFrame		stack[CT_MAX_DEPTH];
	int			top;			/* index of the innermost frame; -1 before the root */
	char	   *field;			/* the field whose value comes next, in the innermost object */

	CtEnvelope *env;
	CtMembershipMessage *msg;
	CtModelBuilder builder;
	bool		building;

	/* the current user profile, identity, audience entry and attribute */
	int			profile;
	CtStr		id_type,
				id_enc,
				id_value;
	CtAudienceEntry *entry;
	CtStr		entry_action;
	int			attrs_cap;
	CtAttrOp	attr;
	CtStr		attr_action;
	bool		attr_empty;
	JsonbParseState *list_state;	/* list_value being read */
	bool		has_list;
	bool		list_invalid;
	JsonbValue	list;
	char	   *arena;			/* where kept strings are copied, and room left */
	Size		arena_left;
} CtStream;

/* Give up: the caller parses the message as jsonb instead. */
static inline void
ct_give_up(CtStream *st)
{
	st->failed = true;
}

static inline CtFrame *
ct_top(CtStream *st)
{
	return st->top >= 0 ? &st->stack[st->top] : NULL;
}

static void
ct_push(CtStream *st, CtFrameKind kind)
{
	CtFrame    *f;

	if (st->top + 1 >= CT_MAX_DEPTH)
	{
		ct_give_up(st);
		return;
	}
	f = &st->stack[++st->top];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	if (kind == F_SKIP)
		f->depth = 1;
}

/* Note an interpreted field of the innermost object; a second one gives up. */
static bool
ct_first(CtStream *st, uint32 bit)
{
	CtFrame    *f = ct_top(st);

	if (f->seen & bit)
	{
		ct_give_up(st);
		return false;
	}
	f->seen |= bit;
	return true;
}

static inline bool
ct_is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/*
 * A copy of a string the model keeps, packed with the others in blocks of
 * CT_ARENA_BLOCK bytes rather than one allocation each (a message keeps
 * several short strings per user; each allocation would cost a header and
 * a rounding up to a power of two).  The parser's token is freed after use.
 */
#define CT_ARENA_BLOCK (32 * 1024)

static char *
ct_arena_copy(CtStream *st, const char *s, Size len)
{
	char	   *r;

	if (len + 1 > st->arena_left)
	{
		if (len + 1 > CT_ARENA_BLOCK / 4)
			return pnstrdup(s, len);	/* a long one on its own */
		st->arena = palloc(CT_ARENA_BLOCK);
		st->arena_left = CT_ARENA_BLOCK;
	}
	r = st->arena;
	memcpy(r, s, len);
	r[len] = '\0';
	st->arena += len + 1;
	st->arena_left -= len + 1;
	return r;
}

/* Keep a token of the parser in the model. */
static CtStr
ct_keep(CtStream *st, char *s)
{
	CtStr		r;

	r.len = strlen(s);
	r.s = ct_arena_copy(st, s, r.len);
	return r;
}

/* An integer token or a string of decimal digits, as the jsonb parser accepts. */
static inline bool
ct_token_int64(char *token, JsonTokenType type, int64 *out)
{
	if (type != JSON_TOKEN_NUMBER && type != JSON_TOKEN_STRING)
		return false;
	return ct_parse_int64(token, strlen(token), out);
}

/* The kind of frame a nested object or array opens, or F_SKIP. */
static void
ct_open_field(CtStream *st, bool is_object, char *field)
{
	CtFrame    *f = ct_top(st);

	if (f == NULL)
	{
		/* the message itself must be an object */
		if (!is_object)
			ct_give_up(st);
		else
			ct_push(st, F_ROOT);
		return;
	}
	if (f->kind == F_SKIP)
	{
		f->depth++;
		return;
	}

	switch (f->kind)
	{
		case F_ROOT:
			if (ct_is(field, "account"))
			{
				if (!is_object || !ct_first(st, B_ACCOUNT))
					break;
				ct_push(st, F_ACCOUNT);
				return;
			}
			if (ct_is(field, "user_profiles"))
			{
				if (is_object || !ct_first(st, B_PROFILES))
					break;
				ct_push(st, F_PROFILES);
				st->msg->has_profiles = true;
				ct_model_begin(&st->builder, st->msg, 1000);
				st->builder.defer_limits = true;
				st->building = true;
				return;
			}
			if (ct_is(field, "type") || ct_is(field, "id") || ct_is(field, "timestamp_ms") ||
				ct_is(field, "firehose_version"))
				break;
			ct_push(st, F_SKIP);
			return;
		case F_ACCOUNT:
			if (ct_is(field, "account_settings"))
			{
				if (!is_object || !ct_first(st, B_SETTINGS))
					break;
				ct_push(st, F_SETTINGS);
				return;
			}
			if (ct_is(field, "account_id"))
				break;
			ct_push(st, F_SKIP);
			return;
		case F_SETTINGS:
			if (ct_is(field, "accountId") || ct_is(field, "passcode") ||
				ct_is(field, "accountToken") || ct_is(field, "region"))
				break;
			ct_push(st, F_SKIP);
			return;
		case F_PROFILES:
			if (!is_object)
				break;
			f->index++;
			if (f->index > ct_max_profiles_per_message)
				st->builder.over_profiles = true;	/* reported first, as the jsonb reader does */
			st->profile = st->builder.over_audiences ? -1 : ct_model_new_profile(&st->builder);
			ct_push(st, st->profile < 0 ? F_SKIP : F_PROFILE);
			return;
		case F_PROFILE:
			if (ct_is(field, "user_identities") || ct_is(field, "partner_identities"))
			{
				bool		partner = ct_is(field, "partner_identities");

				if (is_object || !ct_first(st, partner ? B_PIDS : B_UIDS))
					break;
				ct_push(st, F_IDS);
				ct_top(st)->partner = partner;
				return;
			}
			if (ct_is(field, "audiences"))
			{
				if (is_object || !ct_first(st, B_AUDS))
					break;
				ct_push(st, F_AUDS);
				return;
			}
			if (ct_is(field, "mpid") || ct_is(field, "added_audiences") ||
				ct_is(field, "removed_audiences"))
				break;			/* legacy lists: the jsonb parser handles them */
			ct_push(st, F_SKIP);
			return;
		case F_IDS:
			if (!is_object)
				break;
			f->index++;
			ct_push(st, F_ID);
			ct_top(st)->partner = f->partner;
			memset(&st->id_type, 0, sizeof(CtStr));
			memset(&st->id_enc, 0, sizeof(CtStr));
			memset(&st->id_value, 0, sizeof(CtStr));
			return;
		case F_ID:
			if (ct_is(field, "type") || ct_is(field, "encoding") || ct_is(field, "value"))
				break;
			ct_push(st, F_SKIP);
			return;
		case F_AUDS:
			if (!is_object)
				break;
			ct_push(st, F_AUD);
			st->entry = ct_model_new_entry(&st->builder, st->profile, f->index, "audiences");
			st->entry->user_id_field = -1;
			memset(&st->entry_action, 0, sizeof(CtStr));
			st->attrs_cap = 0;
			f->index++;
			return;
		case F_AUD:
			if (ct_is(field, "audience_subscription_settings"))
			{
				if (!is_object || !ct_first(st, B_A_SETTINGS))
					break;
				ct_push(st, F_AUDSET);
				return;
			}
			if (ct_is(field, "user_attributes"))
			{
				if (is_object || !ct_first(st, B_A_ATTRS))
					break;
				ct_push(st, F_ATTRS);
				return;
			}
			if (ct_is(field, "audience_id") || ct_is(field, "audience_name") || ct_is(field, "action"))
				break;
			ct_push(st, F_SKIP);
			return;
		case F_AUDSET:
			/* nested settings: the jsonb parser checks their size */
			break;
		case F_ATTRS:
			if (!is_object)
				break;
			ct_push(st, F_ATTR);
			memset(&st->attr, 0, sizeof(CtAttrOp));
			st->attr.value.type = jbvNull;
			memset(&st->attr_action, 0, sizeof(CtStr));
			st->attr_empty = true;
			st->has_list = false;
			st->list_invalid = false;
			return;
		case F_ATTR:
			if (ct_is(field, "list_value"))
			{
				if (is_object || !ct_first(st, B_T_LIST))
					break;
				ct_push(st, F_LIST);
				st->list_state = NULL;
				pushJsonbValue(&st->list_state, WJB_BEGIN_ARRAY, NULL);
				return;
			}
			if (ct_is(field, "key") || ct_is(field, "action") || ct_is(field, "value"))
				break;
			ct_push(st, F_SKIP);
			return;
		case F_LIST:
			break;				/* list_value elements must be strings */
		case F_SKIP:
			break;
	}
	ct_give_up(st);
}

static void
ct_open(CtStream *st, bool is_object)
{
	char	   *field = st->field;

	st->field = NULL;
	ct_open_field(st, is_object, field);
	if (field != NULL)
		pfree(field);
}

/* Close an identity: record it in its profile. */
static void
ct_close_identity(CtStream *st, bool partner)
{
	CtUserProfile *p = &st->msg->profiles[st->profile];
	bool		raw;

	if (st->id_type.s == NULL || st->id_enc.s == NULL || st->id_value.s == NULL ||
		!ct_rule_encoding(st->id_enc, &raw, NULL))
	{
		ct_give_up(st);
		return;
	}
	if (partner)
		ct_model_add_partner(p, st->id_type, raw, st->id_value);
	else
		ct_model_add_identity(p, st->id_type, raw, st->id_value);
}

/* Close an audience entry: the rules, then keep it. */
static void
ct_close_entry(CtStream *st)
{
	CtAudienceEntry *e = st->entry;
	CtFrame    *f = ct_top(st);

	if (!(f->seen & B_A_ID) || !ct_rule_audience_id(e->audience_id, NULL) ||
		!(f->seen & B_A_NAME) || !ct_rule_audience_name(e->name, NULL) ||
		st->entry_action.s == NULL || !ct_rule_audience_action(st->entry_action, &e->action, NULL))
	{
		ct_give_up(st);
		return;
	}
	ct_model_commit_entry(&st->builder, e);
	st->entry = NULL;
}

/* Close a user attribute: the rules, then keep it. */
static void
ct_close_attr(CtStream *st)
{
	CtAudienceEntry *e = st->entry;
	CtAttrOp   *op = &st->attr;

	if (st->attr_empty)
		return;					/* {} is ignored, as mParticle's own example has one */
	if (st->has_list)
	{
		/* list_value takes precedence over value, as in the jsonb parser */
		op->value = st->list;
		if (st->list_invalid)
			op->invalid = true;
	}
	if (op->key.s == NULL || st->attr_action.s == NULL ||
		!ct_rule_attr_action(st->attr_action, &op->is_delete, NULL))
	{
		ct_give_up(st);
		return;
	}
	if (!ct_rule_attr_key_fits(op->key))
		op->invalid = true;
	if (op->value.type == jbvString && !ct_rule_attr_value_fits(op->value.val.string.len))
		op->invalid = true;
	if (e->nattrs >= st->attrs_cap)
	{
		st->attrs_cap = Max(st->attrs_cap * 2, 4);
		e->attrs = e->attrs ? repalloc(e->attrs, sizeof(CtAttrOp) * st->attrs_cap)
			: palloc(sizeof(CtAttrOp) * st->attrs_cap);
	}
	e->attrs[e->nattrs++] = *op;
}

static CtJsonAction
ct_object_start(void *arg)
{
	CtStream   *st = arg;

	if (!st->failed)
		ct_open(st, true);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_array_start(void *arg)
{
	CtStream   *st = arg;

	if (!st->failed)
		ct_open(st, false);
	return CT_JSON_ACTION_OK;
}

/* The end of an object or an array. */
static CtJsonAction
ct_close(void *arg)
{
	CtStream   *st = arg;
	CtFrame    *f = ct_top(st);

	if (st->failed || f == NULL)
		return CT_JSON_ACTION_OK;
	if (f->kind == F_SKIP && --f->depth > 0)
		return CT_JSON_ACTION_OK;
	switch (f->kind)
	{
		case F_ID:
			ct_close_identity(st, f->partner);
			break;
		case F_AUD:
			ct_close_entry(st);
			break;
		case F_ATTR:
			ct_close_attr(st);
			break;
		case F_LIST:
			{
				JsonbValue *res = pushJsonbValue(&st->list_state, WJB_END_ARRAY, NULL);
				Jsonb	   *list = JsonbValueToJsonb(res);

				st->list.type = jbvBinary;
				st->list.val.binary.data = &list->root;
				st->list.val.binary.len = VARSIZE(list) - VARHDRSZ;
				st->has_list = true;
			}
			break;
		case F_PROFILE:
			ct_model_end_profile(&st->builder, st->profile);
			break;
		default:
			break;
	}
	st->top--;
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_field_start(void *arg, char *fname, bool isnull)
{
	CtStream   *st = arg;
	CtFrame    *f = ct_top(st);

	if (st->failed || f == NULL || f->kind == F_SKIP || isnull)
	{
		/*
		 * The jsonb parser takes a null member for an absent one, but keeps
		 * the last of duplicate keys; rather than track both, give up.
		 */
		if (isnull && f != NULL && f->kind != F_SKIP)
			ct_give_up(st);
		pfree(fname);
		return CT_JSON_ACTION_OK;
	}
	st->field = fname;
	if (f->kind == F_ATTR)
		st->attr_empty = false;
	return CT_JSON_ACTION_OK;
}

/* A scalar: an object member's value (field) or an array element. */
static void
ct_scalar_field(CtStream *st, char *field, char *token, JsonTokenType type)
{
	CtFrame    *f = ct_top(st);
	bool		is_string = (type == JSON_TOKEN_STRING);
	int64		v;

	if (f == NULL)
	{
		ct_give_up(st);			/* a scalar message */
		return;
	}
	switch (f->kind)
	{
		case F_SKIP:
			return;
		case F_LIST:
			if (!is_string)
			{
				ct_give_up(st);
				return;
			}
			{
				JsonbValue	e;

				e.type = jbvString;
				e.val.string.len = strlen(token);
				e.val.string.val = ct_arena_copy(st, token, e.val.string.len);
				if (!ct_rule_attr_value_fits(e.val.string.len))
					st->list_invalid = true;
				pushJsonbValue(&st->list_state, WJB_ELEM, &e);
			}
			return;
		case F_PROFILES:
		case F_IDS:
		case F_AUDS:
		case F_ATTRS:
			ct_give_up(st);		/* an array element that is not an object */
			return;
		default:
			break;
	}
	if (field == NULL)
		return;					/* not an object member: cannot happen */

	switch (f->kind)
	{
		case F_ROOT:
			if (ct_is(field, "type") || ct_is(field, "id") || ct_is(field, "firehose_version"))
			{
				uint32		bit = ct_is(field, "type") ? B_TYPE : ct_is(field, "id") ? B_ID : B_VERSION;

				if (!is_string || !ct_first(st, bit))
					break;
				if (bit == B_TYPE)
					st->env->type = ct_keep(st, token);
				else if (bit == B_ID)
					st->env->id_text = ct_keep(st, token);
				else
					st->env->firehose_version = ct_keep(st, token);
				return;
			}
			if (ct_is(field, "timestamp_ms"))
			{
				if (!ct_token_int64(token, type, &v) || !ct_first(st, B_TS))
					break;
				st->env->timestamp_ms = v;
				return;
			}
			if (ct_is(field, "account") || ct_is(field, "user_profiles"))
				break;
			return;
		case F_ACCOUNT:
			if (ct_is(field, "account_id"))
			{
				if (!ct_token_int64(token, type, &v) || !ct_first(st, B_ACCOUNT_ID))
					break;
				return;
			}
			if (ct_is(field, "account_settings"))
				break;
			return;
		case F_SETTINGS:
			{
				CtCredentials *c = &st->msg->cred;
				CtStr	   *dst = NULL;
				uint32		bit = 0;

				if (ct_is(field, "accountId"))
					dst = &c->account_id, bit = B_S_ACCOUNT;
				else if (ct_is(field, "passcode"))
					dst = &c->passcode, bit = B_S_PASSCODE;
				else if (ct_is(field, "accountToken"))
					dst = &c->account_token, bit = B_S_TOKEN;
				else if (ct_is(field, "region"))
					dst = &c->region, bit = B_S_REGION;
				if (dst == NULL)
					return;
				if (!is_string || !ct_first(st, bit))
					break;
				*dst = ct_keep(st, token);
				return;
			}
		case F_PROFILE:
			if (ct_is(field, "mpid"))
			{
				CtUserProfile *p = &st->msg->profiles[st->profile];

				if (!ct_first(st, B_MPID))
					break;
				if (is_string)
					p->mpid = ct_keep(st, token);
				else if (type == JSON_TOKEN_NUMBER && ct_token_int64(token, type, &v))
				{
					p->mpid.s = psprintf(INT64_FORMAT, v);
					p->mpid.len = strlen(p->mpid.s);
				}
				else
					break;
				return;
			}
			if (ct_is(field, "user_identities") || ct_is(field, "partner_identities") ||
				ct_is(field, "audiences") || ct_is(field, "added_audiences") ||
				ct_is(field, "removed_audiences"))
				break;
			return;
		case F_ID:
			{
				CtStr	   *dst = NULL;
				uint32		bit = 0;

				if (ct_is(field, "type"))
					dst = &st->id_type, bit = B_I_TYPE;
				else if (ct_is(field, "encoding"))
					dst = &st->id_enc, bit = B_I_ENC;
				else if (ct_is(field, "value"))
					dst = &st->id_value, bit = B_I_VALUE;
				if (dst == NULL)
					return;
				if (!is_string || !ct_first(st, bit))
					break;
				*dst = ct_keep(st, token);
				return;
			}
		case F_AUD:
			if (ct_is(field, "audience_id"))
			{
				if (!ct_token_int64(token, type, &v) || !ct_first(st, B_A_ID))
					break;
				st->entry->audience_id = v;
				return;
			}
			if (ct_is(field, "audience_name") || ct_is(field, "action"))
			{
				bool		name = ct_is(field, "audience_name");

				if (!is_string || !ct_first(st, name ? B_A_NAME : B_A_ACTION))
					break;
				if (name)
					st->entry->name = ct_keep(st, token);
				else
					st->entry_action = ct_keep(st, token);
				return;
			}
			if (ct_is(field, "audience_subscription_settings") || ct_is(field, "user_attributes"))
				break;
			return;
		case F_AUDSET:
			if (ct_is(field, "userIdField"))
			{
				if (!is_string || !ct_first(st, B_A_FIELD))
					break;
				if (!ct_rule_user_id_field(ct_keep(st, token), &st->entry->user_id_field, NULL))
					break;
				return;
			}
			/* a few short settings; larger ones are left to the jsonb parser's size check */
			if (++f->index > 8 || strlen(field) > 64 || strlen(token) > 64)
				break;
			return;
		case F_ATTR:
			if (ct_is(field, "key") || ct_is(field, "action") || ct_is(field, "value"))
			{
				uint32		bit = ct_is(field, "key") ? B_T_KEY : ct_is(field, "action") ? B_T_ACTION : B_T_VALUE;

				if (!is_string || !ct_first(st, bit))
					break;
				if (bit == B_T_KEY)
					st->attr.key = ct_keep(st, token);
				else if (bit == B_T_ACTION)
					st->attr_action = ct_keep(st, token);
				else
				{
					st->attr.value.type = jbvString;
					st->attr.value.val.string.len = strlen(token);
					st->attr.value.val.string.val = ct_arena_copy(st, token, st->attr.value.val.string.len);
				}
				return;
			}
			if (ct_is(field, "list_value"))
				break;
			return;
		case F_LIST:
			return;				/* elements were handled above */
		default:
			return;
	}
	ct_give_up(st);
}

static CtJsonAction
ct_scalar(void *arg, char *token, JsonTokenType type)
{
	CtStream   *st = arg;
	char	   *field = st->field;

	st->field = NULL;
	if (!st->failed)
		ct_scalar_field(st, field, token, type);
	pfree(token);
	if (field != NULL)
		pfree(field);
	return CT_JSON_ACTION_OK;
}

/* A fresh parse state, and env and msg emptied. */
static void
ct_stream_reset(CtStream *st, CtEnvelope *env, CtMembershipMessage *msg)
{
	memset(st, 0, sizeof(*st));
	memset(env, 0, sizeof(*env));
	memset(msg, 0, sizeof(*msg));
	st->top = -1;
	st->env = env;
	st->msg = msg;
}

/*
 * Parse the text of a membership message into env and msg.  False when it
 * is anything but a well-formed audience_membership_change_request: the
 * caller then parses it as jsonb (see the file header).
 */
bool
ct_stream_parse_membership(char *json, int len, CtEnvelope *env, CtMembershipMessage *msg)
{
	static const JsonSemAction actions = {
		.object_start = ct_object_start, .object_end = ct_close, .array_start = ct_array_start,
		.array_end = ct_close, .object_field_start = ct_field_start, .scalar = ct_scalar
	};
	CtStream	st;
	JsonSemAction sem = actions;
	JsonLexContext *lex;

	ct_stream_reset(&st, env, msg);
	sem.semstate = &st;

	switch (ct_json_walk(json, len, GetDatabaseEncoding(), &sem))
	{
		case CT_WALK_OK:
			break;
		case CT_WALK_INVALID:
			return false;
		case CT_WALK_UNSUPPORTED:
			/* \u escapes outside UTF-8, deep nesting: PostgreSQL's parser */
			ct_stream_reset(&st, env, msg);
			lex = ct_json_lexer(json, len, GetDatabaseEncoding());
			if (pg_parse_json(lex, &sem) != JSON_SUCCESS)
				return false;
			break;
	}
	if (st.failed)
		return false;
	if (st.building)
		ct_model_finish(&st.builder);

	/* the envelope, as ct_parse_envelope reads it */
	if (env->type.s == NULL || !ct_str_eq(env->type, ct_kinds[CT_KIND_MEMBERSHIP].type) ||
		env->id_text.s == NULL || !ct_rule_uuid(env->id_text, &env->id, NULL, NULL) ||
		!(st.stack[0].seen & B_TS) || !ct_rule_time_ms(env->timestamp_ms, NULL, NULL) ||
		!ct_rule_firehose_version(&env->firehose_version, NULL) ||
		!ct_rule_message_time(env, NULL))
		return false;
	env->ts = ct_time_from_ms(env->timestamp_ms);
	if (st.building)
		ct_model_raise_deferred(&st.builder);

	msg->id = env->id;
	msg->id_text = env->id_text;
	msg->firehose_version = env->firehose_version;
	msg->timestamp_ms = env->timestamp_ms;
	msg->ts = env->ts;
	return true;
}
