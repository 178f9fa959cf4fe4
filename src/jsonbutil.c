/*
 * jsonbutil.c
 *	  Typed, path-aware accessors over jsonb containers.
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "compat.h"
#include "jsonbutil.h"
#include "jsonwalk.h"

/* Format a path like user_profiles[3].audiences[0].action */
char *
ct_path_format(const CtPath *path, const char *leaf)
{
	const CtPath *steps[64];
	int			n = 0;
	StringInfoData buf;

	for (const CtPath *p = path; p != NULL && n < lengthof(steps); p = p->parent)
	{
		if (p->key != NULL || p->index >= 0)
			steps[n++] = p;
	}

	initStringInfo(&buf);
	for (int i = n - 1; i >= 0; i--)
	{
		if (steps[i]->key != NULL)
		{
			if (buf.len > 0)
				appendStringInfoChar(&buf, '.');
			appendStringInfoString(&buf, steps[i]->key);
		}
		else
			appendStringInfo(&buf, "[%d]", steps[i]->index);
	}
	if (leaf != NULL)
	{
		if (buf.len > 0)
			appendStringInfoChar(&buf, '.');
		appendStringInfoString(&buf, leaf);
	}
	if (buf.len == 0)
		appendStringInfoString(&buf, "(the message itself)");
	return buf.data;
}

/* Raise a shape error whose DETAIL names the JSON path. */
void
ct_json_error(int sqlstate, const CtPath *path, const char *leaf, const char *fmt,...)
{
	char		msg[512];
	va_list		args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);

	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("invalid Firehose message: %s", msg),
			 errdetail("The problem is at JSON path %s.", ct_path_format(path, leaf))));
	pg_unreachable();
}

/*
 * Where a JSON text is being read: one frame per open object or array,
 * with its current member's name (NULL for arrays).
 */
typedef struct CtJsonWhere
{
	int			depth;
	int			cap;
	char	  **key;
} CtJsonWhere;

static void
ct_where_push(void *arg, bool array)
{
	CtJsonWhere *w = arg;

	if (w->depth == w->cap)
	{
		w->cap = Max(w->cap * 2, 16);
		w->key = w->key ? repalloc(w->key, sizeof(char *) * w->cap) : palloc(sizeof(char *) * w->cap);
	}
	w->key[w->depth] = array ? NULL : "";
	w->depth++;
}

static void
ct_where_end(void *arg)
{
	((CtJsonWhere *) arg)->depth--;
}

static void
ct_where_field(void *arg, char *fname, bool isnull)
{
	CtJsonWhere *w = arg;

	w->key[w->depth - 1] = fname;
}

/* What is wrong with a JSON text, in words that quote nothing of it. */
static const char *
ct_json_problem(JsonParseErrorType e)
{
	switch (e)
	{
		case JSON_ESCAPING_INVALID:
			return "an invalid escape sequence in a string";
		case JSON_ESCAPING_REQUIRED:
			return "a control character in a string that must be escaped";
		case JSON_EXPECTED_ARRAY_FIRST:
			return "expected an array element or \"]\"";
		case JSON_EXPECTED_ARRAY_NEXT:
			return "expected \",\" or \"]\"";
		case JSON_EXPECTED_COLON:
			return "expected \":\"";
		case JSON_EXPECTED_END:
			return "more after the end of the value";
		case JSON_EXPECTED_JSON:
			return "expected a JSON value";
		case JSON_EXPECTED_MORE:
			return "the text ends before the value does";
		case JSON_EXPECTED_OBJECT_FIRST:
			return "expected a member name or \"}\"";
		case JSON_EXPECTED_OBJECT_NEXT:
			return "expected \",\" or \"}\"";
		case JSON_EXPECTED_STRING:
			return "expected a string";
		case JSON_INVALID_TOKEN:
			return "an invalid token";
		case JSON_UNICODE_CODE_POINT_ZERO:
			return "\\u0000, which cannot be converted to text";
		case JSON_UNICODE_ESCAPE_FORMAT:
			return "\\u not followed by four hexadecimal digits";
		case JSON_UNICODE_HIGH_ESCAPE:
			return "a \\u escape above 007F in a database whose encoding is not UTF8";
		case JSON_UNICODE_HIGH_SURROGATE:
			return "a Unicode high surrogate that follows a high surrogate";
		case JSON_UNICODE_LOW_SURROGATE:
			return "a Unicode low surrogate that does not follow a high surrogate";
		default:
			return "invalid JSON";
	}
}

