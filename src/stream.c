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
 * Each object and array the reader interprets is a frame (CtFrameKind),
 * described once in ct_frames: the members an object interprets, each
 * with the type of its value and where it is kept (ct_*_fields), and what
 * happens when the frame begins and ends.  Every other member is skipped.
 *
 * Only well-formed messages take this path.  Anything it does not expect --
 * invalid JSON, a field of the wrong type, a missing field, a duplicate key,
 * a value the rules refuse, legacy lists, nested settings -- makes it give up,
 * and the caller parses the text as jsonb with the jsonb parser of
 * firehose.c, which reports the canonical error (or accepts what only it
 * handles).  So the text and jsonb entry points accept the same messages,
 * build the same model and fail with the same errors.
 *
 * The inbox reads less to know a redelivery: the id and project peeked at
 * in the first bytes (ct_stream_peek_id), then the envelope and account
 * settings of a message of any kind (ct_stream_parse_head), by the same
 * frames and rules, the rest of the text only walked.
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

#include "compat.h"
#include "jsonwalk.h"
#include "kind.h"
#include "rules.h"
#include "stream.h"

/* The objects and arrays the reader interprets; F_SKIP is any other value. */
typedef enum CtFrameKind
{
	F_SKIP,
	F_ROOT,
	F_HEAD,						/* the root, read for its envelope alone */
	F_ACCOUNT,
	F_SETTINGS,					/* account.account_settings */
	F_PROFILES,
	F_PROFILE,
	F_UIDS,						/* user_identities */
	F_UID,
	F_PIDS,						/* partner_identities */
	F_PID,
	F_AUDS,
	F_AUD,
	F_AUDSET,					/* an audience's subscription settings */
	F_ATTRS,
	F_ATTR,
	F_LIST,						/* an attribute's list_value */
	F_NKINDS
} CtFrameKind;

#define CT_MAX_DEPTH 16

typedef struct CtFrame
{
	CtFrameKind kind;
	int			index;			/* elements, or members, seen */
	int			others;			/* objects: members not interpreted */
	uint32		seen;			/* objects: a bit per field seen */
	int			depth;			/* F_SKIP: nesting below it */
} CtFrame;

/* The value an interpreted member must have. */
typedef enum CtValue
{
	V_STRING,
	V_INT,						/* an integer, or a string of one */
	V_ID,						/* a string, or an integer kept as its text */
	V_OBJECT,
	V_ARRAY,
	V_JSONB_ONLY				/* left to the jsonb reader (legacy lists) */
} CtValue;

/*
 * A member an object interprets: a scalar kept at offset in CtStream (a
 * CtStr, or an int64 for V_INT), or an object or array read as frame.
 */
typedef struct CtField
{
	const char *name;
	CtValue		value;
	size_t		offset;
	CtFrameKind frame;
} CtField;

typedef struct CtStream
{
	bool		failed;
	bool		head;			/* the envelope and account settings alone */
	CtFrame		stack[CT_MAX_DEPTH];
	int			top;			/* the innermost frame; -1 before the root */
	const CtField *field;		/* the member whose value comes next */

	CtMembershipMessage *msg;
	CtModelBuilder builder;
	bool		building;

	/* what the members read are kept in until the object that holds them ends */
	CtEnvelope	env;
	CtCredentials cred;
	int64		account_id;		/* checked, not kept */
	int			profile;		/* the user profile */
	CtStr		mpid;
	CtStr		id_type,		/* the identity */
				id_encoding,
				id_value;
	int			entry_index;	/* the audience entry: its position */
	int64		audience_id;
	CtStr		audience_name,
				audience_action,
				user_id_field;
	CtAttrOp   *attrs;			/* its user attributes */
	int			nattrs,
				attrs_cap;
	CtStr		attr_key,		/* the user attribute */
				attr_action,
				attr_value;
	JsonbParseState *list_state;	/* its list_value, being read */
	bool		has_list;
	bool		list_invalid;
	JsonbValue	list;

	char	   *arena;			/* where kept strings are copied */
	Size		arena_left;		/* and the room left there */
} CtStream;

