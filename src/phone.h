/*
 * phone.h
 *	  C ABI over Google's libphonenumber.  Nothing C++ crosses this line:
 *	  every exception is caught inside phone.cpp.
 */
#ifndef CT_PHONE_H
#define CT_PHONE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C"
{
#endif

/* Buffer size that always holds an E.164 number and its NUL: '+' and 15 digits. */
#define CT_PHONE_E164_BUFSIZE 17

typedef enum CtPhoneResult
{
	CT_PHONE_OK = 0,			/* normalized */
	CT_PHONE_INVALID = 1,		/* not a valid phone number */
	CT_PHONE_NO_REGION = 2,		/* national number and no (valid) default
								 * region */
	CT_PHONE_INTERNAL = 3		/* libphonenumber failed unexpectedly
								 * (exception, allocation) */
} CtPhoneResult;

/*
 * Parse and validate a phone number and write it in E.164 form
 * ("+" and 8-15 digits, NUL-terminated) into out (CT_PHONE_E164_BUFSIZE
 * bytes).  in need not be NUL-terminated.  region is an ISO 3166-1
 * alpha-2 code used to read national numbers, or NULL to accept only
 * international numbers ("+..." or an international prefix).  On success
 * *e164 also receives the digits as an integer (country code included).
 * Thread-compatible; never throws; never allocates through the caller.
 *
 * Details:
 * - Surrounding ASCII whitespace is ignored; more than 64 bytes left after
 *   that is CT_PHONE_INVALID (bounds libphonenumber's cost).
 * - region is matched case-insensitively ("us" is "US").  NULL, "ZZ" and
 *   any region ct_phone_region_supported() refuses mean "no region"; then
 *   only a number with a plus sign ('+' or full-width U+FF0B) can be read
 *   (an international prefix such as 00 or 011 depends on the region), and
 *   one with digits but no plus gives CT_PHONE_NO_REGION.  Note that a
 *   national number with a region given but a different country's digits
 *   is simply read as that region's (libphonenumber's rule).
 * - The result is exactly libphonenumber's Parse + IsValidNumber +
 *   Format(E164) (see ct_phone_normalize_reference), plus the 8-15 digit
 *   rule; extensions ("ext. 12") are dropped, as E.164 has none.
 * - e164 may be NULL.  out is written only on CT_PHONE_OK.
 * - The result is not always a fixed point: libphonenumber writes Mexican
 *   national "1 ..." numbers as "+521...", but reads "+521..." back as
 *   "+52..." (see test/unit/README.md).  Normalizing the result once more
 *   without a region gives one spelling.
 * - The first call in a process builds libphonenumber's tables and ours
 *   (kept for the life of the process); ct_phone_init() does that up
 *   front.  Later calls are fastest for "+digits" input and for a national
 *   number with a region; other shapes, and the regions whose rules
 *   phone.cpp leaves to libphonenumber, take its slower path (see
 *   phone.cpp).
 * - Safe to call from several threads at once (the tables are built once
 *   and then only read; libphonenumber is thread-safe), though a backend
 *   has one thread anyway.
 */
extern CtPhoneResult ct_phone_normalize(const char *in, size_t len,
										const char *region,
										char *out, int64_t *e164);

/* True when region is a two-letter region libphonenumber supports
 * (case-insensitive; "ZZ" and "001" are not). */
extern int	ct_phone_region_supported(const char *region);

/*
 * Build libphonenumber's tables now rather than on the first number:
 * 0 on success, -1 on failure (then every call reports CT_PHONE_INTERNAL
 * until one succeeds).  Called from the postmaster (shared_preload_libraries
 * and _PG_init), the work is done once and shared by every backend forked
 * after it.  Optional.
 */
extern int	ct_phone_init(void);

/*
 * ct_phone_normalize by the plain path (Parse, IsValidNumber, Format) with
 * no shortcut.  For tests and fuzzing only: both must always agree, and
 * this one takes about twice as long.
 */
extern CtPhoneResult ct_phone_normalize_reference(const char *in, size_t len,
												  const char *region,
												  char *out, int64_t *e164);

/*
 * For tests: 1 when ct_phone_normalize uses its shortcuts (phone.cpp's
 * SelfCheck() found them in agreement with libphonenumber), 0 when it has
 * fallen back to the plain path, -1 on error.  Without the shortcuts the
 * two functions above agree trivially.
 */
extern int	ct_phone_shortcuts_enabled(void);

/*
 * For tests and fuzzing only: read in with region as ct_phone_normalize
 * does (trimmed; an unsupported region is none), both by phone.cpp's
 * FastParse() shortcut, whether or not it is enabled and whatever the
 * input, and by libphonenumber's Parse(), and compare the numbers they
 * build, field by field.  1: FastParse() read it, and built what Parse()
 * did; 0: FastParse() left it to Parse(); -1: they differ; -2: error.
 * Stricter than comparing ct_phone_normalize with the reference, which
 * cannot see a difference that leaves validity and E.164 alike.
 */
extern int	ct_phone_fast_parse_check(const char *in, size_t len, const char *region);

#ifdef __cplusplus
}
#endif

#endif							/* CT_PHONE_H */
