/*
 * normalize.c
 *	  Email, identity and CleverTap ID checks.
 *
 * Pure C99 over libc only: no postgres.h, so the rules can be unit-tested
 * and fuzzed outside a backend (test/unit).  Character classes are written
 * out for ASCII by hand rather than taken from <ctype.h>, whose answers
 * depend on the locale: an address must not be valid in one database and
 * invalid in another.  Nothing here allocates; these functions run once per
 * imported user.
 */
#include "normalize.h"

#include <string.h>

/* RFC 5321 limit on the local part, in bytes. */
#define CT_EMAIL_LOCAL_MAX_LEN 64
/* RFC 1035 limit on one domain label, in bytes. */
#define CT_EMAIL_LABEL_MAX_LEN 63

/* True for the ASCII whitespace we trim: space, \t, \n, \v, \f, \r. */
static inline bool
ct_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* True for ASCII letters A-Z and a-z. */
static inline bool
ct_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* True for ASCII digits 0-9. */
static inline bool
ct_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Lower-case one ASCII letter; every other byte (UTF-8 included) is kept. */
static inline unsigned char
ct_to_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c + ('a' - 'A')) : c;
}

/*
 * Narrow [*s, *s + *len) to its content without leading and trailing ASCII
 * whitespace.
 */
static inline void
ct_trim(const char **s, size_t *len)
{
	const unsigned char *p = (const unsigned char *) *s;
	size_t		n = *len;

	while (n > 0 && ct_is_space(p[0]))
	{
		p++;
		n--;
	}
	while (n > 0 && ct_is_space(p[n - 1]))
		n--;
	*s = (const char *) p;
	*len = n;
}

/*
 * Length of the well-formed UTF-8 sequence starting at p (at most avail
 * bytes), or 0 when it is not one.  Follows the table of well-formed byte
 * sequences in Unicode 15 section 3.9 (table 3-7), so overlong forms,
 * surrogates (U+D800..U+DFFF) and code points above U+10FFFF are refused
 * by the second byte's range, without decoding.
 */
static size_t
ct_utf8_seq_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	size_t		n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;			/* surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;			/* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;			/* above U+10FFFF */
	}
	else
		return 0;				/* continuation byte, C0, C1 or F5..FF */

	if (avail < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
	{
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	}
	return n;
}

/* True for RFC 5322 atext (after lower-casing, so no A-Z needed here). */
static inline bool
ct_is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || ct_is_digit(c))
		return true;
	switch (c)
	{
		case '!':
		case '#':
		case '$':
		case '%':
		case '&':
		case '\'':
		case '*':
		case '+':
		case '-':
		case '/':
		case '=':
		case '?':
		case '^':
		case '_':
		case '`':
		case '{':
		case '|':
		case '}':
		case '~':
			return true;
		default:
			return false;
	}
}

/*
 * Check an email local part (dot-atom of atext, plus UTF-8 as RFC 6531
 * allows).  Quoted strings and comments are refused on purpose: nobody
 * types them into a sign-up form, and accepting them would make two
 * spellings of one mailbox.
 */
static bool
ct_email_local_ok(const unsigned char *p, size_t len)
{
	size_t		i = 0;

	if (len == 0 || len > CT_EMAIL_LOCAL_MAX_LEN)
		return false;
	if (p[0] == '.' || p[len - 1] == '.')
		return false;
	while (i < len)
	{
		unsigned char c = p[i];

		if (c == '.')
		{
			if (p[i + 1] == '.')	/* i + 1 < len: last byte is no dot */
				return false;
			i++;
		}
		else if (c < 0x80)
		{
			if (!ct_is_atext(c))
				return false;
			i++;
		}
		else
		{
			size_t		n = ct_utf8_seq_len(p + i, len - i);

			if (n == 0)
				return false;
			i += n;
		}
	}
	return true;
}

/*
 * Check an email domain: two or more dot-separated labels of letters,
 * digits, hyphens or UTF-8 (internationalized names, not yet punycoded),
 * no label starting or ending with a hyphen, and a top-level label of at
 * least two bytes that is not all digits (which rules out dotted IPv4
 * addresses and typos like "user@gmail.c").
 */
static bool
ct_email_domain_ok(const unsigned char *p, size_t len)
{
	size_t		labels = 0;
	size_t		i = 0;

	while (i <= len)
	{
		size_t		start = i;
		bool		all_digits = true;

		/* one label: [start, i) */
		while (i < len && p[i] != '.')
		{
			unsigned char c = p[i];

			if (c >= 0x80)
			{
				size_t		n = ct_utf8_seq_len(p + i, len - i);

				if (n == 0)
					return false;
				all_digits = false;
				i += n;
				continue;
			}
			if (ct_is_digit(c))
				;
			else if ((c >= 'a' && c <= 'z') || c == '-')
				all_digits = false;
			else
				return false;
			i++;
		}
		if (i == start || i - start > CT_EMAIL_LABEL_MAX_LEN)
			return false;
		if (p[start] == '-' || p[i - 1] == '-')
			return false;
		labels++;
		if (i == len)
		{
			/* the top-level label */
			if (labels < 2 || i - start < 2 || all_digits)
				return false;
			return true;
		}
		i++;					/* skip the dot */
	}
	return false;				/* "a@b." : empty last label */
}