/*
 * What the reader does with a frame of one kind.  An object interprets
 * fields; its other members are skipped, or, with few_others, may only be
 * a few short scalars.  An array's elements are objects that open element
 * frames, or, with add, strings.  begin may decline a frame, which is then
 * skipped whole.
 */
typedef struct CtFrameDef
{
	bool		array;
	const CtField *fields;
	int			nfields;
	bool		few_others;
	CtFrameKind element;
	void		(*add) (CtStream *st, char *token);
	bool		(*begin) (CtStream *st, int position);
	void		(*end) (CtStream *st, CtFrame *f);
} CtFrameDef;

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

/* An integer as the text the model keeps of it. */
static CtStr
ct_int64_text(int64 v)
{
	CtStr		r;

	r.s = psprintf(INT64_FORMAT, v);
	r.len = strlen(r.s);
	return r;
}

/* user_profiles begins: so does the model. */
static bool
ct_begin_profiles(CtStream *st, int position)
{
	st->msg->has_profiles = true;
	ct_model_begin(&st->builder, st->msg, 1000);
	st->builder.defer_limits = true;
	st->building = true;
	return true;
}

/* A user profile begins; one over a limit is skipped (the limit is reported first). */
static bool
ct_begin_profile(CtStream *st, int position)
{
	if (position >= ct_max_profiles_per_message)
		st->builder.over_profiles = true;
	st->profile = st->builder.over_audiences ? -1 : ct_model_new_profile(&st->builder);
	memset(&st->mpid, 0, sizeof(CtStr));
	return st->profile >= 0;
}

/* A user profile ends: its mpid, and its entries are those read since it began. */
static void
ct_end_profile(CtStream *st, CtFrame *f)
{
	st->msg->profiles[st->profile].mpid = st->mpid;
	ct_model_end_profile(&st->builder, st->profile);
}

/* An identity begins. */
static bool
ct_begin_identity(CtStream *st, int position)
{
	memset(&st->id_type, 0, sizeof(CtStr));
	memset(&st->id_encoding, 0, sizeof(CtStr));
	memset(&st->id_value, 0, sizeof(CtStr));
	return true;
}

/* An identity ends: record it in its profile. */
static void
ct_end_identity(CtStream *st, bool partner)
{
	CtUserProfile *p = &st->msg->profiles[st->profile];
	bool		raw;

	if (st->id_type.s == NULL || st->id_encoding.s == NULL || st->id_value.s == NULL ||
		!ct_rule_encoding(st->id_encoding, &raw, NULL))
	{
		ct_give_up(st);
		return;
	}
	if (partner)
		ct_model_add_partner(p, st->id_type, raw, st->id_value);
	else
		ct_model_add_identity(p, st->id_type, raw, st->id_value);
}

static void
ct_end_user_identity(CtStream *st, CtFrame *f)
{
	ct_end_identity(st, false);
}

static void
ct_end_partner_identity(CtStream *st, CtFrame *f)
{
	ct_end_identity(st, true);
}

/* An audience entry begins, at position in its profile's audiences. */
static bool
ct_begin_audience(CtStream *st, int position)
{
	st->entry_index = position;
	st->audience_id = 0;
	memset(&st->audience_name, 0, sizeof(CtStr));
	memset(&st->audience_action, 0, sizeof(CtStr));
	memset(&st->user_id_field, 0, sizeof(CtStr));
	st->attrs = NULL;
	st->nattrs = 0;
	st->attrs_cap = 0;
	return true;
}

/*
 * An audience entry ends: the rules, then keep it.  An absent audience_id
 * stays 0, which its rule refuses.
 */
