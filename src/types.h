/*
 * types.h
 *	  Helpers shared by the ct_email / ct_phone types and the import.
 */
#ifndef CT_TYPES_H
#define CT_TYPES_H

#include "postgres.h"

#include "phone.h"

/* A ct_email datum of a normalized address, or NULL when invalid. */
extern text *ct_email_make(const char *s, size_t len);

/* libphonenumber through the shim; internal failures raise an error. */
extern CtPhoneResult ct_phone_parse(const char *s, size_t len, const char *region,
									int64 *e164);

/* "+digits" of an E.164 int8 into buf of CT_PHONE_E164_BUFSIZE bytes. */
extern int	ct_phone_format(int64 e164, char *buf);

#endif							/* CT_TYPES_H */