/*
 * Building the jsonb while the text is parsed, as jsonb_in does (one pass:
 * the where-tracking above rides along to find the passcode), optionally
 * leaving out account.account_settings.passcode when it is a string.
 */
typedef struct CtJsonBuild
{
	CtJsonWhere where;			/* first: the where callbacks take it */
	JsonbParseState *state;
	JsonbValue *res;
	CtStr	   *passcode;		/* NULL: keep the passcode */
	bool		at_passcode;	/* its key read and held back */
} CtJsonBuild;

static void
ct_build_string(JsonbValue *v, char *s)
{
	size_t		len = strlen(s);

	if (len > JENTRY_OFFLENMASK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("string too long to represent as jsonb string"),
				 errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
						   JENTRY_OFFLENMASK)));
	v->type = jbvString;
	v->val.string.len = (int) len;
	v->val.string.val = s;
}

/* The passcode's value is not a string: keep it, with its key. */
static void
ct_build_unhold(CtJsonBuild *b)
{
	JsonbValue	k;

	if (!b->at_passcode)
		return;
	b->at_passcode = false;
	b->passcode->s = NULL;
	b->passcode->len = 0;
	ct_build_string(&k, "passcode");
	b->res = pushJsonbValue(&b->state, WJB_KEY, &k);
}

/* An object or array begins: kept by the where-tracking, pushed. */
static void
ct_build_open(CtJsonBuild *b, bool array)
{
	ct_build_unhold(b);
	ct_where_push(&b->where, array);
	b->res = pushJsonbValue(&b->state, array ? WJB_BEGIN_ARRAY : WJB_BEGIN_OBJECT, NULL);
}

/* It ends (tok: WJB_END_OBJECT or WJB_END_ARRAY). */
static void
ct_build_close(CtJsonBuild *b, JsonbIteratorToken tok)
{
	ct_where_end(&b->where);
	b->res = pushJsonbValue(&b->state, tok, NULL);
}

