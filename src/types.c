/*
 * types.c
 *	  Input and output of ct_email and ct_phone.
 *
 * ct_email is a varlena holding the normalized address; ct_phone is an
 * int8 holding the E.164 digits (country code first, never a leading 0).
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "compat.h"
#include "normalize.h"
#include "phone.h"
#include "types.h"

PG_FUNCTION_INFO_V1(ct_email_in);
PG_FUNCTION_INFO_V1(ct_email_out);
PG_FUNCTION_INFO_V1(ct_email_recv);
PG_FUNCTION_INFO_V1(ct_email_send);
PG_FUNCTION_INFO_V1(ct_email_text);
PG_FUNCTION_INFO_V1(ct_normalize_email_sql);
PG_FUNCTION_INFO_V1(ct_phone_in);
PG_FUNCTION_INFO_V1(ct_phone_out);
PG_FUNCTION_INFO_V1(ct_phone_recv);
PG_FUNCTION_INFO_V1(ct_phone_send);
PG_FUNCTION_INFO_V1(ct_normalize_phone_sql);
PG_FUNCTION_INFO_V1(ct_phone_region_supported_sql);

/* Normalize an email into a new ct_email datum, or NULL when invalid. */
text *
ct_email_make(const char *s, size_t len)
{
	char		stackbuf[CT_EMAIL_MAX_LEN + 2];
	char	   *buf;
	int			n;
	text	   *result;

	/* anything much longer cannot trim down to a valid address cheaply */
	if (len > CT_EMAIL_MAX_LEN)
		buf = palloc(len + 1);
	else
		buf = stackbuf;
	n = ct_normalize_email(s, len, buf);
	if (n < 0)
		return NULL;
	result = cstring_to_text_with_len(buf, n);
	if (buf != stackbuf)
		pfree(buf);
	return result;
}

/* Raise the invalid-input error of a type, quoting the value. */
static void
ct_invalid_input(const char *type, const char *s, size_t len, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%.*s\"", type,
					(int) Min(len, 300), s),
			 detail ? errdetail("%s", detail) : 0));
}

/* ct_email input: normalize or reject. */
Datum
ct_email_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	size_t		len = strlen(s);
	text	   *t = ct_email_make(s, len);

	if (t == NULL)
		ct_invalid_input("ct_email", s, len,
						 "An email address is local@domain.tld, at most 254 bytes.");
	PG_RETURN_TEXT_P(t);
}

/* ct_email output: the stored, normalized text. */
Datum
ct_email_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(TextDatumGetCString(PG_GETARG_DATUM(0)));
}

/* ct_email binary input: text, validated like the text input. */
Datum
ct_email_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes;
	char	   *str = pq_getmsgtext(buf, buf->len - buf->cursor, &nbytes);
	text	   *t = ct_email_make(str, nbytes);

	if (t == NULL)
		ct_invalid_input("ct_email", str, nbytes, NULL);
	PG_RETURN_TEXT_P(t);
}

/* ct_email binary output: the text bytes. */
Datum
ct_email_send(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * ct_email -> text: the same bytes.  A function rather than a binary cast:
 * PostgreSQL 18 plans a LIKE prefix on a binary cast as if on the column
 * under it, and asks an index on ct_email for a collation it does not have.
 */
Datum
ct_email_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(PG_GETARG_TEXT_PP(0));
}

/* SQL ct_normalize_email(text): the import's normalization, NULL if invalid. */
Datum
ct_normalize_email_sql(PG_FUNCTION_ARGS)
{
	text	   *in = PG_GETARG_TEXT_PP(0);
	text	   *t = ct_email_make(VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));

	if (t == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(t);
}

/* Normalize a phone; CT_PHONE_INTERNAL becomes an error, not "invalid". */
CtPhoneResult
ct_phone_parse(const char *s, size_t len, const char *region, int64 *e164)
{
	char		out[CT_PHONE_E164_BUFSIZE];
	int64_t		v = 0;
	CtPhoneResult r = ct_phone_normalize(s, len, region, out, &v);

	if (r == CT_PHONE_INTERNAL)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("libphonenumber failed to parse a phone number")));
	*e164 = (int64) v;
	return r;
}