static void
ct_end_audience(CtStream *st, CtFrame *f)
{
	CtAudienceEntry *e;
	CtAction	action;
	int			field = -1;

	if (!ct_rule_audience_id(st->audience_id, NULL) ||
		st->audience_name.s == NULL || !ct_rule_audience_name(st->audience_name, NULL) ||
		st->audience_action.s == NULL || !ct_rule_audience_action(st->audience_action, &action, NULL) ||
		(st->user_id_field.s != NULL && !ct_rule_user_id_field(st->user_id_field, &field, NULL)))
	{
		ct_give_up(st);
		return;
	}
	e = ct_model_new_entry(&st->builder, st->profile, st->entry_index, "audiences");
	e->audience_id = st->audience_id;
	e->name = st->audience_name;
	e->action = action;
	e->user_id_field = field;
	e->nattrs = st->nattrs;
	e->attrs = st->attrs;
	ct_model_commit_entry(&st->builder, e);
}

/* A user attribute begins. */
static bool
ct_begin_attribute(CtStream *st, int position)
{
	memset(&st->attr_key, 0, sizeof(CtStr));
	memset(&st->attr_action, 0, sizeof(CtStr));
	memset(&st->attr_value, 0, sizeof(CtStr));
	st->has_list = false;
	st->list_invalid = false;
	return true;
}

/* A user attribute ends: the rules, then keep it with its audience entry. */
static void
ct_end_attribute(CtStream *st, CtFrame *f)
{
	CtAttrOp	op;

	/* {} is ignored, as mParticle's own example has one */
	if (f->index == 0)
		return;
	memset(&op, 0, sizeof(op));
	if (st->attr_key.s == NULL || st->attr_action.s == NULL ||
		!ct_rule_attr_action(st->attr_action, &op.is_delete, NULL))
	{
		ct_give_up(st);
		return;
	}
	op.key = st->attr_key;
	op.invalid = !ct_rule_attr_key_fits(op.key);
	op.value.type = jbvNull;
	if (st->has_list)
	{
		/* list_value takes precedence over value, as in the jsonb parser */
		op.value = st->list;
		op.invalid |= st->list_invalid;
	}
	else if (st->attr_value.s != NULL)
	{
		op.value.type = jbvString;
		op.value.val.string.val = (char *) st->attr_value.s;
		op.value.val.string.len = st->attr_value.len;
		op.invalid |= !ct_rule_attr_value_fits(st->attr_value.len);
	}
	if (st->nattrs >= st->attrs_cap)
	{
		st->attrs_cap = Max(st->attrs_cap * 2, 4);
		st->attrs = st->attrs ? repalloc(st->attrs, sizeof(CtAttrOp) * st->attrs_cap)
			: palloc(sizeof(CtAttrOp) * st->attrs_cap);
	}
	st->attrs[st->nattrs++] = op;
}

/* A list_value begins: it is built as a jsonb array. */
static bool
ct_begin_list(CtStream *st, int position)
{
	st->list_state = NULL;
	pushJsonbValue(&st->list_state, WJB_BEGIN_ARRAY, NULL);
	return true;
}

/* One string of a list_value. */
static void
ct_add_list_element(CtStream *st, char *token)
{
	JsonbValue	e;

	e.type = jbvString;
	e.val.string.len = strlen(token);
	e.val.string.val = ct_arena_copy(st, token, e.val.string.len);
	if (!ct_rule_attr_value_fits(e.val.string.len))
		st->list_invalid = true;
	pushJsonbValue(&st->list_state, WJB_ELEM, &e);
}

/* A list_value ends. */
static void
ct_end_list(CtStream *st, CtFrame *f)
{
	JsonbValue *res = pushJsonbValue(&st->list_state, WJB_END_ARRAY, NULL);
	Jsonb	   *list = JsonbValueToJsonb(res);

	st->list.type = jbvBinary;
	st->list.val.binary.data = &list->root;
	st->list.val.binary.len = VARSIZE(list) - VARHDRSZ;
	st->has_list = true;
}

/*
 * The members each object interprets, the most frequent first: the type of
 * its value, and where it is kept or the frame it opens.
 */