static CtJsonAction
ct_build_object_start(void *arg)
{
	ct_build_open(arg, false);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_build_object_end(void *arg)
{
	ct_build_close(arg, WJB_END_OBJECT);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_build_array_start(void *arg)
{
	ct_build_open(arg, true);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_build_array_end(void *arg)
{
	ct_build_close(arg, WJB_END_ARRAY);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_build_field(void *arg, char *fname, bool isnull)
{
	CtJsonBuild *b = arg;
	CtJsonWhere *w = &b->where;
	JsonbValue	k;

	ct_where_field(arg, fname, isnull);
	if (b->passcode != NULL && w->depth == 3 && w->key[0] != NULL && w->key[1] != NULL &&
		strcmp(w->key[0], "account") == 0 && strcmp(w->key[1], "account_settings") == 0 &&
		strcmp(fname, "passcode") == 0)
	{
		b->at_passcode = true;
		return CT_JSON_ACTION_OK;
	}
	ct_build_string(&k, fname);
	b->res = pushJsonbValue(&b->state, WJB_KEY, &k);
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_build_scalar(void *arg, char *token, JsonTokenType tokentype)
{
	CtJsonBuild *b = arg;
	JsonbValue	v;

	if (b->at_passcode && tokentype == JSON_TOKEN_STRING)
	{
		/* a later duplicate key wins, as in jsonb */
		b->at_passcode = false;
		b->passcode->s = token;
		b->passcode->len = strlen(token);
		return CT_JSON_ACTION_OK;
	}
	ct_build_unhold(b);
	switch (tokentype)
	{
		case JSON_TOKEN_STRING:
			ct_build_string(&v, token);
			break;
		case JSON_TOKEN_NUMBER:
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(token),
																ObjectIdGetDatum(InvalidOid),
																Int32GetDatum(-1)));
			break;
		case JSON_TOKEN_TRUE:
			v.type = jbvBool;
			v.val.boolean = true;
			break;
		case JSON_TOKEN_FALSE:
			v.type = jbvBool;
			v.val.boolean = false;
			break;
		default:
			v.type = jbvNull;
			break;
	}
	if (b->state == NULL)
	{
		/* a scalar alone: a one-element raw-scalar array, as jsonb stores it */
		JsonbValue	va;

		va.type = jbvArray;
		va.val.array.rawScalar = true;
		va.val.array.nElems = 1;
		b->res = pushJsonbValue(&b->state, WJB_BEGIN_ARRAY, &va);
		b->res = pushJsonbValue(&b->state, WJB_ELEM, &v);
		b->res = pushJsonbValue(&b->state, WJB_END_ARRAY, NULL);
	}
	else if (b->state->contVal.type == jbvArray)
		b->res = pushJsonbValue(&b->state, WJB_ELEM, &v);
	else
		b->res = pushJsonbValue(&b->state, WJB_VALUE, &v);
	return CT_JSON_ACTION_OK;
}

/*
 * Parse and build; a text that is not valid JSON is refused with where it
 * went wrong -- line, character, byte and the JSON path of the value that
 * is wrong (ct_json_error_path) -- but never a piece of the text: the body of a Firehose message
 * holds its passcode.  (The cast's own errors quote the text around the
 * mistake; so pass messages to the text variants.)
 */
static Jsonb *
ct_jsonb_build(text *t, CtStr *passcode)
{
	static MemoryContext build_cxt = NULL;
	char	   *json = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	static const JsonSemAction actions = {
		.object_start = ct_build_object_start,.object_end = ct_build_object_end,
		.array_start = ct_build_array_start,.array_end = ct_build_array_end,
		.object_field_start = ct_build_field,
		.scalar = ct_build_scalar
	};
	JsonLexContext *lex;
	JsonSemAction sem = actions;
	CtJsonBuild b;
	JsonParseErrorType e;
	MemoryContext caller = CurrentMemoryContext;
	Jsonb	   *result;

	/*
	 * The tokens and the tree of values live in a context of their own, kept
	 * by the backend with its first 4 MB block and reset after each use:
	 * memory given back to the system and taken again for every message costs
	 * a page fault every 4 kB.
	 */
	if (build_cxt == NULL)
		build_cxt = AllocSetContextCreate(TopMemoryContext, "ctaudience JSON build",
										  4 * 1024 * 1024, 4 * 1024 * 1024, 4 * 1024 * 1024);

	sem.semstate = &b;

	/*
	 * Read with ct_json_walk; where it declines, and to tell what is wrong,
	 * with pg_parse_json, which calls the same actions (from a fresh start).
	 */
	for (int pass = 0; pass < 2; pass++)
	{
		MemoryContextReset(build_cxt);
		MemoryContextSwitchTo(build_cxt);
		memset(&b, 0, sizeof(b));
		b.passcode = passcode;
		if (passcode != NULL)
		{
			passcode->s = NULL;
			passcode->len = 0;
		}
		if (pass == 0)
		{
			if (ct_json_walk(json, len, GetDatabaseEncoding(), &sem) == CT_WALK_OK)
			{
				e = JSON_SUCCESS;
				break;
			}
			continue;
		}
		lex = ct_json_lexer(json, len, GetDatabaseEncoding());
		e = pg_parse_json(lex, &sem);
	}
	if (e != JSON_SUCCESS)
	{
		int			offset = (lex->token_start ? lex->token_start : lex->input + len) - lex->input;
		int			line = 1;
		int			line_start = 0;
		bool		in_name;
		char	   *path;

		for (int i = 0; i < offset; i++)
		{
			if (json[i] == '\n')
			{
				line++;
				line_start = i + 1;
			}
		}
		path = ct_json_error_path(ct_json_lexer(json, len, GetDatabaseEncoding()), offset,
								  GetDatabaseEncoding(), &in_name);
		ereport(ERROR,
				(errcode(e == JSON_UNICODE_CODE_POINT_ZERO || e == JSON_UNICODE_HIGH_ESCAPE ?
						 ERRCODE_UNTRANSLATABLE_CHARACTER : ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid Firehose message: not valid JSON: %s", ct_json_problem(e)),
				 !in_name ?
				 errdetail("The problem is at line %d, column %d (byte %d of the message), JSON path %s.",
						   line, offset - line_start + 1, offset,
						   path[0] != '\0' ? path : "(the message itself)") :
				 path[0] != '\0' ?
				 errdetail("The problem is at line %d, column %d (byte %d of the message), in a member name of the object at JSON path %s.",
						   line, offset - line_start + 1, offset, path) :
				 errdetail("The problem is at line %d, column %d (byte %d of the message), in a member name of the message itself.",
						   line, offset - line_start + 1, offset)));
	}
	MemoryContextSwitchTo(caller);
	result = JsonbValueToJsonb(b.res);
	if (passcode != NULL && passcode->s != NULL)
		passcode->s = pnstrdup(passcode->s, passcode->len);
	MemoryContextReset(build_cxt);
	return result;
}

/* Text to jsonb, as a cast would make it; see ct_jsonb_build. */
Jsonb *
ct_jsonb_from_text(text *t)
{
	return ct_jsonb_build(t, NULL);
}

/*
 * The same, less account.account_settings.passcode when it is a string:
 * its value in *passcode (s NULL when there is none), so that the body can
 * be kept without it and without a second pass to delete it.
 */
Jsonb *
ct_jsonb_from_text_sans_passcode(text *t, CtStr *passcode)
{
	return ct_jsonb_build(t, passcode);
}

/* Name of a JSON value's type, as a user would say it. */
const char *
ct_json_type_name(const JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			if (JsonContainerIsArray(v->val.binary.data))
				return "an array";
			if (JsonContainerIsObject(v->val.binary.data))
				return "an object";
			return "a scalar";
		case jbvArray:
			return "an array";
		case jbvObject:
			return "an object";
		default:
			return "an unknown value";
	}
}

/* Look up a member of an object; false when absent or null. */
bool
ct_json_member(JsonbContainer *obj, const char *key, JsonbValue *out)
{
	if (getKeyJsonValueFromContainer(obj, key, strlen(key), out) == NULL)
		return false;
	return out->type != jbvNull;
}

/*
 * Look up a member (v), true when present; absent (or JSON null) it is
 * false, or, when required, an error naming it.
 */
static bool
ct_json_present(JsonbContainer *obj, const char *key, const CtPath *path, bool required,
				JsonbValue *v)
{
	if (ct_json_member(obj, key, v))
		return true;
	if (required)
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
					  "missing required field \"%s\"", key);
	return false;
}

/* A string member. */
bool
ct_json_get_string(JsonbContainer *obj, const char *key, const CtPath *path,
				   bool required, CtStr *out)
{
	JsonbValue	v;

	if (!ct_json_present(obj, key, path, required, &v))
	{
		out->s = NULL;
		out->len = 0;
		return false;
	}
	if (v.type != jbvString)
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
					  "\"%s\" must be a string, not %s", key, ct_json_type_name(&v));
	out->s = v.val.string.val;
	out->len = v.val.string.len;
	return true;
}

/* An object member. */
JsonbContainer *
ct_json_get_object(JsonbContainer *obj, const char *key, const CtPath *path,
				   bool required)
{
	JsonbValue	v;

	if (!ct_json_present(obj, key, path, required, &v))
		return NULL;
	if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
					  "\"%s\" must be an object, not %s", key, ct_json_type_name(&v));
	return v.val.binary.data;
}

