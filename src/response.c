/*
 * response.c
 *	  Build the jsonb responses to Firehose messages; see response.h.
 */
#include "postgres.h"

#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "response.h"

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