#define CT_AT(member) offsetof(CtStream, member)

/* user_profiles last: the head (F_HEAD) reads the others alone */
static const CtField ct_root_fields[] = {
	{"type", V_STRING, CT_AT(env.type)},
	{"id", V_STRING, CT_AT(env.id_text)},
	{"timestamp_ms", V_INT, CT_AT(env.timestamp_ms)},
	{"firehose_version", V_STRING, CT_AT(env.firehose_version)},
	{"account", V_OBJECT, 0, F_ACCOUNT},
	{"user_profiles", V_ARRAY, 0, F_PROFILES},
};

static const CtField ct_account_fields[] = {
	{"account_id", V_INT, CT_AT(account_id)},
	{"account_settings", V_OBJECT, 0, F_SETTINGS},
};

static const CtField ct_settings_fields[] = {
	{"accountId", V_STRING, CT_AT(cred.account_id)},
	{"passcode", V_STRING, CT_AT(cred.passcode)},
	{"accountToken", V_STRING, CT_AT(cred.account_token)},
	{"region", V_STRING, CT_AT(cred.region)},
};

static const CtField ct_profile_fields[] = {
	{"mpid", V_ID, CT_AT(mpid)},
	{"user_identities", V_ARRAY, 0, F_UIDS},
	{"audiences", V_ARRAY, 0, F_AUDS},
	{"partner_identities", V_ARRAY, 0, F_PIDS},
	{"added_audiences", V_JSONB_ONLY},
	{"removed_audiences", V_JSONB_ONLY},
};

static const CtField ct_identity_fields[] = {
	{"type", V_STRING, CT_AT(id_type)},
	{"encoding", V_STRING, CT_AT(id_encoding)},
	{"value", V_STRING, CT_AT(id_value)},
};

static const CtField ct_audience_fields[] = {
	{"audience_id", V_INT, CT_AT(audience_id)},
	{"audience_name", V_STRING, CT_AT(audience_name)},
	{"action", V_STRING, CT_AT(audience_action)},
	{"audience_subscription_settings", V_OBJECT, 0, F_AUDSET},
	{"user_attributes", V_ARRAY, 0, F_ATTRS},
};

static const CtField ct_audience_settings_fields[] = {
	{"userIdField", V_STRING, CT_AT(user_id_field)},
};

static const CtField ct_attribute_fields[] = {
	{"key", V_STRING, CT_AT(attr_key)},
	{"action", V_STRING, CT_AT(attr_action)},
	{"value", V_STRING, CT_AT(attr_value)},
	{"list_value", V_ARRAY, 0, F_LIST},
};

/* An object: the fields it interprets, and what happens when it begins and ends. */
#define CT_OBJECT(fields, begin, end) \
	{false, fields, lengthof(fields), false, F_SKIP, NULL, begin, end}
/* The same, for an object whose other members may only be a few short scalars. */
#define CT_OBJECT_OF_FEW(fields) \
	{false, fields, lengthof(fields), true, F_SKIP, NULL, NULL, NULL}
/* An array of objects read as element frames, or (element F_SKIP) of strings given to add. */
#define CT_ARRAY(element, add, begin, end) \
	{true, NULL, 0, false, element, add, begin, end}

/*
 * Every frame.  The settings of an audience may hold a few short scalars
 * besides userIdField; larger ones are left to the jsonb reader's check of
 * their size.
 */