/* An array member. */
JsonbContainer *
ct_json_get_array(JsonbContainer *obj, const char *key, const CtPath *path,
				  bool required)
{
	JsonbValue	v;

	if (!ct_json_present(obj, key, path, required, &v))
		return NULL;
	if (v.type != jbvBinary || !JsonContainerIsArray(v.val.binary.data) ||
		JsonContainerIsScalar(v.val.binary.data))
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
					  "\"%s\" must be an array, not %s", key, ct_json_type_name(&v));
	return v.val.binary.data;
}

/*
 * Parse a decimal integer held in a string: optional '-', digits only.
 * Returns false when it is not one or overflows int64.
 */
bool
ct_parse_int64(const char *s, int len, int64 *out)
{
	int			i = 0;
	bool		neg = false;
	uint64		acc = 0;

	if (len > 0 && s[0] == '-')
	{
		neg = true;
		i = 1;
	}
	if (i >= len || len - i > 19)
		return false;
	for (; i < len; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		acc = acc * 10 + (s[i] - '0');
	}
	if (neg)
	{
		if (acc > (uint64) PG_INT64_MAX + 1)
			return false;
		*out = (int64) (0 - acc);
	}
	else
	{
		if (acc > (uint64) PG_INT64_MAX)
			return false;
		*out = (int64) acc;
	}
	return true;
}

