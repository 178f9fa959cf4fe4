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
	CT_PHONE_NO_REGION = 2,		/* national number and no (valid) default region */
	CT_PHONE_INTERNAL = 3		/* libphonenumber failed unexpectedly (exception, allocation) */
} CtPhoneResult;

/*
 * Parse and validate a phone number and write it in E.164 form
 * ("+" and 8-15 digits, NUL-terminated) into out (CT_PHONE_E164_BUFSIZE
 * bytes).  in need not be NUL-terminated.  region is an ISO 3166-1
 * alpha-2 code used to read national numbers, or NULL to accept only
 * international numbers ("+..." or an international prefix).  On success
 * *e164 also receives the digits as an integer (country code included).
 * Thread-compatible; never throws; never allocates through the caller.
 */
extern CtPhoneResult ct_phone_normalize(const char *in, size_t len,
										const char *region,
										char *out, int64_t *e164);

/* True when region is a two-letter region libphonenumber supports. */
extern int	ct_phone_region_supported(const char *region);

#ifdef __cplusplus
}
#endif

#endif							/* CT_PHONE_H */