static const CtFrameDef ct_frames[F_NKINDS] = {
	[F_SKIP] = {0},
	[F_ROOT] = CT_OBJECT(ct_root_fields, NULL, NULL),
	[F_HEAD] = {false, ct_root_fields, lengthof(ct_root_fields) - 1, false, F_SKIP, NULL, NULL, NULL},
	[F_ACCOUNT] = CT_OBJECT(ct_account_fields, NULL, NULL),
	[F_SETTINGS] = CT_OBJECT(ct_settings_fields, NULL, NULL),
	[F_PROFILES] = CT_ARRAY(F_PROFILE, NULL, ct_begin_profiles, NULL),
	[F_PROFILE] = CT_OBJECT(ct_profile_fields, ct_begin_profile, ct_end_profile),
	[F_UIDS] = CT_ARRAY(F_UID, NULL, NULL, NULL),
	[F_UID] = CT_OBJECT(ct_identity_fields, ct_begin_identity, ct_end_user_identity),
	[F_PIDS] = CT_ARRAY(F_PID, NULL, NULL, NULL),
	[F_PID] = CT_OBJECT(ct_identity_fields, ct_begin_identity, ct_end_partner_identity),
	[F_AUDS] = CT_ARRAY(F_AUD, NULL, NULL, NULL),
	[F_AUD] = CT_OBJECT(ct_audience_fields, ct_begin_audience, ct_end_audience),
	[F_AUDSET] = CT_OBJECT_OF_FEW(ct_audience_settings_fields),
	[F_ATTRS] = CT_ARRAY(F_ATTR, NULL, NULL, NULL),
	[F_ATTR] = CT_OBJECT(ct_attribute_fields, ct_begin_attribute, ct_end_attribute),
	[F_LIST] = CT_ARRAY(F_SKIP, ct_add_list_element, ct_begin_list, ct_end_list),
};

/* Enter a frame of kind (position: in its array); one its begin declines is skipped. */
static void
ct_push(CtStream *st, CtFrameKind kind, int position)
{
	const CtFrameDef *def = &ct_frames[kind];
	CtFrame    *f;

	if (st->top + 1 >= CT_MAX_DEPTH)
	{
		ct_give_up(st);
		return;
	}
	f = &st->stack[++st->top];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	if (def->begin != NULL && !def->begin(st, position))
		f->kind = F_SKIP;
	if (f->kind == F_SKIP)
		f->depth = 1;
}

/*
 * A member of an interpreted object begins: its field, or NULL; a second
 * one gives up.  Most names compared differ in their first two characters
 * (a name that matches the first has a second, if only its end).
 */
static void
ct_member(CtStream *st, CtFrame *f, const char *name)
{
	const CtFrameDef *def = &ct_frames[f->kind];

	f->index++;
	for (int i = 0; i < def->nfields; i++)
	{
		const char *fname = def->fields[i].name;

		if (name[0] == fname[0] && name[1] == fname[1] && strcmp(name, fname) == 0)
		{
			if (f->seen & (1u << i))
				ct_give_up(st);
			f->seen |= 1u << i;
			st->field = &def->fields[i];
			return;
		}
	}
	st->field = NULL;
	if (def->few_others && (++f->others > 8 || strlen(name) > 64))
		ct_give_up(st);
}

/* An object or an array begins, as the value of field fd or an element. */
static void
ct_open(CtStream *st, const CtField *fd, bool is_object)
{
	CtFrame    *f = ct_top(st);
	const CtFrameDef *def;

	if (f == NULL)
	{
		/* the message itself must be an object */
		if (is_object)
			ct_push(st, st->head ? F_HEAD : F_ROOT, 0);
		else
			ct_give_up(st);
		return;
	}
	if (f->kind == F_SKIP)
	{
		f->depth++;
		return;
	}
	def = &ct_frames[f->kind];
	if (def->array)
	{
		if (is_object && def->element != F_SKIP)
			ct_push(st, def->element, f->index++);
		else
			ct_give_up(st);
	}
	else if (fd != NULL)
	{
		if (fd->value == (is_object ? V_OBJECT : V_ARRAY))
			ct_push(st, fd->frame, 0);
		else
			ct_give_up(st);
	}
	else if (def->few_others)
		ct_give_up(st);			/* left to the jsonb reader's size check */
	else
		ct_push(st, F_SKIP, 0);
}

