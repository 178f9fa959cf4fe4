/*
 * test_normalize.c
 *	  Unit tests for src/normalize.c and src/phone.cpp, outside PostgreSQL.
 *
 * Prints TAP ("ok N - ...", "not ok N - ...", plan at the end) and exits
 * non-zero when any case fails.  With --bench [N] it instead times
 * ct_phone_normalize over N generated numbers; --dump [N] prints those
 * inputs (number TAB region) for benchmarking libphonenumber directly.
 */
/* for clock_gettime() under -std=c99 */
#define _POSIX_C_SOURCE 200809L

#include "normalize.h"
#include "phone.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int	test_count;
static int	test_failures;

/* Record one case and print its TAP line. */
static void
check(bool ok, const char *fmt,...)
{
	va_list		ap;

	test_count++;
	if (!ok)
		test_failures++;
	printf("%s %d - ", ok ? "ok" : "not ok", test_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * Render bytes for a test description: printable ASCII as is, the rest as
 * \xHH, long inputs shortened with their length.
 */
static const char *
show(const char *s, size_t len)
{
	static char bufs[4][160];
	static int	next;
	char	   *buf = bufs[next++ % 4];
	size_t		o = 0;

	for (size_t i = 0; i < len && o < 100; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c >= 0x20 && c < 0x7F && c != '\\')
			buf[o++] = (char) c;
		else
			o += (size_t) sprintf(buf + o, "\\x%02X", c);
	}
	if (o >= 100)
		o += (size_t) sprintf(buf + o, "...(%zu bytes)", len);
	buf[o] = '\0';
	return buf;
}

/* Append n copies of unit to buf at *pos. */
static void
repeat(char *buf, size_t *pos, const char *unit, size_t n)
{
	size_t		ulen = strlen(unit);

	for (size_t i = 0; i < n; i++)
	{
		memcpy(buf + *pos, unit, ulen);
		*pos += ulen;
	}
	buf[*pos] = '\0';
}

/* Expect ct_normalize_email(in) to give expect (NULL: rejected). */
static void
email_case(const char *in, size_t len, const char *expect)
{
	char	   *out = malloc(len + 1);
	int			r = ct_normalize_email(in, len, out);

	if (expect == NULL)
		check(r == -1, "email rejected: \"%s\"", show(in, len));
	else
		check(r == (int) strlen(expect) && strcmp(out, expect) == 0,
			  "email \"%s\" -> \"%s\"%s", show(in, len), show(expect, strlen(expect)),
			  r < 0 ? " (was rejected)" : "");
	free(out);
}

#define EMAIL_OK(in, expect) email_case((in), strlen(in), (expect))
#define EMAIL_BAD(in) email_case((in), strlen(in), NULL)

/* The email cases. */
static void
test_email(void)
{
	char		buf[600];
	char		expect[600];
	size_t		n;

	EMAIL_OK("user@example.com", "user@example.com");
	EMAIL_OK("  User.Name+Tag@Example.COM \t\r\n\v\f", "user.name+tag@example.com");
	EMAIL_OK("a@b.co", "a@b.co");
	EMAIL_OK("!#$%&'*+/=?^_`{|}~-@example.com", "!#$%&'*+/=?^_`{|}~-@example.com");
	EMAIL_OK("first.middle.last@mail.sub.example.org", "first.middle.last@mail.sub.example.org");
	EMAIL_OK("x@123.example.c0m", "x@123.example.c0m");
	EMAIL_OK("x@my-domain.example", "x@my-domain.example");
	EMAIL_OK("ALLCAPS@EXAMPLE.COM", "allcaps@example.com");
	/* UTF-8: kept as is, only ASCII letters are lower-cased */
	EMAIL_OK("Jos\xC3\xA9@Example.com", "jos\xC3\xA9@example.com");
	EMAIL_OK("\xC3\x84Rger@example.com", "\xC3\x84rger@example.com");
	EMAIL_OK("\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A",
			 "\xE7\x94\xA8\xE6\x88\xB7@\xE4\xBE\x8B\xE5\xAD\x90.\xE5\xB9\xBF\xE5\x91\x8A");
	EMAIL_OK("\xF0\x9F\x98\x80@example.com", "\xF0\x9F\x98\x80@example.com");
	EMAIL_OK("\xE0\xA0\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF@example.com",
			 "\xE0\xA0\x80\xEF\xBF\xBF\xF4\x8F\xBF\xBF@example.com");

	/* syntax errors */
	EMAIL_BAD("");
	EMAIL_BAD(" \t\n ");
	EMAIL_BAD("userexample.com");
	EMAIL_BAD("user@@example.com");
	EMAIL_BAD("user@mail@example.com");
	EMAIL_BAD("@example.com");
	EMAIL_BAD("user@");
	EMAIL_BAD(".user@example.com");
	EMAIL_BAD("user.@example.com");
	EMAIL_BAD("us..er@example.com");
	EMAIL_BAD("user@example");
	EMAIL_BAD("user@.example.com");
	EMAIL_BAD("user@example.com.");
	EMAIL_BAD("user@example..com");
	EMAIL_BAD("user@-example.com");
	EMAIL_BAD("user@example-.com");
	EMAIL_BAD("user@example.c");
	EMAIL_BAD("user@192.168.0.1");
	EMAIL_BAD("user@[192.168.0.1]");
	EMAIL_BAD("\"john\"@example.com");
	EMAIL_BAD("john(comment)@example.com");
	EMAIL_BAD("jo hn@example.com");
	EMAIL_BAD("john@exa mple.com");
	EMAIL_BAD("jo\thn@example.com");
	EMAIL_BAD("jo\x01hn@example.com");
	EMAIL_BAD("john@exam_ple.com");
	EMAIL_BAD("john@example.com\x7F");
	EMAIL_BAD("jo,hn@example.com");
	email_case("jo\0hn@example.com", 17, NULL);
	email_case("john@example.com\0", 17, NULL);

	/* invalid UTF-8 */
	EMAIL_BAD("\x80@example.com");
	EMAIL_BAD("\xC0\xAF@example.com");
	EMAIL_BAD("\xC1\xBF@example.com");
	EMAIL_BAD("\xE0\x80\xAF@example.com");
	EMAIL_BAD("\xF0\x80\x80\xAF@example.com");
	EMAIL_BAD("\xED\xA0\x80@example.com");
	EMAIL_BAD("\xF4\x90\x80\x80@example.com");
	EMAIL_BAD("\xF5\x80\x80\x80@example.com");
	EMAIL_BAD("ab\xC3@example.com");
	EMAIL_BAD("ab\xE2\x82@example.com");
	EMAIL_BAD("\xFF@example.com");
	EMAIL_BAD("user@exampl\xC3.com");
	EMAIL_BAD("user@example.co\xE2\x82");

	/* local part: 64 bytes accepted, 65 not */
	n = 0;
	repeat(buf, &n, "a", 64);
	repeat(buf, &n, "@example.com", 1);
	EMAIL_OK(buf, buf);
	n = 0;
	repeat(buf, &n, "a", 65);
	repeat(buf, &n, "@example.com", 1);
	EMAIL_BAD(buf);

	/* domain label: 63 bytes accepted, 64 not */
	n = 0;
	repeat(buf, &n, "u@", 1);
	repeat(buf, &n, "d", 63);
	repeat(buf, &n, ".com", 1);
	EMAIL_OK(buf, buf);
	n = 0;
	repeat(buf, &n, "u@", 1);
	repeat(buf, &n, "d", 64);
	repeat(buf, &n, ".com", 1);
	EMAIL_BAD(buf);

	/* whole address: 254 bytes accepted (even padded), 255 not */
	n = 0;
	repeat(buf, &n, "a", 64);
	repeat(buf, &n, "@", 1);
	repeat(buf, &n, "b", 63);
	repeat(buf, &n, ".", 1);
	repeat(buf, &n, "c", 63);
	repeat(buf, &n, ".", 1);
	repeat(buf, &n, "d", 57);
	repeat(buf, &n, ".com", 1);
	check(n == 254, "254-byte address built");
	EMAIL_OK(buf, buf);
	strcpy(expect, buf);
	n = 0;
	repeat(buf, &n, "  \t", 1);
	repeat(buf, &n, expect, 1);
	repeat(buf, &n, " \n", 1);
	EMAIL_OK(buf, expect);
	n = 0;
	repeat(buf, &n, "A", 64);
	repeat(buf, &n, "@", 1);
	repeat(buf, &n, "b", 63);
	repeat(buf, &n, ".", 1);
	repeat(buf, &n, "c", 63);
	repeat(buf, &n, ".", 1);
	repeat(buf, &n, "d", 58);
	repeat(buf, &n, ".com", 1);
	check(n == 255, "255-byte address built");
	EMAIL_BAD(buf);
}

/* Expect ct_identity_check(in) == expect. */
static void
identity_case(const char *in, size_t len, CtIdentityCheck expect, const char *what)
{
	CtIdentityCheck r = ct_identity_check(in, len);

	check(r == expect, "identity \"%s\" is %s (got %d)", show(in, len), what, (int) r);
}

/* The identity cases. */
static void
test_identity(void)
{
	static const char *const forbidden[] = {
		"undefined", "null", "na", "n/a", "0", "nil", "-1", "infinity",
		"-infinity", "inf", "-inf", "nan", "-nan", "empty", "xxxxxx", "none",
		"anonymous", "guest"
	};
	static const char *const allowed[] = {
		"nulll", "nul", "0.0", "00", "-0", "xxxxx", "xxxxxxx", "n / a",
		"guests", "-infinityy", "1", "nan1", "\xC2\xA0null", "null\xC2\xA0",
		"undefine"
	};
	char	   *buf = malloc(8192);
	size_t		n;

	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
	{
		char		mixed[32];
		size_t		len = strlen(forbidden[i]);

		/* alternate case, then surround with ASCII whitespace */
		n = 0;
		repeat(mixed, &n, " \t", 1);
		for (size_t k = 0; k < len; k++)
		{
			char		c = forbidden[i][k];

			mixed[n++] = (k % 2 == 0 && c >= 'a' && c <= 'z') ? (char) (c - 32) : c;
		}
		repeat(mixed, &n, "\r\n ", 1);
		check(ct_identity_is_forbidden(mixed, n) &&
			  ct_identity_is_forbidden(forbidden[i], len) &&
			  ct_identity_check(mixed, n) == CT_IDENTITY_FORBIDDEN,
			  "identity \"%s\" forbidden", show(mixed, n));
	}
	/* all upper case too */
	check(ct_identity_is_forbidden("ANONYMOUS", 9) && ct_identity_is_forbidden("N/A", 3) &&
		  ct_identity_is_forbidden("-INF", 4), "upper-case forbidden values");
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
	{
		size_t		len = strlen(allowed[i]);

		check(!ct_identity_is_forbidden(allowed[i], len) &&
			  ct_identity_check(allowed[i], len) == CT_IDENTITY_OK,
			  "identity \"%s\" allowed", show(allowed[i], len));
	}

	identity_case("", 0, CT_IDENTITY_EMPTY, "empty");
	identity_case(" \t\r\n\v\f", 6, CT_IDENTITY_EMPTY, "empty");
	identity_case("abc", 3, CT_IDENTITY_OK, "ok");
	identity_case(" abc ", 5, CT_IDENTITY_OK, "ok");
	identity_case("customer-42@example.com", 23, CT_IDENTITY_OK, "ok");
	check(!ct_identity_is_forbidden("", 0) && !ct_identity_is_forbidden("   ", 3),
		  "empty is not on the forbidden list");

	/* 1023 characters accepted, 1024 too long, whatever their width */
	n = 0;
	repeat(buf, &n, "a", 1023);
	identity_case(buf, n, CT_IDENTITY_OK, "ok (1023 ASCII)");
	repeat(buf, &n, "a", 1);
	identity_case(buf, n, CT_IDENTITY_TOO_LONG, "too long (1024 ASCII)");
	n = 0;
	repeat(buf, &n, "\xC3\xA9", 1023);
	identity_case(buf, n, CT_IDENTITY_OK, "ok (1023 two-byte chars)");
	repeat(buf, &n, "\xC3\xA9", 1);
	identity_case(buf, n, CT_IDENTITY_TOO_LONG, "too long (1024 two-byte chars)");
	n = 0;
	repeat(buf, &n, "\xE2\x82\xAC\xF0\x9F\x98\x80", 511);
	repeat(buf, &n, "x", 1);
	identity_case(buf, n, CT_IDENTITY_OK, "ok (1023 chars of 1, 3 and 4 bytes)");
	repeat(buf, &n, "\xF0\x9F\x98\x80", 1);
	identity_case(buf, n, CT_IDENTITY_TOO_LONG, "too long (1024 chars of 1, 3 and 4 bytes)");
	/* length counts the value as given, surrounding whitespace included */
	n = 0;
	repeat(buf, &n, "a", 1020);
	repeat(buf, &n, " ", 4);
	identity_case(buf, n, CT_IDENTITY_TOO_LONG, "too long (1020 chars + 4 spaces)");
	free(buf);
}

/* Expect ct_ctid_is_valid(in) == expect. */
static void
ctid_case(const char *in, size_t len, bool expect)
{
	check(ct_ctid_is_valid(in, len) == expect, "CleverTap ID \"%s\" %s",
		  show(in, len), expect ? "valid" : "invalid");
}

/* The CleverTap ID cases. */
static void
test_ctid(void)
{
	static const char *const bad_chars[] = {
		" ", ".", "#", "%", "/", "+", "*", "=", "\xC3\xA9", "\t", ",", "[", "~"
	};
	char		buf[128];
	size_t		n;

	ctid_case("abcxyz", 6, true);
	ctid_case("ABCXYZ", 6, true);
	ctid_case("0123456789", 10, true);
	ctid_case("()!:@$_-", 8, true);
	ctid_case("__g_5d8a2a3c()!:@$-Zz09", 23, true);
	ctid_case("a", 1, true);
	ctid_case("", 0, false);
	n = 0;
	repeat(buf, &n, "Z", 64);
	ctid_case(buf, n, true);
	repeat(buf, &n, "Z", 1);
	ctid_case(buf, n, false);
	for (size_t i = 0; i < sizeof(bad_chars) / sizeof(bad_chars[0]); i++)
	{
		n = 0;
		repeat(buf, &n, "abc", 1);
		repeat(buf, &n, bad_chars[i], 1);
		repeat(buf, &n, "def", 1);
		ctid_case(buf, n, false);
	}
	ctid_case("abc\0def", 7, false);
}

/* Expect ct_phone_normalize(in, region) to give expect (an E.164 string). */
static void
phone_ok(const char *in, const char *region, const char *expect)
{
	char		out[CT_PHONE_E164_BUFSIZE];
	int64_t		value = -1;
	CtPhoneResult r = ct_phone_normalize(in, strlen(in), region, out, &value);

	check(r == CT_PHONE_OK && strcmp(out, expect) == 0 &&
		  value == strtoll(expect + 1, NULL, 10),
		  "phone \"%s\" (%s) -> %s%s", show(in, strlen(in)),
		  region ? region : "no region", expect,
		  r == CT_PHONE_OK ? "" : " (was rejected)");
}

/* Expect ct_phone_normalize(in, region) to fail with expect. */
static void
phone_bad(const char *in, size_t len, const char *region, CtPhoneResult expect)
{
	char		out[CT_PHONE_E164_BUFSIZE];
	int64_t		value = -1;
	CtPhoneResult r = ct_phone_normalize(in, len, region, out, &value);

	check(r == expect, "phone \"%s\" (%s) is %s (got %d)", show(in, len),
		  region ? region : "no region",
		  expect == CT_PHONE_INVALID ? "INVALID" :
		  expect == CT_PHONE_NO_REGION ? "NO_REGION" : "?", (int) r);
}

#define PHONE_BAD(in, region, expect) phone_bad((in), strlen(in), (region), (expect))

/* The phone cases. */
static void
test_phone(void)
{
	char		buf[256];
	size_t		n;
	char		out[CT_PHONE_E164_BUFSIZE];

	/* international input, any region */
	phone_ok("+14155552671", NULL, "+14155552671");
	phone_ok("+1 (415) 555-2671", NULL, "+14155552671");
	phone_ok("+1 416 555 0123", NULL, "+14165550123");	/* Canada, +1 too */
	phone_ok("+44 20 7946 0958", NULL, "+442079460958");
	phone_ok("+447911123456", NULL, "+447911123456");
	phone_ok("+91 98765 43210", NULL, "+919876543210");
	phone_ok("+91-11-2345-6789", NULL, "+911123456789");
	phone_ok("+49 30 12345678", NULL, "+493012345678");
	phone_ok("+4915123456789", NULL, "+4915123456789");
	phone_ok("+33 6 12 34 56 78", NULL, "+33612345678");
	phone_ok("+1 415 555 2671", "GB", "+14155552671");
	phone_ok("  \t+14155552671 \r\n", NULL, "+14155552671");
	phone_ok("+1 415 555 2671 ext. 123", NULL, "+14155552671");
	phone_ok("++14155552671", NULL, "+14155552671");	/* libphonenumber allows */
	phone_ok("tel:+1-415-555-2671", NULL, "+14155552671");
	/* full-width plus and digits (U+FF0B, U+FF10..U+FF19) */
	phone_ok("\xEF\xBC\x8B\xEF\xBC\x91\xEF\xBC\x94\xEF\xBC\x91\xEF\xBC\x95"
			 "\xEF\xBC\x95\xEF\xBC\x95\xEF\xBC\x95\xEF\xBC\x92\xEF\xBC\x96"
			 "\xEF\xBC\x97\xEF\xBC\x91", NULL, "+14155552671");

	/* shapes the fast path reads, and ones it must leave to Parse() */
	phone_ok("+44 (0) 7911 123456", NULL, "+447911123456"); /* national prefix */
	phone_ok("+4407911123456", NULL, "+447911123456");
	phone_ok("+39 06 1234 5678", NULL, "+390612345678");	/* Italian leading 0 */
	phone_ok("+800 1234 5678", NULL, "+80012345678");	/* non-geographic */
	phone_ok("+1 264 235 1234", NULL, "+12642351234");	/* Anguilla, +1 */
	phone_ok("+44 1481 256789", NULL, "+441481256789"); /* Guernsey, +44 */
	phone_ok("+7 701 234 5678", NULL, "+77012345678");	/* Kazakhstan, +7 */
	phone_ok("+358 18 123456", NULL, "+35818123456");	/* Aland, +358 */
	/* libphonenumber's E.164 for Mexico is not a fixed point (see README) */
	phone_ok("11xxxXxx6781", "MX", "+5219999996781");
	phone_ok("+5219999996781", NULL, "+529999996781");

	/* national numbers with a default region */
	phone_ok("(415) 555-2671", "US", "+14155552671");
	phone_ok("415.555.2671", "US", "+14155552671");
	phone_ok("1-800-FLOWERS", "US", "+18003569377");
	phone_ok("020 7946 0958", "GB", "+442079460958");
	phone_ok("07911 123456", "GB", "+447911123456");
	phone_ok("07911 123456", "gb", "+447911123456");
	phone_ok("09876543210", "IN", "+919876543210");
	phone_ok("98765 43210", "IN", "+919876543210");
	phone_ok("030 12345678", "DE", "+493012345678");
	phone_ok("0151 23456789", "DE", "+4915123456789");
	phone_ok("011 44 20 7946 0958", "US", "+442079460958"); /* US exit code */
	phone_ok("00 44 20 7946 0958", "DE", "+442079460958");

	/* national numbers without a usable region */
	PHONE_BAD("(415) 555-2671", NULL, CT_PHONE_NO_REGION);
	PHONE_BAD("(415) 555-2671", "ZZ", CT_PHONE_NO_REGION);
	PHONE_BAD("(415) 555-2671", "XX", CT_PHONE_NO_REGION);
	PHONE_BAD("(415) 555-2671", "USA", CT_PHONE_NO_REGION);
	PHONE_BAD("(415) 555-2671", "", CT_PHONE_NO_REGION);
	PHONE_BAD("00 44 20 7946 0958", NULL, CT_PHONE_NO_REGION);

	/* not phone numbers */
	PHONE_BAD("", NULL, CT_PHONE_INVALID);
	PHONE_BAD(" \t ", "US", CT_PHONE_INVALID);
	PHONE_BAD("n/a", "US", CT_PHONE_INVALID);
	PHONE_BAD("n/a", NULL, CT_PHONE_INVALID);
	PHONE_BAD("abcdefghij", "US", CT_PHONE_INVALID);
	PHONE_BAD("call me maybe", "US", CT_PHONE_INVALID);
	PHONE_BAD("0", "US", CT_PHONE_INVALID);
	PHONE_BAD("1234", "US", CT_PHONE_INVALID);
	PHONE_BAD("+1 123 456 7890", NULL, CT_PHONE_INVALID);	/* no area code 123 */
	PHONE_BAD("(123) 456-7890", "US", CT_PHONE_INVALID);
	PHONE_BAD("+44 1234", NULL, CT_PHONE_INVALID);
	PHONE_BAD("+999 1234567890", NULL, CT_PHONE_INVALID);	/* no such country code */
	PHONE_BAD("+1 415 555 26711", NULL, CT_PHONE_INVALID);	/* one digit too many */
	PHONE_BAD("+683 7012", NULL, CT_PHONE_INVALID); /* Niue: valid, but 7
													 * digits */
	PHONE_BAD("+690 3101", NULL, CT_PHONE_INVALID); /* Tokelau: the same */
	PHONE_BAD("+", NULL, CT_PHONE_INVALID);
	PHONE_BAD("\xEF\xBC\x8B", NULL, CT_PHONE_INVALID);
	PHONE_BAD("+1 415 555 2671\xC3", NULL, CT_PHONE_INVALID);	/* bad UTF-8 */
	phone_bad("+1415\0" "5552671", 12, NULL, CT_PHONE_INVALID);

	/* 64 bytes after trimming are read, 65 are not */
	n = 0;
	repeat(buf, &n, "+1", 1);
	repeat(buf, &n, " ", 52);
	repeat(buf, &n, "4155552671", 1);
	check(n == 64, "64-byte phone built");
	phone_ok(buf, NULL, "+14155552671");
	n = 0;
	repeat(buf, &n, "+1", 1);
	repeat(buf, &n, " ", 53);
	repeat(buf, &n, "4155552671", 1);
	PHONE_BAD(buf, NULL, CT_PHONE_INVALID);
	n = 0;
	repeat(buf, &n, " ", 150);
	repeat(buf, &n, "+14155552671", 1);
	repeat(buf, &n, "\t", 50);
	phone_ok(buf, NULL, "+14155552671");

	/* e164 may be NULL; out is always NUL-terminated on success */
	check(ct_phone_normalize("+442079460958", 13, NULL, out, NULL) == CT_PHONE_OK &&
		  strcmp(out, "+442079460958") == 0, "phone with NULL e164 pointer");

	/* regions */
	check(ct_phone_region_supported("US") && ct_phone_region_supported("GB") &&
		  ct_phone_region_supported("IN") && ct_phone_region_supported("DE"),
		  "regions US GB IN DE supported");
	check(ct_phone_region_supported("us") && ct_phone_region_supported("Gb"),
		  "region codes are case-insensitive");
	check(!ct_phone_region_supported(NULL) && !ct_phone_region_supported("") &&
		  !ct_phone_region_supported("ZZ") && !ct_phone_region_supported("XX") &&
		  !ct_phone_region_supported("USA") && !ct_phone_region_supported("001") &&
		  !ct_phone_region_supported("U"),
		  "NULL, empty, ZZ, XX, USA, 001 and U unsupported");
}

/*
 * Benchmark inputs: a mix of E.164, formatted international and national
 * numbers from the US and Canada, UK, India and Germany, with random
 * subscriber digits so no two are alike, and one in ten not a number.
 */
typedef struct BenchInput
{
	char		number[40];
	const char *region;
	int			kind;			/* BenchKind */
} BenchInput;

/* Input shapes the benchmark reports separately. */
typedef enum BenchKind
{
	BENCH_E164,					/* "+" and digits */
	BENCH_INTERNATIONAL,		/* "+" and digits with spaces or dashes */
	BENCH_NATIONAL,				/* national, with a region */
	BENCH_JUNK,					/* not a number */
	BENCH_NKINDS
} BenchKind;

static const char *const bench_kind_names[BENCH_NKINDS] = {
	"+digits", "formatted international", "national with a region", "invalid"
};

/* Deterministic xorshift PRNG, so runs compare. */
static uint64_t
bench_rand(uint64_t *state)
{
	uint64_t	x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* Fill one benchmark input. */
static void
bench_make(BenchInput *b, uint64_t *st)
{
	static const char *const us_area[] = {"212", "415", "646", "650", "917", "310", "312", "206"};
	static const char *const ca_area[] = {"416", "604", "514", "613"};
	static const char *const gb_mob[] = {"7911", "7700", "7400", "7812"};
	static const char *const in_mob[] = {"98", "99", "97", "70", "81"};
	static const char *const de_mob[] = {"151", "160", "170", "176"};
	static const char *const junk[] = {"n/a", "0", "123", "none", "+1 555", "-", "0000000000", "test"};
	unsigned	r = (unsigned) (bench_rand(st) % 20);
	unsigned	d = (unsigned) (bench_rand(st) % 100000000);
	unsigned	k = (unsigned) (bench_rand(st) >> 8);

	b->region = NULL;
	b->kind = BENCH_E164;
	switch (r)
	{
		case 0:
		case 1:
		case 2:
			sprintf(b->number, "+1%s%03u%04u", us_area[k % 8], 200 + d % 800, d / 1000 % 10000);
			break;
		case 3:
			sprintf(b->number, "+1 %s-%03u-%04u", ca_area[k % 4], 200 + d % 800, d / 1000 % 10000);
			break;
		case 4:
		case 5:
			sprintf(b->number, "(%s) %03u-%04u", us_area[k % 8], 200 + d % 800, d / 1000 % 10000);
			b->region = "US";
			break;
		case 6:
		case 7:
			sprintf(b->number, "+44%s%06u", gb_mob[k % 4], d % 1000000);
			break;
		case 8:
			sprintf(b->number, "020 7%03u %04u", d % 1000, d / 1000 % 10000);
			b->region = "GB";
			break;
		case 9:
			sprintf(b->number, "0%s %06u", gb_mob[k % 4], d % 1000000);
			b->region = "GB";
			break;
		case 10:
		case 11:
			sprintf(b->number, "+91%s%08u", in_mob[k % 5], d);
			break;
		case 12:
			sprintf(b->number, "+91 %s%03u %05u", in_mob[k % 5], d % 1000, d / 1000 % 100000);
			break;
		case 13:
			sprintf(b->number, "0%s%08u", in_mob[k % 5], d);
			b->region = "IN";
			break;
		case 14:
			sprintf(b->number, "+49%s%08u", de_mob[k % 4], d);
			break;
		case 15:
			sprintf(b->number, "+49 30 %08u", d);
			break;
		case 16:
			sprintf(b->number, "0%s %08u", de_mob[k % 4], d);
			b->region = "DE";
			break;
		case 17:
			sprintf(b->number, "030 %08u", d);
			b->region = "DE";
			break;
		default:
			strcpy(b->number, junk[k % 8]);
			b->region = (k & 1) ? "US" : NULL;
			break;
	}
	if (r == 3 || r == 12 || r == 15)
		b->kind = BENCH_INTERNATIONAL;
	else if (r >= 18)
		b->kind = BENCH_JUNK;
	else if (b->region != NULL)
		b->kind = BENCH_NATIONAL;
}

/* Seconds on a monotonic clock. */
static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Number of timed passes over the inputs; the best one is reported. */
#define BENCH_ROUNDS 5

typedef CtPhoneResult (*PhoneFn) (const char *in, size_t len, const char *region,
								  char *out, int64_t *e164);

/*
 * One timed pass of fn over the inputs of one kind (all with kind -1), in
 * microseconds per number; counts (4 longs) gets the results.
 */
static double
bench_pass(PhoneFn fn, const BenchInput *in, long n, int kind, long *counts)
{
	char		out[CT_PHONE_E164_BUFSIZE];
	int64_t		value;
	long		done = 0;
	double		t0 = now_seconds();

	memset(counts, 0, 4 * sizeof(long));
	for (long i = 0; i < n; i++)
	{
		if (kind >= 0 && in[i].kind != kind)
			continue;
		counts[fn(in[i].number, strlen(in[i].number), in[i].region, out, &value)]++;
		done++;
	}
	return (now_seconds() - t0) * 1e6 / (double) (done > 0 ? done : 1);
}

/*
 * Time ct_phone_normalize against ct_phone_normalize_reference (the plain
 * Parse + IsValidNumber + Format path) over n generated inputs (--bench),
 * or print the inputs (--dump).  Passes alternate between the two and the
 * best of BENCH_ROUNDS is reported, since on a shared machine the slower
 * passes measure the neighbours.  Also checks that both agree.
 */
static int
run_bench(long n, bool dump)
{
	BenchInput *in = malloc(sizeof(BenchInput) * (size_t) n);
	uint64_t	st = 0x9E3779B97F4A7C15ULL;
	long		counts[2][4];
	double		best[2] = {0, 0};
	long		mismatches = 0;
	double		t0;

	for (long i = 0; i < n; i++)
		bench_make(&in[i], &st);
	if (dump)
	{
		for (long i = 0; i < n; i++)
			printf("%s\t%s\n", in[i].number, in[i].region ? in[i].region : "");
		free(in);
		return 0;
	}

	t0 = now_seconds();
	if (ct_phone_init() != 0)
	{
		printf("ct_phone_init failed\n");
		return 1;
	}
	printf("ct_phone_init (libphonenumber initialization): %.1f ms\n",
		   (now_seconds() - t0) * 1e3);

	for (long i = 0; i < n; i++)
	{
		char		out[2][CT_PHONE_E164_BUFSIZE] = {"", ""};
		int64_t		v[2] = {0, 0};
		size_t		len = strlen(in[i].number);
		CtPhoneResult a = ct_phone_normalize(in[i].number, len, in[i].region, out[0], &v[0]);
		CtPhoneResult b = ct_phone_normalize_reference(in[i].number, len, in[i].region, out[1], &v[1]);

		if (a != b || (a == CT_PHONE_OK && (strcmp(out[0], out[1]) != 0 || v[0] != v[1])))
			mismatches++;
	}

	for (int round = 0; round < BENCH_ROUNDS; round++)
	{
		for (int k = 0; k < 2; k++)
		{
			double		t = bench_pass(k == 0 ? ct_phone_normalize_reference : ct_phone_normalize,
									   in, n, -1, counts[k]);

			if (round == 0 || t < best[k])
				best[k] = t;
		}
	}
	for (int k = 0; k < 2; k++)
		printf("%-28s %.2f us/number, best of %d passes over %ld numbers "
			   "(ok %ld, invalid %ld, no region %ld, internal %ld)\n",
			   k == 0 ? "ct_phone_normalize_reference" : "ct_phone_normalize",
			   best[k], BENCH_ROUNDS, n,
			   counts[k][0], counts[k][1], counts[k][2], counts[k][3]);
	printf("speed-up %.0f%%, %ld mismatches\n", (1.0 - best[1] / best[0]) * 100.0, mismatches);

	/* the same, by input shape */
	for (int kind = 0; kind < BENCH_NKINDS; kind++)
	{
		double		kbest[2] = {0, 0};
		long		kcounts[4];

		for (int round = 0; round < BENCH_ROUNDS; round++)
		{
			for (int k = 0; k < 2; k++)
			{
				double		t = bench_pass(k == 0 ? ct_phone_normalize_reference : ct_phone_normalize,
										   in, n, kind, kcounts);

				if (round == 0 || t < kbest[k])
					kbest[k] = t;
			}
		}
		printf("  %-24s %6.2f -> %5.2f us/number (%ld numbers)\n",
			   bench_kind_names[kind], kbest[0], kbest[1],
			   kcounts[0] + kcounts[1] + kcounts[2] + kcounts[3]);
	}
	free(in);
	return mismatches == 0 && counts[1][CT_PHONE_INTERNAL] == 0 ? 0 : 1;
}

/* Both paths' answers for one input. */
typedef struct PathResult
{
	CtPhoneResult r;
	char		out[CT_PHONE_E164_BUFSIZE];
	int64_t		value;
} PathResult;

/*
 * Run ct_phone_normalize and ct_phone_normalize_reference on one input,
 * and ct_phone_fast_parse_check: true when the two agree on the result
 * code, the E.164 string and the integer, and the fast parse built the
 * number Parse() did or left the input to it.  *fast_parsed is set when
 * the fast parse read the input.
 */
static bool
run_both(const char *in, size_t len, const char *region, PathResult *fast,
		 PathResult *ref, bool *fast_parsed)
{
	int			fp = ct_phone_fast_parse_check(in, len, region);

	memset(fast, 0, sizeof(*fast));
	memset(ref, 0, sizeof(*ref));
	fast->r = ct_phone_normalize(in, len, region, fast->out, &fast->value);
	ref->r = ct_phone_normalize_reference(in, len, region, ref->out, &ref->value);
	*fast_parsed = fp == 1;
	return fp >= 0 && fast->r == ref->r && strcmp(fast->out, ref->out) == 0 &&
		fast->value == ref->value;
}

/*
 * ct_phone_normalize must give exactly ct_phone_normalize_reference's
 * answer (plain libphonenumber): on inputs chosen to reach each shortcut,
 * then on generated ones.
 */
static void
test_phone_paths_agree(void)
{
	static const struct
	{
		const char *number;
		const char *region;
	}			cases[] = {
		{"+14155552671", NULL}, {"+1 416 555 0123", NULL}, {"+12642351234", NULL},
		{"+11234567890", NULL}, {"+1415555267", NULL}, {"+447911123456", NULL},
		{"+441481256789", NULL}, {"+447624123456", NULL}, {"+4407911123456", NULL},
		{"+390612345678", NULL}, {"+39 3123456789", NULL}, {"+2250123456789", NULL},
		{"+79123456789", NULL}, {"+77012345678", NULL}, {"+80012345678", NULL},
		{"+49030123456", NULL}, {"+61212345678", NULL}, {"+35818123456", NULL},
		{"+262269612345", NULL}, {"+212528812345", NULL}, {"+5219999996781", NULL},
		{"+54 9 11 2345 6789", NULL}, {"+5491123456789", NULL}, {"+0014155552671", "US"},
		{"+011 44 20 7946 0958", "US"}, {"+999 1234 5678", NULL}, {"+1 (415) 555-2671.", NULL},
		{"+1-415-555-2671 x12", NULL}, {"+1 415 555 2671 #", NULL}, {"+1/415/555/2671", NULL},
		{"tel:+1-415-555-2671", NULL}, {"1-800-FLOWERS", "US"}, {"(415) 555-2671", NULL},
		{"07911 123456", "gb"}, {"0151 23456789", "DE"}, {"098765 43210", "IN"},
		{"\xEF\xBC\x8B\xEF\xBC\x91 415 555 2671", NULL}, {"+4915123456789012345", NULL},
	};
	BenchInput *in = malloc(sizeof(BenchInput) * 3000);
	uint64_t	st = 12345;
	long		mismatches = 0;
	long		fast = 0;

	/* without them the two paths are one, and agree whatever */
	check(ct_phone_shortcuts_enabled() == 1, "phone shortcuts enabled (SelfCheck passed)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		PathResult	a;
		PathResult	b;
		bool		fast_parsed;
		size_t		len = strlen(cases[i].number);
		bool		agree = run_both(cases[i].number, len, cases[i].region, &a, &b, &fast_parsed);

		check(agree, "phone paths agree on \"%s\" (%s): %d %s%s", show(cases[i].number, len),
			  cases[i].region ? cases[i].region : "no region", (int) a.r, a.out,
			  fast_parsed ? " (fast parse)" : "");
	}

	for (long i = 0; i < 3000; i++)
		bench_make(&in[i], &st);
	for (long i = 0; i < 3000; i++)
	{
		PathResult	a;
		PathResult	b;
		bool		fast_parsed;

		if (!run_both(in[i].number, strlen(in[i].number), in[i].region, &a, &b, &fast_parsed))
		{
			printf("# mismatch on \"%s\": %d %s vs %d %s\n", in[i].number, (int) a.r, a.out,
				   (int) b.r, b.out);
			mismatches++;
		}
		fast += fast_parsed;
	}
	check(mismatches == 0, "phone paths agree on 3000 generated numbers, %ld read by the fast "
		  "parse (%ld mismatches)", fast, mismatches);
	free(in);
}

/*
 * National input, read with a region (FastParseNational() in phone.cpp):
 * inputs picked to reach each of its branches, and shapes it must leave to
 * Parse().  Both paths must agree on every one.
 */
static void
test_phone_national_agree(void)
{
	static const struct
	{
		const char *number;
		const char *region;
	}			cases[] = {
		/*
		 * US: plain, in every punctuation; with the calling code (too long
		 * with it: stripped), twice, or not strippable
		 */
		{"(415) 555-2671", "US"}, {"415-555-2671", "US"}, {"415.555.2671", "US"},
		{"4155552671", "US"}, {"415 555 2671", "US"}, {"1 415 555 2671", "US"},
		{"1-415-555-2671", "US"}, {"1 (415) 555-2671", "US"}, {"14155552671", "US"},
		{"1 1 415 555 2671", "US"}, {"1 415 555 267", "US"}, {"1 555 2671", "US"},
		{"555 2671", "US"}, {"(123) 456-7890", "US"}, {"1 (123) 456-7890", "US"},
		{"1-800-555-0199", "US"}, {"800 555 0199", "US"}, {"1 212 555 0100 1", "US"},
		/* spaces and parentheses in odd places; only punctuation */
		{"  (415) 555-2671  ", "US"}, {"((415)) 555--2671", "US"},
		{")415( 555 2671", "US"}, {"415 555 2671)", "US"}, {"(4)1(5)5(5)5(2)6(7)1", "US"},
		{"(415)5552671", "US"}, {"4 1 5 5 5 5 2 6 7 1", "US"}, {"415...555...2671", "US"},
		{"()- .", "US"}, {"(((", "US"}, {" - ", "US"},
		/* too short, a single digit, too long, leading zeros */
		{"7", "US"}, {"12", "US"}, {"1-2", "US"}, {"123", "US"}, {"1234", "US"},
		{"12345", "US"}, {"0", "US"}, {"00", "US"}, {"000", "US"},
		{"0000000000", "US"}, {"00000000000000000", "US"}, {"0415 555 2671", "US"},
		{"123456789012345678", "US"}, {"12345678901234567890", "US"},
		{"4155552671415555267", "US"}, {"415 555 2671 415 555 2671 41", "US"},

		/*
		 * US international prefix 011: then a calling code; followed by 0 it
		 * is none; alone or nearly
		 */
		{"011 44 20 7946 0958", "US"}, {"01144 2079460958", "US"}, {"011 0 44 20 7946 0958", "US"},
		{"011 0 20 7946 0958", "US"}, {"011", "US"}, {"0114", "US"}, {"011 44", "US"},
		{"011 44 7911", "US"}, {"011 999 1234 5678", "US"}, {"011 1 415 555 2671", "US"},
		{"011 44 (0) 20 7946 0958", "US"}, {"011 39 06 1234 5678", "US"},
		{"011 800 1234 5678", "US"}, {"011 44 20 7946 0958 12345", "US"},
		/* CA: US rules once the calling code is stripped */
		{"416 555 0123", "CA"}, {"1 416 555 0123", "CA"}, {"1 415 555 2671", "CA"},
		{"011 44 7911 123456", "CA"}, {"1 1 416 555 0123", "CA"}, {"(416) 555-0123", "ca"},
		{"1 876 555 1234", "JM"}, {"876 555 1234", "JM"}, {"1 264 235 1234", "AI"},
		{"264 235 1234", "AI"}, {"235 1234", "AI"}, {"1 787 555 1234", "PR"},
		/* GB: trunk 0, calling code, IDD 00, Crown dependencies */
		{"020 7946 0958", "GB"}, {"07911 123456", "GB"}, {"7911 123456", "GB"},
		{"(020) 7946-0958", "GB"}, {"02079460958", "GB"}, {"0 20 7946 0958", "GB"},
		{"44 20 7946 0958", "GB"}, {"44 7911 123456", "GB"}, {"44 020 7946 0958", "GB"},
		{"0044 20 7946 0958", "GB"}, {"00 44 (0) 20 7946 0958", "GB"}, {"000 1234 5678", "GB"},
		{"020 7946 095", "GB"}, {"0800 123 4567", "GB"}, {"01481 256789", "GB"},
		{"01481 256789", "GG"}, {"256789", "GG"}, {"07624 123456", "IM"}, {"0 1534 456789", "JE"},
		{"0", "GB"}, {"07", "GB"}, {"079", "GB"}, {"0 7911", "GB"}, {"44", "GB"}, {"440", "GB"},
		/* IT: no national prefix, leading zeros kept; VA reads with IT rules */
		{"06 1234 5678", "IT"}, {"06 12345678", "IT"}, {"312 345 6789", "IT"},
		{"39 06 1234 5678", "IT"}, {"39 312 345 6789", "IT"}, {"0039 06 1234 5678", "IT"},
		{"00 39 3123456789", "IT"}, {"0000 1234", "IT"}, {"00000000", "IT"}, {"000000001", "IT"},
		{"06 698 12345", "VA"}, {"39 06 698 12345", "VA"}, {"0039 06 698 12345", "VA"},
		/* DE, IN, FR */
		{"030 12345678", "DE"}, {"0151 23456789", "DE"}, {"49 30 12345678", "DE"},
		{"0049 30 12345678", "DE"}, {"030 123", "DE"}, {"(0)30 12345678", "DE"},
		{"030-1234 5678-9", "DE"}, {"30 12345678", "DE"}, {"49 151 23456789", "DE"},
		{"0 049 30 1234", "DE"}, {"0301234567890123", "DE"},
		{"09876543210", "IN"}, {"98765 43210", "IN"}, {"91 98765 43210", "IN"},
		{"0091 98765 43210", "IN"}, {"011 2345 6789", "IN"}, {"11 2345 6789", "IN"},
		{"91 11 2345 6789", "IN"}, {"0 91 98765 43210", "IN"},
		{"01 23 45 67 89", "FR"}, {"06 12 34 56 78", "FR"}, {"33 6 12 34 56 78", "FR"},
		/* MX, BR, AR, CN, AU: national-prefix patterns left to Parse() */
		{"55 1234 5678", "MX"}, {"01 55 1234 5678", "MX"}, {"044 55 1234 5678", "MX"},
		{"1 55 1234 5678", "MX"}, {"52 55 1234 5678", "MX"}, {"00 1 415 555 2671", "MX"},
		{"(11) 91234-5678", "BR"}, {"0 21 11 91234 5678", "BR"}, {"011 91234 5678", "BR"},
		{"55 11 91234 5678", "BR"}, {"0021 1 415 555 2671", "BR"},
		{"011 15 2345 6789", "AR"}, {"0 11 2345-6789", "AR"}, {"15 2345 6789", "AR"},
		{"54 9 11 2345 6789", "AR"}, {"00 44 20 7946 0958", "AR"},
		{"010 1234 5678", "CN"}, {"138 0013 8000", "CN"}, {"86 138 0013 8000", "CN"},
		{"00 1 415 555 2671", "CN"}, {"17951 138 0013 8000", "CN"},
		{"(02) 9876 5432", "AU"}, {"0412 345 678", "AU"}, {"61 412 345 678", "AU"},
		{"0011 44 20 7946 0958", "AU"}, {"1831 0412 345 678", "AU"},
		/* RU and KZ (+7, read with RU rules), IDD 810 */
		{"8 (912) 345-67-89", "RU"}, {"912 345 67 89", "RU"}, {"7 912 345 6789", "RU"},
		{"810 44 20 7946 0958", "RU"}, {"8 10 44 20 7946 0958", "RU"}, {"8 800 555 3535", "RU"},
		{"8 701 234 5678", "KZ"}, {"7 701 234 5678", "KZ"}, {"701 234 5678", "KZ"},
		/* JP: IDD 010, trunk 0 */
		{"03-1234-5678", "JP"}, {"090-1234-5678", "JP"}, {"010 1 415 555 2671", "JP"},
		{"81 3 1234 5678", "JP"}, {"0120-123-456", "JP"}, {"3-1234-5678", "JP"},
		/* international prefixes given as patterns (FI, AX, TH, SG, IL) */
		{"040 123 4567", "FI"}, {"358 40 123 4567", "FI"}, {"00 44 20 7946 0958", "FI"},
		{"990 44 20 7946 0958", "FI"}, {"040 123 4567", "AX"}, {"018 12345", "AX"},
		{"02 123 4567", "TH"}, {"001 1 415 555 2671", "TH"}, {"009 0 2 123 4567", "TH"},
		{"6123 4567", "SG"}, {"001 1 415 555 2671", "SG"}, {"000 1234 5678", "SG"},
		{"02-123-4567", "IL"}, {"014 44 20 7946 0958", "IL"}, {"00 972 2 123 4567", "IL"},

		/*
		 * a national prefix kept because the number matches the general
		 * pattern only with it (JP and ID "00...", RU "8...", UZ)
		 */
		{"0057 0123 4567", "JP"}, {"0050 1234 5678", "JP"}, {"00 626 195 8110", "ID"},
		{"7 8259 346 937 0409", "RU"}, {"7 80 912 345 6789", "KZ"}, {"998 8859 189 35", "UZ"},
		/* no usable region */
		{"(415) 555-2671", NULL}, {"(415) 555-2671", "ZZ"}, {"4155552671", "zz"},
		{"011 44 20 7946 0958", NULL}, {"020 7946 0958", "XX"}, {"020 7946 0958", "gb"},
	};
	long		mismatches = 0;
	long		fast = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		PathResult	a;
		PathResult	b;
		bool		fast_parsed;
		size_t		len = strlen(cases[i].number);

		if (!run_both(cases[i].number, len, cases[i].region, &a, &b, &fast_parsed))
		{
			printf("# mismatch on \"%s\" (%s): %d %s vs %d %s\n", cases[i].number,
				   cases[i].region ? cases[i].region : "no region",
				   (int) a.r, a.out, (int) b.r, b.out);
			mismatches++;
		}
		fast += fast_parsed;
	}
	check(mismatches == 0, "phone paths agree on %zu national inputs picked by hand, %ld read "
		  "by the fast parse (%ld mismatches)", sizeof(cases) / sizeof(cases[0]), fast, mismatches);
}

/* In phone_examples.cpp (libphonenumber's example numbers, for tests). */
#define CT_TEST_EXAMPLE_LEN 64
#define CT_TEST_EXAMPLES_MAX 80
extern int	ct_test_example_inputs(const char *region, char (*out)[CT_TEST_EXAMPLE_LEN], int max);
extern int	ct_test_region_prefixes(const char *region, char *cc, char *ndd);

/* What the generated national inputs are built from, for one region. */
typedef struct RegionInputs
{
	char		region[3];
	char		cc[8];			/* calling code */
	char		ndd[8];			/* national prefix, or "" */
	int			nexamples;
	char		(*examples)[CT_TEST_EXAMPLE_LEN];
} RegionInputs;

/* Append the digits of digits[0..n) to buf, with random punctuation. */
static size_t
punctuate(char *buf, const char *digits, size_t n, uint64_t *st)
{
	static const char sep[] = " -.()";
	size_t		o = 0;
	unsigned	style = (unsigned) (bench_rand(st) % 4);

	/* 0: digits only; 1: now and then one separator; 2-3: runs, and ends */
	if (style >= 2 && bench_rand(st) % 4 == 0)
		buf[o++] = sep[bench_rand(st) % 5];
	for (size_t i = 0; i < n; i++)
	{
		buf[o++] = digits[i];
		if (style == 1 && bench_rand(st) % 3 == 0)
			buf[o++] = sep[bench_rand(st) % 5];
		else if (style >= 2 && bench_rand(st) % 4 == 0)
		{
			unsigned	k = 1 + (unsigned) (bench_rand(st) % 2);

			for (unsigned j = 0; j < k; j++)
				buf[o++] = sep[bench_rand(st) % 5];
		}
	}
	if (style >= 2 && bench_rand(st) % 4 == 0)
		buf[o++] = sep[bench_rand(st) % 5];
	buf[o] = '\0';
	return o;
}

/*
 * One generated national-format input for ri into buf (at least 256
 * bytes): half random digits (1 to 20, after a prefix now and then: the
 * region's calling code or national prefix, common international
 * prefixes, zeros), half libphonenumber's example numbers for the region,
 * as they are or with a digit changed, dropped or added, or a prefix
 * added; then, mostly, punctuated anew.
 */
static size_t
national_input(char *buf, const RegionInputs *ri, uint64_t *st)
{
	static const char *const prefixes[] = {
		"0", "00", "000", "011", "010", "001", "1", "8", "810", "06", "0011", "99"
	};
	char		digits[160];
	size_t		n = 0;
	unsigned	mode = (unsigned) (bench_rand(st) % 2);

	if (mode == 0 || ri->nexamples == 0)
	{
		unsigned	p = (unsigned) (bench_rand(st) % 16);
		size_t		len = 1 + (size_t) (bench_rand(st) % 20);
		const char *prefix = "";

		if (p < 12 && p >= 6)
			prefix = prefixes[bench_rand(st) % 12];
		else if (p == 12)
			prefix = ri->cc;
		else if (p == 13)
			prefix = ri->ndd;
		else if (p == 14)
		{
			memcpy(digits, ri->cc, strlen(ri->cc));
			n = strlen(ri->cc);
			prefix = ri->ndd;
		}
		else if (p == 15)
			prefix = "0000";
		memcpy(digits + n, prefix, strlen(prefix));
		n += strlen(prefix);
		for (size_t i = 0; i < len; i++)
			digits[n++] = (char) ('0' + bench_rand(st) % 10);
	}
	else
	{
		const char *ex = ri->examples[bench_rand(st) % (uint64_t) ri->nexamples];
		unsigned	m = (unsigned) (bench_rand(st) % 12);

		/* a third as written: national format, or dialled from here */
		if (m < 4)
		{
			strcpy(buf, ex);
			return strlen(buf);
		}
		if (m == 4)
		{
			memcpy(digits, ri->ndd, strlen(ri->ndd));
			n = strlen(ri->ndd);
		}
		else if (m == 5)
		{
			memcpy(digits, ri->cc, strlen(ri->cc));
			n = strlen(ri->cc);
		}
		for (const char *c = ex; *c; c++)
		{
			if (*c >= '0' && *c <= '9')
				digits[n++] = *c;
		}
		if (m == 6 && n > 0)
			digits[bench_rand(st) % n] = (char) ('0' + bench_rand(st) % 10);
		else if (m == 7 && n > 1)
		{
			size_t		at = (size_t) (bench_rand(st) % n);

			memmove(digits + at, digits + at + 1, n - at - 1);
			n--;
		}
		else if (m == 8)
			digits[n++] = (char) ('0' + bench_rand(st) % 10);
	}
	return punctuate(buf, digits, n, st);
}

/*
 * Generated national-format inputs (national_input()) in every supported
 * region, a few with no region: both paths must agree on each.  n cases
 * from seed; the counts by result show how many were valid numbers.
 */
static void
test_phone_generated_agree(long n, uint64_t seed)
{
	RegionInputs *regions = calloc(26 * 26, sizeof(RegionInputs));
	int			nregions = 0;
	int			failed_examples = 0;
	uint64_t	st = seed;
	long		mismatches = 0;
	long		counts[4] = {0, 0, 0, 0};
	long		with_examples = 0;
	long		fast = 0;

	for (char a = 'A'; a <= 'Z'; a++)
	{
		for (char b = 'A'; b <= 'Z'; b++)
		{
			RegionInputs *ri = &regions[nregions];

			ri->region[0] = a;
			ri->region[1] = b;
			ri->region[2] = '\0';
			if (!ct_phone_region_supported(ri->region))
				continue;
			ri->examples = malloc(sizeof(*ri->examples) * CT_TEST_EXAMPLES_MAX);
			ri->nexamples = ct_test_example_inputs(ri->region, ri->examples, CT_TEST_EXAMPLES_MAX);
			if (ri->nexamples < 0 || ct_test_region_prefixes(ri->region, ri->cc, ri->ndd) != 0)
			{
				failed_examples++;
				ri->nexamples = 0;
				ri->cc[0] = ri->ndd[0] = '\0';
			}
			if (ri->nexamples > 0)
				with_examples++;
			nregions++;
		}
	}
	check(nregions > 200 && failed_examples == 0,
		  "%d supported regions, %ld with example numbers", nregions, with_examples);

	for (long i = 0; i < n; i++)
	{
		const RegionInputs *ri = &regions[bench_rand(&st) % (uint64_t) nregions];
		unsigned	which = (unsigned) (bench_rand(&st) % 100);
		const char *region = which == 0 ? NULL : which == 1 ? "ZZ" : ri->region;
		char		buf[256];
		size_t		len = national_input(buf, ri, &st);
		PathResult	a;
		PathResult	b;
		bool		fast_parsed;

		if (!run_both(buf, len, region, &a, &b, &fast_parsed))
		{
			if (mismatches < 20)
				printf("# mismatch on \"%s\" (%s): %d %s vs %d %s\n", buf,
					   region ? region : "no region", (int) a.r, a.out, (int) b.r, b.out);
			mismatches++;
		}
		counts[b.r]++;
		fast += fast_parsed;
	}
	check(mismatches == 0,
		  "phone paths agree on %ld generated national inputs in %d regions, seed %llu, "
		  "%ld read by the fast parse (ok %ld, invalid %ld, no region %ld, internal %ld; "
		  "%ld mismatches)", n, nregions, (unsigned long long) seed, fast,
		  counts[0], counts[1], counts[2], counts[3], mismatches);
	for (int i = 0; i < nregions; i++)
		free(regions[i].examples);
	free(regions);
}

/* Run all cases, or the benchmark. */
int
main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--bench") == 0 || strcmp(argv[1], "--dump") == 0))
	{
		long		n = argc >= 3 ? strtol(argv[2], NULL, 10) : 100000;

		return run_bench(n > 0 ? n : 100000, strcmp(argv[1], "--dump") == 0);
	}

	test_email();
	test_identity();
	test_ctid();
	test_phone();
	test_phone_paths_agree();
	test_phone_national_agree();
	{
		/*
		 * CT_PHONE_DIFF_CASES generated national inputs (default 6000; "make
		 * check-long" runs a million), from CT_PHONE_DIFF_SEED.
		 */
		const char *cases = getenv("CT_PHONE_DIFF_CASES");
		const char *seed = getenv("CT_PHONE_DIFF_SEED");
		long		n = cases ? strtol(cases, NULL, 10) : 6000;

		uint64_t	s = seed ? strtoull(seed, NULL, 10) : 0;

		/* xorshift never leaves 0 */
		test_phone_generated_agree(n > 0 ? n : 6000, s != 0 ? s : 0x2545F4914F6CDD1DULL);
	}

	printf("1..%d\n", test_count);
	printf("# %d tests, %d passed, %d failed\n", test_count,
		   test_count - test_failures, test_failures);
	return test_failures == 0 ? 0 : 1;
}
