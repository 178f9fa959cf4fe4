/*-------------------------------------------------------------------------
 *
 * jsonwalk.c
 *	  A fast walk over JSON text that calls the semantic actions of
 *	  PostgreSQL's pg_parse_json in the same order with the same arguments.
 *
 * PostgreSQL 15's lexer appends a string's characters one call at a time
 * and re-dispatches on every token.  This walker scans strings in a tight loop,
 * copies a token once, and keeps its nesting in a small array instead of
 * recursing.  It accepts exactly the texts pg_parse_json accepts (RFC 8259
 * JSON, PostgreSQL's number and literal rules) and calls the same actions:
 * object_start, object_field_start(name, isnull), the value's actions,
 * object_field_end, ..., object_end; array_element_start/end around each
 * element; scalar(value, token type) with a palloc'd copy (a string
 * de-escaped, \u escapes and surrogate pairs as UTF-8, anything else as
 * written).  What it does not do itself -- \u escapes in a database whose
 * encoding is not UTF-8, which need the server's conversion, and nesting
 * deeper than CT_WALK_MAX_DEPTH, which needs the stack check -- it reports
 * as CT_WALK_UNSUPPORTED so that the caller runs pg_parse_json instead.
 *
 * On invalid text some actions may run that pg_parse_json would not have
 * run before failing (it calls scalar and the end actions only after
 * reading the next token): callers discard what the actions built.
 *
 * When a text is not JSON, ct_json_error_path names the JSON path of the
 * value where pg_parse_json failed, which its actions cannot tell.
 *
 * test/unit/test_jsonwalk.c compares the walk with pg_parse_json (the copy
 * in libpgcommon) action by action on hand-written and generated texts,
 * and checks the error paths.
 *
 * Builds for the backend and, with FRONTEND defined, for the unit tests.
 *
 *-------------------------------------------------------------------------
 */
#ifdef FRONTEND
#include "postgres_fe.h"
#else
#include "postgres.h"
#endif

#include "compat.h"
#include "jsonwalk.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"

typedef struct CtWalkFrame
{
	bool		object;
	bool		isnull;			/* the current member's / element's value is
								 * null */
	char	   *fname;			/* the current member's name (objects) */
} CtWalkFrame;