/* Keep the scalar value of field fd; false when it is not of the field's type. */
static bool
ct_keep_value(CtStream *st, const CtField *fd, char *token, JsonTokenType type)
{
	char	   *at = (char *) st + fd->offset;
	int64		v;

	switch (fd->value)
	{
		case V_STRING:
			if (type != JSON_TOKEN_STRING)
				return false;
			*(CtStr *) at = ct_keep(st, token);
			return true;
		case V_INT:
			if (!ct_token_int64(token, type, &v))
				return false;
			*(int64 *) at = v;
			return true;
		case V_ID:
			if (type == JSON_TOKEN_STRING)
				*(CtStr *) at = ct_keep(st, token);
			else if (type == JSON_TOKEN_NUMBER && ct_token_int64(token, type, &v))
				*(CtStr *) at = ct_int64_text(v);
			else
				return false;
			return true;
		default:
			return false;		/* an object or array, or V_JSONB_ONLY */
	}
}

/* A scalar, as the value of field fd or an element. */
static void
ct_scalar_value(CtStream *st, const CtField *fd, char *token, JsonTokenType type)
{
	CtFrame    *f = ct_top(st);
	const CtFrameDef *def;

	if (f == NULL)
	{
		ct_give_up(st);			/* a scalar message */
		return;
	}
	if (f->kind == F_SKIP)
		return;
	def = &ct_frames[f->kind];
	if (def->array)
	{
		/* a list_value's string; anything else is not what the array holds */
		if (def->add != NULL && type == JSON_TOKEN_STRING)
			def->add(st, token);
		else
			ct_give_up(st);
	}
	else if (fd != NULL)
	{
		if (!ct_keep_value(st, fd, token, type))
			ct_give_up(st);
	}
	else if (def->few_others && strlen(token) > 64)
		ct_give_up(st);
}

