/*
 * exportjson.c
 *	  The parts of the export's requests that come from a user's data, in
 *	  the JSON of mParticle's Events API: strings escaped and cut to its
 *	  limits, events' custom attributes, profiles' user attributes (see
 *	  export.c, which builds the requests).
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "exportjson.h"

/* CleverTap's profile properties sent as user attributes, and their names there. */
static const struct
{
	const char *property;
	const char *attribute;
}			ct_user_attributes[] = {
	{"Name", "ct_name"}, {"Gender", "ct_gender"}, {"DOB", "ct_dob"}, {"Photo", "ct_photo"},
	{"MSG-email", "ct_email_opt_in"}, {"MSG-push", "ct_push_opt_in"},
	{"MSG-sms", "ct_sms_opt_in"}, {"MSG-whatsapp", "ct_whatsapp_opt_in"},
};

/*
 * A JSON string of len bytes, at most max_chars characters (cut: counted),
 * escaped as escape_json() escapes, byte for byte (a request's body and id
 * must not change with the code that builds it), without copying it first:
 * runs of characters that need no escape are appended at once.  No more
 * bytes than max_chars is no more characters either: nothing to count.
 */
void
ct_json_string(StringInfo out, const char *s, int len, int max_chars, int *cut)
{
	int			keep = len <= max_chars ? len : pg_mbcharcliplen(s, len, max_chars);
	const char *end;
	const char *run;

	if (keep < len)
		(*cut)++;
	end = s + keep;
	appendStringInfoCharMacro(out, '"');
	run = s;
	for (const char *p = s; p < end && *p != '\0'; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c >= ' ' && c != '"' && c != '\\')
			continue;
		if (p > run)
			appendBinaryStringInfo(out, run, p - run);
		run = p + 1;
		switch (c)
		{
			case '\b':
				appendStringInfoString(out, "\\b");
				break;
			case '\f':
				appendStringInfoString(out, "\\f");
				break;
			case '\n':
				appendStringInfoString(out, "\\n");
				break;
			case '\r':
				appendStringInfoString(out, "\\r");
				break;
			case '\t':
				appendStringInfoString(out, "\\t");
				break;
			case '"':
				appendStringInfoString(out, "\\\"");
				break;
			case '\\':
				appendStringInfoString(out, "\\\\");
				break;
			default:
				appendStringInfo(out, "\\u%04x", (int) c);
				break;
		}
	}
	if (end > run)
	{
		/* up to a NUL, as escape_json stops there (text has none) */
		appendBinaryStringInfo(out, run, strnlen(run, end - run));
	}
	appendStringInfoCharMacro(out, '"');
}

/* A jsonb value as mParticle's attribute values are: a string; NULL for null. */
char *
ct_value_text(JsonbValue *v, int *len)
{
	char	   *s;

	switch (v->type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			*len = v->val.string.len;
			return v->val.string.val;
		case jbvNumeric:
			s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
			break;
		case jbvBool:
			s = pstrdup(v->val.boolean ? "true" : "false");
			break;
		case jbvBinary:
			s = JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
			break;
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v->type);
	}
	*len = strlen(s);
	return s;
}

/* Whether the first bytes of name are one of the n names written. */
static bool
ct_name_written(const char **names, const int *bytes, int n, const char *name, int name_bytes)
{
	for (int i = 0; i < n; i++)
	{
		if (bytes[i] == name_bytes && memcmp(names[i], name, name_bytes) == 0)
			return true;
	}
	return false;
}

/*
 * The custom_attributes of an event, from its properties: at most
 * CT_MP_MAX_ATTRIBUTES, each value a string of at most
 * CT_MP_MAX_VALUE_CHARS characters, and no more than room bytes in all
 * (what does not fit is left out); what is cut is counted.  A property of
 * an empty name is left out (and counted): mParticle refuses the whole
 * request for one such attribute.  Names are cut
 * to CT_MP_MAX_NAME_CHARS characters: a name that would then be one
 * written already (two long names alike up to there) is left out, and
 * counted, so that no key comes twice.
 */
