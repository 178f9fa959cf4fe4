/*
 * fuzz_normalize.c
 *	  libFuzzer target for src/normalize.c and src/phone.cpp.
 *
 * The first byte picks what to call (low 3 bits) and, for phones, which
 * region to pass (the rest); the other bytes are the input, in a buffer of
 * exactly their size so AddressSanitizer sees any read past the end.
 * Selector 6 turns the input into "+" and digits (with a little
 * punctuation) first: libphonenumber is not instrumented, so the fuzzer
 * gets no coverage signal for reaching a valid number, and random digits
 * after a plus are valid often enough to exercise the shortcuts.  Selector
 * 5 does the same for national numbers: a region from the first two bytes
 * (any of the 676 letter pairs, most of them unsupported), then digits and
 * punctuation without a plus.
 * Besides crashes and sanitizer reports, the target aborts when an answer
 * breaks a documented property, when ct_phone_normalize disagrees with
 * ct_phone_normalize_reference (plain libphonenumber), and when the fast
 * parse builds another number than libphonenumber's Parse() (which can
 * differ where the two answers cannot).  See README.md.
 */
#include "normalize.h"
#include "phone.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Regions handed to the phone functions: real, odd-cased, unsupported. */
static const char *const fuzz_regions[] = {
	NULL, "US", "GB", "IN", "DE", "FR", "IT", "BR", "CA", "RU", "AU", "CN",
	"JP", "MX", "AR", "us", "gB", "ZZ", "XX", "", "001", "USA", "U"
};

#define NREGIONS (sizeof(fuzz_regions) / sizeof(fuzz_regions[0]))

/* Report a broken property with the input, then abort for libFuzzer. */
static void
fuzz_fail(const char *what, const uint8_t *data, size_t len)
{
	fprintf(stderr, "property violated: %s; input (%zu bytes):", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, " %02x", data[i]);
	fputc('\n', stderr);
	abort();
}

/* True when s has an ASCII upper-case letter. */
static int
has_upper(const char *s)
{
	for (; *s; s++)
	{
		if (*s >= 'A' && *s <= 'Z')
			return 1;
	}
	return 0;
}

/* Email: the result is short, lower-case and a fixed point. */
static void
fuzz_email(const uint8_t *data, size_t len)
{
	char	   *out = malloc(len + 1);
	int			r = ct_normalize_email((const char *) data, len, out);

	if (r >= 0)
	{
		char	   *again = malloc((size_t) r + 1);

		if (r == 0 || r > CT_EMAIL_MAX_LEN || (size_t) r != strlen(out))
			fuzz_fail("email length", data, len);
		if (has_upper(out) || memchr(out, '@', (size_t) r) == NULL)
			fuzz_fail("email shape", data, len);
		if (ct_normalize_email(out, (size_t) r, again) != r || memcmp(out, again, (size_t) r + 1) != 0)
			fuzz_fail("email not idempotent", data, len);
		free(again);
	}
	else if (r != -1)
		fuzz_fail("email return value", data, len);
	free(out);
}

/* Identity and CleverTap ID: the answers agree with each other. */
static void
fuzz_identity(const uint8_t *data, size_t len)
{
	const char *s = (const char *) data;
	CtIdentityCheck c = ct_identity_check(s, len);
	bool		forbidden = ct_identity_is_forbidden(s, len);

	if (c != CT_IDENTITY_OK && c != CT_IDENTITY_EMPTY &&
		c != CT_IDENTITY_FORBIDDEN && c != CT_IDENTITY_TOO_LONG)
		fuzz_fail("identity return value", data, len);
	if ((c == CT_IDENTITY_FORBIDDEN) != forbidden)
		fuzz_fail("identity forbidden mismatch", data, len);
	if (c == CT_IDENTITY_TOO_LONG && len < CT_IDENTITY_MAX_CHARS)
		fuzz_fail("identity too long", data, len);
	if (ct_ctid_is_valid(s, len) && (len == 0 || len > CT_CTID_MAX_LEN))
		fuzz_fail("ctid length", data, len);
}

/*
 * Phone: both paths agree; a result is '+' and 8-15 digits matching *e164,
 * and reads back, without a region, as a valid number that is then a fixed
 * point.  Not always as itself: libphonenumber's E.164 for a number read
 * as Mexican national "1 ..." is "+521...", and "+521..." reads back as
 * "+52..." (the old mobile "1" is dropped after the country code).
 */