static CtJsonAction
ct_object_start(void *arg)
{
	CtStream   *st = arg;
	const CtField *fd = st->field;

	st->field = NULL;
	if (!st->failed)
		ct_open(st, fd, true);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_array_start(void *arg)
{
	CtStream   *st = arg;
	const CtField *fd = st->field;

	st->field = NULL;
	if (!st->failed)
		ct_open(st, fd, false);
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
	if (ct_frames[f->kind].end != NULL)
		ct_frames[f->kind].end(st, f);
	st->top--;
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_field_start(void *arg, char *fname, bool isnull)
{
	CtStream   *st = arg;
	CtFrame    *f = ct_top(st);

	if (!st->failed && f != NULL && f->kind != F_SKIP)
	{
		/*
		 * The jsonb parser takes a null member for an absent one, but keeps
		 * the last of duplicate keys; rather than track both, give up.
		 */
		if (isnull)
			ct_give_up(st);
		else
			ct_member(st, f, fname);
	}
	pfree(fname);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_scalar(void *arg, char *token, JsonTokenType type)
{
	CtStream   *st = arg;
	const CtField *fd = st->field;

	st->field = NULL;
	if (!st->failed)
		ct_scalar_value(st, fd, token, type);
	pfree(token);
	return CT_JSON_ACTION_OK;
}

/* A fresh parse state, and msg emptied; head: read the envelope alone. */
static void
ct_stream_reset(CtStream *st, CtMembershipMessage *msg, bool head)
{
	memset(st, 0, sizeof(*st));
	memset(msg, 0, sizeof(*msg));
	st->top = -1;
	st->msg = msg;
	st->head = head;
}

/* Read json into st and msg; false when it is not JSON, or the reader gave up. */
static bool
ct_stream_walk(CtStream *st, char *json, int len, CtMembershipMessage *msg, bool head)
{
	static const JsonSemAction actions = {
		.object_start = ct_object_start,
		.object_end = ct_close,
		.array_start = ct_array_start,
		.array_end = ct_close,
		.object_field_start = ct_field_start,
		.scalar = ct_scalar
	};
	JsonSemAction sem = actions;
	JsonLexContext *lex;

	ct_stream_reset(st, msg, head);
	sem.semstate = st;
	switch (ct_json_walk(json, len, GetDatabaseEncoding(), &sem))
	{
		case CT_WALK_OK:
			break;
		case CT_WALK_INVALID:
			return false;
		case CT_WALK_UNSUPPORTED:
			/* \u escapes outside UTF-8, deep nesting: PostgreSQL's parser */
			ct_stream_reset(st, msg, head);
			lex = ct_json_lexer(json, len, GetDatabaseEncoding());
			if (pg_parse_json(lex, &sem) != JSON_SUCCESS)
				return false;
			break;
	}
	return !st->failed;
}

/*
 * The envelope st read, checked as ct_parse_envelope checks it (absent
 * timestamp_ms: 0); false when it is missing a part or breaks a rule.
 */
static bool
ct_stream_envelope(CtStream *st, CtEnvelope *env)
{
	*env = st->env;
	if (env->type.s == NULL ||
		env->id_text.s == NULL || !ct_rule_uuid(env->id_text, &env->id, NULL, NULL) ||
		!ct_rule_time_ms(env->timestamp_ms, NULL, NULL) ||
		!ct_rule_firehose_version(&env->firehose_version, NULL) ||
		!ct_rule_message_time(env, NULL))
		return false;
	env->ts = ct_time_from_ms(env->timestamp_ms);
	return true;
}

/*
 * Parse the text of a membership message into env and msg.  False when it
 * is anything but a well-formed audience_membership_change_request: the
 * caller then parses it as jsonb (see the file header).
 */
bool
ct_stream_parse_membership(char *json, int len, CtEnvelope *env, CtMembershipMessage *msg)
{
	CtStream	st;

	memset(env, 0, sizeof(*env));
	if (!ct_stream_walk(&st, json, len, msg, false))
		return false;
	if (st.building)
		ct_model_finish(&st.builder);
	if (!ct_stream_envelope(&st, env) || !ct_str_eq(env->type, ct_kinds[CT_KIND_MEMBERSHIP].type))
		return false;
	if (st.building)
		ct_model_raise_deferred(&st.builder);

	msg->cred = st.cred;
	msg->id = env->id;
	msg->id_text = env->id_text;
	msg->firehose_version = env->firehose_version;
	msg->timestamp_ms = env->timestamp_ms;
	msg->ts = env->ts;
	return true;
}

/*
 * Read the envelope and the account settings of a message of any kind from
 * its text, the rest only checked to be JSON: false, as above, when the
 * text is not JSON or they are not plain (a part missing, a duplicate key,
 * a value of the wrong type, a rule broken).
 */
bool
ct_stream_parse_head(char *json, int len, CtEnvelope *env, CtCredentials *cred)
{
	CtStream	st;
	CtMembershipMessage msg;

	memset(env, 0, sizeof(*env));
	memset(cred, 0, sizeof(*cred));
	if (!ct_stream_walk(&st, json, len, &msg, true) || !ct_stream_envelope(&st, env))
		return false;
	*cred = st.cred;
	return true;
}

/* How far into a message ct_stream_peek_id reads. */
#define CT_PEEK_BYTES 65536

/*
 * The id and account.account_settings.accountId of a message, as written,
 * read with the lexer alone and no further than needed to meet both
 * (ct_json_peek_id): mParticle sends the envelope before the user
 * profiles, so this reads a few hundred bytes where ct_stream_parse_head
 * reads the whole text, and it gives up past CT_PEEK_BYTES.  A hint only:
 * false when it does not find both.
 */
bool
ct_stream_peek_id(char *json, int len, CtStr *account_id, CtStr *id)
{
	memset(account_id, 0, sizeof(*account_id));
	memset(id, 0, sizeof(*id));
	return ct_json_peek_id(json, len, GetDatabaseEncoding(), CT_PEEK_BYTES,
						   &account_id->s, &account_id->len, &id->s, &id->len);
}
