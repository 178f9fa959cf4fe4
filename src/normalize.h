/*
 * normalize.h
 *	  Email, identity and CleverTap ID checks (pure C, no PostgreSQL
 *	  dependency, so they can be unit-tested and fuzzed on their own).
 */
#ifndef CT_NORMALIZE_H
#define CT_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest email address accepted, in bytes (RFC 5321 path limit). */
#define CT_EMAIL_MAX_LEN 254
/* Identity values must be shorter than this many characters (CleverTap). */
#define CT_IDENTITY_MAX_CHARS 1024
/* Longest CleverTap ID, in characters. */
#define CT_CTID_MAX_LEN 64

/*
 * Normalize an email address: trim ASCII whitespace, lower-case ASCII
 * letters, check the syntax.  "out" must have room for len + 1 bytes.
 * Returns the normalized length (> 0, NUL-terminated in out), or -1 when
 * the input is not an address (including empty after trimming or longer
 * than CT_EMAIL_MAX_LEN bytes after trimming).
 *
 * Accepted: a dot-atom local part of 1-64 bytes (RFC 5322 atext), '@', and
 * a domain of two or more labels of 1-63 bytes (letters, digits, inner
 * hyphens), the last one 2+ bytes and not all digits.  Well-formed UTF-8
 * is allowed in both parts and kept as is (only A-Z are lower-cased, so
 * the result does not depend on the locale).  Quoted local parts, IP
 * literals, comments, inner whitespace, control characters and NUL bytes
 * are refused.  On -1, out holds an empty string.
 */
extern int	ct_normalize_email(const char *in, size_t len, char *out);

/*
 * True when the value is one CleverTap treats as no identity at all
 * (undefined, null, na, n/a, 0, nil, -1, infinity, -infinity, inf, -inf,
 * nan, -nan, empty, xxxxxx, none, anonymous, guest), compared
 * case-insensitively after trimming ASCII whitespace.
 */
extern bool ct_identity_is_forbidden(const char *s, size_t len);

/*
 * Classify an identity value (customer id, other id, mpid).
 */
typedef enum CtIdentityCheck
{
	CT_IDENTITY_OK = 0,
	CT_IDENTITY_EMPTY,			/* empty or only whitespace */
	CT_IDENTITY_FORBIDDEN,		/* one of the forbidden values */
	CT_IDENTITY_TOO_LONG		/* CT_IDENTITY_MAX_CHARS characters or more */
} CtIdentityCheck;

/*
 * Check an identity value given as UTF-8 bytes.  Length is counted in
 * characters (UTF-8 code points), as CleverTap counts them.  The value is
 * used as given (no trimming), but emptiness and the forbidden list are
 * judged after trimming ASCII whitespace.  The checks run in the order of
 * the enum: a value that is blank is EMPTY whatever its length.  Values
 * shorter than CT_IDENTITY_MAX_CHARS bytes are never counted, so the usual
 * case costs a trim and at most a few byte compares.
 */
extern CtIdentityCheck ct_identity_check(const char *s, size_t len);

/* True when s is a valid CleverTap ID: 1-64 of A-Z a-z 0-9 ( ) ! : @ $ _ - */
extern bool ct_ctid_is_valid(const char *s, size_t len);

#endif							/* CT_NORMALIZE_H */