static void
fuzz_phone(const uint8_t *data, size_t len, const char *region)
{
	char	   *out = malloc(CT_PHONE_E164_BUFSIZE);
	char	   *ref = malloc(CT_PHONE_E164_BUFSIZE);
	int64_t		v = -1;
	int64_t		vref = -1;
	CtPhoneResult r = ct_phone_normalize((const char *) data, len, region, out, &v);
	CtPhoneResult rr = ct_phone_normalize_reference((const char *) data, len, region, ref, &vref);
	int			fp = ct_phone_fast_parse_check((const char *) data, len, region);

	if (fp < 0)
		fuzz_fail("phone: the fast parse builds another number than Parse()", data, len);
	if (r != rr)
		fuzz_fail("phone: fast and reference paths disagree", data, len);
	if (r == CT_PHONE_INTERNAL)
		fuzz_fail("phone: internal error", data, len);
	if (r == CT_PHONE_OK)
	{
		size_t		n = strlen(out);
		int64_t		digits = 0;
		char	   *again = malloc(CT_PHONE_E164_BUFSIZE);
		char	   *again2 = malloc(CT_PHONE_E164_BUFSIZE);
		int64_t		v2 = -1;
		int64_t		v3 = -1;

		if (strcmp(out, ref) != 0 || v != vref)
			fuzz_fail("phone: fast and reference results differ", data, len);
		if (n < 9 || n > 16 || out[0] != '+')
			fuzz_fail("phone: result shape", data, len);
		for (size_t i = 1; i < n; i++)
		{
			if (out[i] < '0' || out[i] > '9')
				fuzz_fail("phone: result not digits", data, len);
			digits = digits * 10 + (out[i] - '0');
		}
		if (digits != v)
			fuzz_fail("phone: e164 integer", data, len);
		if (ct_phone_normalize(out, n, NULL, again, &v2) != CT_PHONE_OK)
			fuzz_fail("phone: result does not read back", data, len);
		if (ct_phone_normalize(again, strlen(again), NULL, again2, &v3) != CT_PHONE_OK ||
			strcmp(again, again2) != 0 || v2 != v3)
			fuzz_fail("phone: read-back result is not a fixed point", data, len);
		free(again);
		free(again2);
	}
	free(out);
	free(ref);
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		sel;
	uint8_t    *body;
	size_t		len;

	if (size == 0)
		return 0;
	sel = data[0];
	len = size - 1;
	/* a copy of exactly len bytes, so reading past it is caught */
	body = malloc(len > 0 ? len : 1);
	memcpy(body, data + 1, len);

	switch (sel & 7)
	{
		case 0:
		case 1:
			fuzz_email(body, len);
			break;
		case 2:
			fuzz_identity(body, len);
			break;
		case 3:
			{
				/* a region straight from the input, NUL-terminated */
				char		region[4] = {0, 0, 0, 0};

				memcpy(region, body, len < 3 ? len : 3);
				(void) ct_phone_region_supported(region);
				fuzz_phone(body, len, region);
				break;
			}
		case 5:
			{
				/*
				 * A region from two bytes ('A'..'Z' from any byte, letters as
				 * themselves), then digits and " -.()" as they are, any other
				 * byte a digit or, 1 in 8, a separator.  No plus.
				 */
				static const char sep[] = " -.()";
				char		region[3];
				char	   *num;

				if (len < 2)
					break;
				region[0] = (char) ('A' + (body[0] + 195) % 26);
				region[1] = (char) ('A' + (body[1] + 195) % 26);
				region[2] = '\0';
				num = malloc(len - 2 > 0 ? len - 2 : 1);
				for (size_t i = 2; i < len; i++)
				{
					uint8_t		b = body[i];

					if ((b >= '0' && b <= '9') || strchr(sep, b) != NULL)
						num[i - 2] = (char) b;
					else
						num[i - 2] = b < 224 ? (char) ('0' + b % 10) : sep[b % 5];
				}
				fuzz_phone((const uint8_t *) num, len - 2, region);
				free(num);
				break;
			}
		case 6:
			{
				/* "+" then digits, with 1 in 8 bytes a separator */
				static const char sep[] = " -.()";
				char	   *num = malloc(len + 1);

				num[0] = '+';
				for (size_t i = 0; i < len; i++)
					num[i + 1] = body[i] < 224 ? (char) ('0' + body[i] % 10) : sep[body[i] % 5];
				fuzz_phone((const uint8_t *) num, len + 1, fuzz_regions[(sel >> 3) % NREGIONS]);
				free(num);
				break;
			}
		default:
			fuzz_phone(body, len, fuzz_regions[(sel >> 3) % NREGIONS]);
			break;
	}
	free(body);
	return 0;
}