/* See normalize.h. */
int
ct_normalize_email(const char *in, size_t len, char *out)
{
	const unsigned char *p;
	unsigned char *o = (unsigned char *) out;
	size_t		at = 0;
	size_t		nat = 0;

	ct_trim(&in, &len);
	if (len == 0 || len > CT_EMAIL_MAX_LEN)
	{
		out[0] = '\0';
		return -1;
	}

	/*
	 * Lower-case into the output first and validate the copy, so the checks
	 * below see exactly the bytes we hand back.
	 */
	p = (const unsigned char *) in;
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = ct_to_lower(p[i]);

		if (c == '@')
		{
			at = i;
			nat++;
		}
		o[i] = c;
	}
	if (nat != 1 ||
		!ct_email_local_ok(o, at) ||
		!ct_email_domain_ok(o + at + 1, len - at - 1))
	{
		out[0] = '\0';
		return -1;
	}
	o[len] = '\0';
	return (int) len;
}

/*
 * The values CleverTap treats as "no identity", lower-case, with their
 * lengths so most inputs are refused on length alone.
 */
static const struct
{
	unsigned char len;
	char text[	10];
}			ct_forbidden_identities[] =

{
	{9, "undefined"},
	{4, "null"},
	{2, "na"},
	{3, "n/a"},
	{1, "0"},
	{3, "nil"},
	{2, "-1"},
	{8, "infinity"},
	{9, "-infinity"},
	{3, "inf"},
	{4, "-inf"},
	{3, "nan"},
	{4, "-nan"},
	{5, "empty"},
	{6, "xxxxxx"},
	{4, "none"},
	{9, "anonymous"},
	{5, "guest"},
};

/* The longest forbidden value, in bytes. */
#define CT_FORBIDDEN_MAX_LEN 9

/* True when the already-trimmed s is a forbidden identity. */
static bool
ct_trimmed_is_forbidden(const char *s, size_t len)
{
	char		lower[CT_FORBIDDEN_MAX_LEN];

	if (len == 0 || len > CT_FORBIDDEN_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		lower[i] = (char) ct_to_lower((unsigned char) s[i]);
	for (size_t k = 0; k < sizeof(ct_forbidden_identities) / sizeof(ct_forbidden_identities[0]); k++)
	{
		if (ct_forbidden_identities[k].len == len &&
			memcmp(ct_forbidden_identities[k].text, lower, len) == 0)
			return true;
	}
	return false;
}

/* See normalize.h. */
bool
ct_identity_is_forbidden(const char *s, size_t len)
{
	ct_trim(&s, &len);
	return ct_trimmed_is_forbidden(s, len);
}

/*
 * Number of UTF-8 code points in s: every byte that is not a continuation
 * byte (10xxxxxx) starts one.  The input is trusted to be valid UTF-8
 * (PostgreSQL text is); on invalid input this still terminates and counts
 * stray lead bytes as characters.
 */
static size_t
ct_utf8_char_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

/* See normalize.h. */
CtIdentityCheck
ct_identity_check(const char *s, size_t len)
{
	const char *t = s;
	size_t		tlen = len;

	ct_trim(&t, &tlen);
	if (tlen == 0)
		return CT_IDENTITY_EMPTY;
	if (ct_trimmed_is_forbidden(t, tlen))
		return CT_IDENTITY_FORBIDDEN;

	/*
	 * A character takes at least one byte, so fewer bytes than the limit
	 * cannot reach it: the common case never counts.
	 */
	if (len >= CT_IDENTITY_MAX_CHARS &&
		ct_utf8_char_count(s, len) >= CT_IDENTITY_MAX_CHARS)
		return CT_IDENTITY_TOO_LONG;
	return CT_IDENTITY_OK;
}

/* True for one byte allowed in a CleverTap ID. */
static inline bool
ct_is_ctid_char(unsigned char c)
{
	if (ct_is_alpha(c) || ct_is_digit(c))
		return true;
	switch (c)
	{
		case '(':
		case ')':
		case '!':
		case ':':
		case '@':
		case '$':
		case '_':
		case '-':
			return true;
		default:
			return false;
	}
}

/* See normalize.h. */
bool
ct_ctid_is_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;

	if (len == 0 || len > CT_CTID_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		if (!ct_is_ctid_char(p[i]))
			return false;
	}
	return true;
}