void
ct_render_attributes(StringInfo out, Jsonb *props, int room, int *cut)
{
	JsonbIterator *it = JsonbIteratorInit(&props->root);
	JsonbValue	k;
	JsonbIteratorToken tok;
	int			n = 0;
	const char **longs = NULL;	/* the names written of the most characters,
								 * as written (cut to it) */
	int		   *long_bytes = NULL;
	int			nlong = 0;

	appendStringInfoChar(out, '{');
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		JsonbValue	v;
		char	   *val;
		int			len;
		int			at;
		int			name_bytes;

		if (tok != WJB_KEY)
			continue;
		JsonbIteratorNext(&it, &v, true);
		val = ct_value_text(&v, &len);
		if (val == NULL)
			continue;
		if (k.val.string.len == 0 || n >= CT_MP_MAX_ATTRIBUTES)
		{
			/* mParticle refuses a name of no characters: it is cut */
			(*cut)++;
			continue;
		}
		/* a name of CT_MP_MAX_NAME_CHARS characters or more, as written */
		name_bytes = -1;
		if (k.val.string.len >= CT_MP_MAX_NAME_CHARS)
		{
			name_bytes = pg_mbcharcliplen(k.val.string.val, k.val.string.len, CT_MP_MAX_NAME_CHARS);
			if (name_bytes == k.val.string.len &&
				pg_mbstrlen_with_len(k.val.string.val, name_bytes) < CT_MP_MAX_NAME_CHARS)
				name_bytes = -1;
		}
		if (name_bytes >= 0 && ct_name_written(longs, long_bytes, nlong, k.val.string.val, name_bytes))
		{
			(*cut)++;
			continue;
		}
		/* written in place, and taken back when it leaves no room */
		at = out->len;
		if (n > 0)
			appendStringInfoChar(out, ',');
		ct_json_string(out, k.val.string.val, k.val.string.len, CT_MP_MAX_NAME_CHARS, cut);
		appendStringInfoChar(out, ':');
		ct_json_string(out, val, len, CT_MP_MAX_VALUE_CHARS, cut);
		if (out->len + 1 > room)
		{
			out->len = at;
			out->data[at] = '\0';
			(*cut)++;
			continue;
		}
		n++;
		if (name_bytes >= 0)
		{
			if (longs == NULL)
			{
				longs = palloc(sizeof(char *) * CT_MP_MAX_ATTRIBUTES);
				long_bytes = palloc(sizeof(int) * CT_MP_MAX_ATTRIBUTES);
			}
			longs[nlong] = k.val.string.val;
			long_bytes[nlong++] = name_bytes;
		}
	}
	appendStringInfoChar(out, '}');
	if (longs != NULL)
	{
		pfree(longs);
		pfree(long_bytes);
	}
}

/*
 * Add the user attributes of a profile's properties in at most room bytes
 * of out (the rest is cut); false when it has none.
 */
bool
ct_render_user_attributes(StringInfo out, Jsonb *properties, int room, int *cut)
{
	int			n = 0;

	for (int i = 0; i < lengthof(ct_user_attributes); i++)
	{
		const char *p = ct_user_attributes[i].property;
		JsonbValue *v = getKeyJsonValueFromContainer(&properties->root, p, strlen(p), NULL);
		char	   *val;
		int			len;
		int			at;

		if (v == NULL || (val = ct_value_text(v, &len)) == NULL)
			continue;
		/* written in place, and taken back when it leaves no room */
		at = out->len;
		appendStringInfoString(out, n == 0 ? ",\"user_attributes\":{" : ",");
		escape_json(out, ct_user_attributes[i].attribute);
		appendStringInfoChar(out, ':');
		ct_json_string(out, val, len, CT_MP_MAX_VALUE_CHARS, cut);
		if (out->len + 1 > room)
		{
			out->len = at;
			out->data[at] = '\0';
			(*cut)++;
			continue;
		}
		n++;
	}
	if (n > 0)
		appendStringInfoChar(out, '}');
	return n > 0;
}