/*
 * An integer member: a JSON integer, or a string of decimal digits (some
 * senders quote 64-bit ids).  Fractions, exponents with fractions, NaN and
 * out-of-range values are rejected with 22P02.
 */
bool
ct_json_get_int64(JsonbContainer *obj, const char *key, const CtPath *path,
				  bool required, int64 *out)
{
	JsonbValue	v;

	if (!ct_json_present(obj, key, path, required, &v))
		return false;
	if (v.type == jbvNumeric)
	{
		char	   *txt = DatumGetCString(DirectFunctionCall1(numeric_out,
															  NumericGetDatum(v.val.numeric)));

		/* numeric_out prints integers without a decimal point */
		if (!ct_parse_int64(txt, strlen(txt), out))
			ct_json_error(ERRCODE_INVALID_TEXT_REPRESENTATION, path, key,
						  "\"%s\" must be an integer between -9223372036854775808 and 9223372036854775807, not %s",
						  key, txt);
		pfree(txt);
		return true;
	}
	if (v.type == jbvString)
	{
		if (!ct_parse_int64(v.val.string.val, v.val.string.len, out))
			ct_json_error(ERRCODE_INVALID_TEXT_REPRESENTATION, path, key,
						  "\"%s\" must be an integer, not \"%.*s\"", key,
						  Min(v.val.string.len, 64), v.val.string.val);
		return true;
	}
	ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, path, key,
				  "\"%s\" must be an integer, not %s", key, ct_json_type_name(&v));
	return false;				/* keep compiler quiet */
}

/* The i-th element of an array, which must be an object. */
JsonbContainer *
ct_json_array_object(JsonbContainer *arr, int i, const CtPath *path)
{
	JsonbValue *v = getIthJsonbValueFromContainer(arr, i);
	JsonbContainer *c;

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
	{
		CT_PATH_INDEX(elem, path, i);

		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &elem, NULL,
					  "array element must be an object, not %s",
					  v ? ct_json_type_name(v) : "missing");
	}
	c = v->val.binary.data;
	pfree(v);
	return c;
}

/* ASCII case-insensitive comparison with a lower-case C string. */
bool
ct_str_eq_ci(CtStr a, const char *lower)
{
	int			n = strlen(lower);

	if (a.len != n)
		return false;
	for (int i = 0; i < n; i++)
	{
		char		c = a.s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != lower[i])
			return false;
	}
	return true;
}