/* PostgreSQL's JSON_ALPHANUMERIC_CHAR: what a bare word or number runs on */
#define CT_ALNUM(c) \
	(((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') || \
	 ((c) >= '0' && (c) <= '9') || (c) == '_' || IS_HIGHBIT_SET(c))

static inline const char *
ct_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* Whether the value at p lexes as the literal null. */
static inline bool
ct_at_null(const char *p, const char *end)
{
	return end - p >= 4 && memcmp(p, "null", 4) == 0 && (end - p == 4 || !CT_ALNUM(p[4]));
}

/* The value of the 4 hex digits at p, or -1. */
static inline int
ct_hex4(const char *p)
{
	int			v = 0;

	for (int i = 0; i < 4; i++)
	{
		char		c = p[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
	}
	return v;
}

/*
 * Check the escapes of the string from start up to its closing quote,
 * as json_lex_string does with need_escapes: \u must be four hex digits, a
 * high surrogate must be followed at once by a low one and a low one must
 * follow a high one, and \u0000 is refused.  *pp is set to the closing quote.
 */
static CtWalkResult
ct_check_escapes(const char *start, const char *end, bool utf8, const char **pp)
{
	const char *p = start;
	bool		high = false;	/* a high surrogate waits for its low half */

	for (;; p++)
	{
		if (p >= end || (unsigned char) *p < 0x20)
			return CT_WALK_INVALID;
		if (*p == '"')
			break;
		if (*p != '\\')
		{
			if (high)
				return CT_WALK_INVALID;
			continue;
		}
		if (++p >= end)
			return CT_WALK_INVALID;
		if (*p == 'u')
		{
			int			ch;

			if (end - p < 5 || (ch = ct_hex4(p + 1)) < 0)
				return CT_WALK_INVALID;
			p += 4;
			if (!utf8)
				return CT_WALK_UNSUPPORTED; /* a conversion the server must do */
			if (ch >= 0xD800 && ch <= 0xDBFF)
			{
				if (high)
					return CT_WALK_INVALID;
				high = true;
				continue;
			}
			if (ch >= 0xDC00 && ch <= 0xDFFF)
			{
				if (!high)
					return CT_WALK_INVALID;
				high = false;
				continue;
			}
			if (high || ch == 0)
				return CT_WALK_INVALID;
			continue;
		}
		if (high || strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
			return CT_WALK_INVALID;
	}
	if (high)
		return CT_WALK_INVALID;
	*pp = p;
	return CT_WALK_OK;
}

/*
 * The string whose opening quote is at *pp: on return *pp is past its
 * closing quote and, when out is not NULL, *out its de-escaped palloc'd
 * value (\u escapes as UTF-8).
 */
static CtWalkResult
ct_walk_string(const char **pp, const char *end, bool utf8, char **out)
{
	const char *start = *pp + 1;
	const char *p = start;
	char	   *v,
			   *d;

	/* the common case: no escapes */
	while (p < end && *p != '"' && *p != '\\' && (unsigned char) *p >= 0x20)
		p++;
	if (p < end && *p == '"')
	{
		*pp = p + 1;
		if (out != NULL)
		{
			v = palloc(p - start + 1);
			memcpy(v, start, p - start);
			v[p - start] = '\0';
			*out = v;
		}
		return CT_WALK_OK;
	}
	if (p >= end || *p != '\\')
		return CT_WALK_INVALID;

	/* escapes: check them all, then decode (never longer than the text) */
	{
		CtWalkResult r = ct_check_escapes(p, end, utf8, &p);

		if (r != CT_WALK_OK)
			return r;
	}
	*pp = p + 1;
	if (out == NULL)
		return CT_WALK_OK;
	v = d = palloc(p - start + 1);
	for (const char *s = start; s < p; s++)
	{
		int			ch;

		if (*s != '\\')
		{
			*d++ = *s;
			continue;
		}
		switch (*++s)
		{
			case 'b':
				*d++ = '\b';
				break;
			case 'f':
				*d++ = '\f';
				break;
			case 'n':
				*d++ = '\n';
				break;
			case 'r':
				*d++ = '\r';
				break;
			case 't':
				*d++ = '\t';
				break;
			case 'u':
				ch = ct_hex4(s + 1);
				s += 4;
				if (ch >= 0xD800 && ch <= 0xDBFF)
				{
					/* checked: \uDCxx follows */
					ch = surrogate_pair_to_codepoint(ch, ct_hex4(s + 3));
					s += 6;
				}
				unicode_to_utf8(ch, (unsigned char *) d);
				d += pg_utf_mblen((unsigned char *) d);
				break;
			default:			/* " \ / */
				*d++ = *s;
				break;
		}
	}
	*d = '\0';
	*out = v;
	return CT_WALK_OK;
}

/* The end of the number at p (PostgreSQL's json_lex_number), or NULL. */
static const char *
ct_walk_number(const char *p, const char *end)
{
	bool		bad = false;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
	{
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	else
		bad = true;
	if (p < end && *p == '.')
	{
		p++;
		if (p == end || *p < '0' || *p > '9')
			bad = true;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || *p < '0' || *p > '9')
			bad = true;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	/* trailing letters or digits make it one invalid token */
	if (p < end && CT_ALNUM(*p))
		bad = true;
	return bad ? NULL : p;
}

/* A scalar value at *pp: lexed, and handed to the scalar action if any. */
static CtWalkResult
ct_walk_scalar(const char **pp, const char *end, bool utf8, JsonSemAction *sem)
{
	const char *p = *pp;
	const char *e;
	JsonTokenType type;
	char	   *val = NULL;

	if (*p == '"')
	{
		CtWalkResult r = ct_walk_string(pp, end, utf8, sem->scalar ? &val : NULL);

		if (r == CT_WALK_OK && sem->scalar)
			sem->scalar(sem->semstate, val, JSON_TOKEN_STRING);
		return r;
	}
	if (*p == '-' || (*p >= '0' && *p <= '9'))
	{
		e = ct_walk_number(p, end);
		if (e == NULL)
			return CT_WALK_INVALID;
		type = JSON_TOKEN_NUMBER;
	}
	else
	{
		for (e = p; e < end && CT_ALNUM(*e); e++)
			;
		if (e - p == 4 && memcmp(p, "true", 4) == 0)
			type = JSON_TOKEN_TRUE;
		else if (e - p == 4 && memcmp(p, "null", 4) == 0)
			type = JSON_TOKEN_NULL;
		else if (e - p == 5 && memcmp(p, "false", 5) == 0)
			type = JSON_TOKEN_FALSE;
		else
			return CT_WALK_INVALID;
	}
	*pp = e;
	if (sem->scalar)
	{
		val = palloc(e - p + 1);
		memcpy(val, p, e - p);
		val[e - p] = '\0';
		sem->scalar(sem->semstate, val, type);
	}
	return CT_WALK_OK;
}

/*
 * Walk json[0..len-1], calling sem's actions as pg_parse_json would.  On
 * CT_WALK_INVALID or CT_WALK_UNSUPPORTED some actions may have been called.
 */
CtWalkResult
ct_json_walk(const char *json, int len, int encoding, JsonSemAction *sem)
{
	bool		utf8 = (encoding == PG_UTF8);
	const char *p = json;
	const char *end = json + len;
	CtWalkFrame stack[CT_WALK_MAX_DEPTH];
	int			depth = 0;
	CtWalkFrame *f;
	CtWalkResult r;
	char	   *fname;

	p = ct_skip_ws(p, end);

value:
	/* a value starts at p */
	if (p >= end)
		return CT_WALK_INVALID;
	if (*p == '{' || *p == '[')
	{
		bool		object = (*p == '{');

		if (depth == CT_WALK_MAX_DEPTH)
			return CT_WALK_UNSUPPORTED;
		if (object ? sem->object_start != NULL : sem->array_start != NULL)
			(object ? sem->object_start : sem->array_start) (sem->semstate);
		p = ct_skip_ws(p + 1, end);
		if (p < end && *p == (object ? '}' : ']'))
		{
			p++;
			if (object ? sem->object_end != NULL : sem->array_end != NULL)
				(object ? sem->object_end : sem->array_end) (sem->semstate);
			goto after_value;
		}
		f = &stack[depth++];
		f->object = object;
		f->fname = NULL;
		if (object)
			goto member;
		goto element;
	}
	r = ct_walk_scalar(&p, end, utf8, sem);
	if (r != CT_WALK_OK)
		return r;
	goto after_value;

member:
	/* an object member starts at p: "name" : value */
	if (p >= end || *p != '"')
		return CT_WALK_INVALID;
	fname = NULL;
	r = ct_walk_string(&p, end, utf8,
					   (sem->object_field_start || sem->object_field_end) ? &fname : NULL);
	if (r != CT_WALK_OK)
		return r;
	p = ct_skip_ws(p, end);
	if (p >= end || *p != ':')
		return CT_WALK_INVALID;
	p = ct_skip_ws(p + 1, end);
	f->fname = fname;
	f->isnull = ct_at_null(p, end);
	if (sem->object_field_start)
		sem->object_field_start(sem->semstate, fname, f->isnull);
	goto value;

element:
	/* an array element starts at p */
	f->isnull = ct_at_null(p, end);
	if (sem->array_element_start)
		sem->array_element_start(sem->semstate, f->isnull);
	goto value;

after_value:
	/* a value ended before p */
	if (depth == 0)
		return ct_skip_ws(p, end) == end ? CT_WALK_OK : CT_WALK_INVALID;
	f = &stack[depth - 1];
	if (f->object)
	{
		if (sem->object_field_end)
			sem->object_field_end(sem->semstate, f->fname, f->isnull);
	}
	else if (sem->array_element_end)
		sem->array_element_end(sem->semstate, f->isnull);
	p = ct_skip_ws(p, end);
	if (p >= end)
		return CT_WALK_INVALID;
	if (*p == ',')
	{
		p = ct_skip_ws(p + 1, end);
		if (f->object)
			goto member;
		goto element;
	}
	if (*p != (f->object ? '}' : ']'))
		return CT_WALK_INVALID;
	p++;
	depth--;
	if (f->object ? sem->object_end != NULL : sem->array_end != NULL)
		(f->object ? sem->object_end : sem->array_end) (sem->semstate);
	goto after_value;
}

/*
 * Where a token of the text begins: the state of the walk over the tokens
 * before it (ct_json_error_path).
 */
typedef enum CtExpect
{
	CT_EXPECT_VALUE,			/* a value: the text's, a member's, an element */
	CT_EXPECT_NAME,				/* a member name (or the object's end) */
	CT_EXPECT_COLON,			/* the colon after a member name */
	CT_EXPECT_NEXT				/* a comma or the end, after a value */
} CtExpect;

/* One open object or array: its current member's name or element's index. */
typedef struct CtPathFrame
{
	bool		object;
	char	   *name;			/* objects: NULL before the first member */
	int			index;			/* arrays */
} CtPathFrame;

/* Append a member name to a path, at most 64 bytes of it, whole characters. */
static void
ct_path_append_name(StringInfo path, const char *name, int encoding)
{
	int			len = 0;
	int			n = (int) strlen(name);

	while (len < n)
	{
		int			l = pg_encoding_mblen(encoding, name + len);

		if (len + l > 64)
			break;
		len += l;
	}
	appendStringInfo(path, "%s%.*s", path->len > 0 ? "." : "", Min(len, n), name);
}

/*
 * The JSON path of the value that the token at byte offset begins: the
 * token pg_parse_json failed on, lex a fresh lexer over the same text.  The
 * tokens before it are lexed again (they lexed then, so they do now) and
 * followed as a stack of objects and arrays: a token where a value is
 * expected names that value (a member's name, an element's index, counted
 * from 0), one that follows a value names the value it follows, and one
 * where a member name is expected names the object, with *in_name set.
 * pg_parse_json's own actions cannot tell this: it reads the next token
 * before it announces the member or element it belongs to.  palloc'd; ""
 * for the text's own value.
 */
char *
ct_json_error_path(JsonLexContext *lex, int offset, int encoding, bool *in_name)
{
	CtPathFrame *stack = NULL;
	int			depth = 0,
				cap = 0;
	CtExpect	expect = CT_EXPECT_VALUE;
	StringInfoData path;

	for (;;)
	{
		CtPathFrame *f;

		if (json_lex(lex) != JSON_SUCCESS || lex->token_type == JSON_TOKEN_END ||
			lex->token_start - lex->input >= offset)
			break;
		f = depth > 0 ? &stack[depth - 1] : NULL;
		switch (lex->token_type)
		{
			case JSON_TOKEN_OBJECT_START:
			case JSON_TOKEN_ARRAY_START:
				if (depth == cap)
				{
					cap = Max(16, cap * 2);
					stack = stack ? repalloc(stack, cap * sizeof(CtPathFrame)) :
						palloc(cap * sizeof(CtPathFrame));
				}
				f = &stack[depth++];
				f->object = (lex->token_type == JSON_TOKEN_OBJECT_START);
				f->name = NULL;
				f->index = 0;
				expect = f->object ? CT_EXPECT_NAME : CT_EXPECT_VALUE;
				break;
			case JSON_TOKEN_OBJECT_END:
			case JSON_TOKEN_ARRAY_END:

				/*
				 * pg_parse_json failed at a closer without an opener, if any:
				 * the stack never goes below its bottom
				 */
				if (depth > 0)
				{
					depth--;
					if (stack[depth].name != NULL)
						pfree(stack[depth].name);
				}
				expect = CT_EXPECT_NEXT;
				break;
			case JSON_TOKEN_STRING:
				if (expect == CT_EXPECT_NAME)
				{
					const char *p = lex->token_start;
					char	   *name = NULL;

					/* as the walker reads it; in other encodings, as written */
					if (ct_walk_string(&p, lex->token_terminator, encoding == PG_UTF8,
									   &name) != CT_WALK_OK)
						name = pnstrdup(lex->token_start + 1,
										lex->token_terminator - lex->token_start - 2);
					if (f->name != NULL)
						pfree(f->name);
					f->name = name;
					expect = CT_EXPECT_COLON;
				}
				else
					expect = CT_EXPECT_NEXT;
				break;
			case JSON_TOKEN_COLON:
				expect = CT_EXPECT_VALUE;
				break;
			case JSON_TOKEN_COMMA:
				if (f != NULL && f->object)
					expect = CT_EXPECT_NAME;
				else
				{
					if (f != NULL)
						f->index++;
					expect = CT_EXPECT_VALUE;
				}
				break;
			default:			/* a number, true, false, null */
				expect = CT_EXPECT_NEXT;
				break;
		}
	}

	*in_name = (depth > 0 && expect == CT_EXPECT_NAME);
	initStringInfo(&path);
	for (int i = 0; i < depth; i++)
	{
		if (!stack[i].object)
			appendStringInfo(&path, "[%d]", stack[i].index);
		else if (i < depth - 1 || !*in_name)
			ct_path_append_name(&path, stack[i].name ? stack[i].name : "", encoding);
	}
	for (int i = 0; i < depth; i++)
		if (stack[i].name != NULL)
			pfree(stack[i].name);
	if (stack != NULL)
		pfree(stack);
	return path.data;
}

/* Whether a string token (its start and end, or NULLs) is s, as written. */
static inline bool
ct_token_is(const char *const token[2], const char *s)
{
	size_t		n = strlen(s);

	return token[0] != NULL && token[1] - token[0] == (ptrdiff_t) n + 2 &&
		memcmp(token[0] + 1, s, n) == 0;
}

/* See jsonwalk.h. */
bool
ct_json_peek_id(char *json, int len, int encoding, int max_bytes,
				const char **account_id, int *account_len, const char **id, int *id_len)
{
	JsonLexContext *lex = ct_json_lexer(json, len, encoding);
	bool		found = false;
	const char *key[4][2] = {{0}};	/* the member being read at depths 1..3 */
	uint64		objects = 0;	/* a bit per depth up to 64: an object */
	int			depth = 0;
	bool		expect_key = false;

	*account_id = *id = NULL;
	*account_len = *id_len = 0;
	while (json_lex(lex) == JSON_SUCCESS && lex->token_type != JSON_TOKEN_END &&
		   lex->token_start - json < max_bytes)
	{
		const char *start = lex->token_start;
		const char *end = lex->token_terminator;

		switch (lex->token_type)
		{
			case JSON_TOKEN_OBJECT_START:
			case JSON_TOKEN_ARRAY_START:
				if (++depth > 64)
					goto done;
				if (lex->token_type == JSON_TOKEN_OBJECT_START)
					objects |= UINT64CONST(1) << (depth - 1);
				else
					objects &= ~(UINT64CONST(1) << (depth - 1));
				if (depth <= 3)
					key[depth][0] = key[depth][1] = NULL;
				expect_key = (lex->token_type == JSON_TOKEN_OBJECT_START);
				break;
			case JSON_TOKEN_OBJECT_END:
			case JSON_TOKEN_ARRAY_END:

				/*
				 * a closer without its opener: not JSON (the lexer alone does
				 * not check nesting), and key[] has no depth below 0
				 */
				if (--depth < 0)
					goto done;
				expect_key = false;
				break;
			case JSON_TOKEN_COMMA:
				expect_key = depth > 0 && (objects & (UINT64CONST(1) << (depth - 1)));
				break;
			case JSON_TOKEN_STRING:
				if (expect_key)
				{
					if (depth <= 3)
					{
						key[depth][0] = start;
						key[depth][1] = end;
					}
					expect_key = false;
					break;
				}
				if (memchr(start, '\\', end - start) != NULL)
					break;
				if (depth == 1 && *id == NULL && ct_token_is(key[1], "id"))
				{
					*id = start + 1;
					*id_len = end - start - 2;
				}
				else if (depth == 3 && *account_id == NULL && ct_token_is(key[1], "account") &&
						 ct_token_is(key[2], "account_settings") && ct_token_is(key[3], "accountId"))
				{
					*account_id = start + 1;
					*account_len = end - start - 2;
				}
				if (*id != NULL && *account_id != NULL)
				{
					found = true;
					goto done;
				}
				break;
			default:
				break;
		}
	}
done:
	ct_json_lexer_free(lex);
	return found;
}