/* Format an E.164 int8 as "+digits" into buf (CT_PHONE_E164_BUFSIZE). */
int
ct_phone_format(int64 e164, char *buf)
{
	return snprintf(buf, CT_PHONE_E164_BUFSIZE, "+" INT64_FORMAT, e164);
}

/* ct_phone input: international numbers only ("+..."). */
Datum
ct_phone_in(PG_FUNCTION_ARGS)
{
	char	   *s = PG_GETARG_CSTRING(0);
	size_t		len = strlen(s);
	int64		v;

	switch (ct_phone_parse(s, len, NULL, &v))
	{
		case CT_PHONE_OK:
			PG_RETURN_INT64(v);
		case CT_PHONE_NO_REGION:
			ct_invalid_input("ct_phone", s, len,
							 "A national number needs a country: use ctaudience.ct_normalize_phone(number, country).");
			break;
		default:
			ct_invalid_input("ct_phone", s, len,
							 "libphonenumber does not recognize it as a valid phone number.");
	}
	PG_RETURN_NULL();
}

/* ct_phone output: "+" and the digits. */
Datum
ct_phone_out(PG_FUNCTION_ARGS)
{
	char		buf[CT_PHONE_E164_BUFSIZE];

	ct_phone_format(PG_GETARG_INT64(0), buf);
	PG_RETURN_CSTRING(pstrdup(buf));
}

/* ct_phone binary input: an int8, validated again. */
Datum
ct_phone_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		v = pq_getmsgint64(buf);
	char		txt[CT_PHONE_E164_BUFSIZE];
	int64		check;

	if (v < 10000000 || v > INT64CONST(999999999999999))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type ct_phone: " INT64_FORMAT, v)));
	ct_phone_format(v, txt);
	if (ct_phone_parse(txt, strlen(txt), NULL, &check) != CT_PHONE_OK || check != v)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type ct_phone: %s", txt)));
	PG_RETURN_INT64(v);
}

/* ct_phone binary output: the int8. */
Datum
ct_phone_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, PG_GETARG_INT64(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Copy an ISO country argument into a NUL-terminated upper-case buffer. */
static bool
ct_region_arg(text *t, char *buf)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (len != 2)
		return false;
	for (int i = 0; i < 2; i++)
	{
		char		c = s[i];

		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c < 'A' || c > 'Z')
			return false;
		buf[i] = c;
	}
	buf[2] = '\0';
	return true;
}

/* SQL ct_normalize_phone(number, default_country): NULL when invalid. */
Datum
ct_normalize_phone_sql(PG_FUNCTION_ARGS)
{
	text	   *num;
	char		region[3];
	bool		has_region = false;
	int64		v;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	num = PG_GETARG_TEXT_PP(0);
	if (!PG_ARGISNULL(1))
	{
		if (!ct_region_arg(PG_GETARG_TEXT_PP(1), region) ||
			!ct_phone_region_supported(region))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown country \"%s\"", text_to_cstring(PG_GETARG_TEXT_PP(1))),
					 errhint("Use an ISO 3166-1 alpha-2 code such as US, GB or IN.")));
		has_region = true;
	}
	if (ct_phone_parse(VARDATA_ANY(num), VARSIZE_ANY_EXHDR(num),
					   has_region ? region : NULL, &v) != CT_PHONE_OK)
		PG_RETURN_NULL();
	PG_RETURN_INT64(v);
}

/* SQL ct_phone_region_supported(region). */
Datum
ct_phone_region_supported_sql(PG_FUNCTION_ARGS)
{
	char		region[3];

	if (!ct_region_arg(PG_GETARG_TEXT_PP(0), region))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(ct_phone_region_supported(region) != 0);
}
