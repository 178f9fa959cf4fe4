/*
 * exportjson.h
 *	  The parts of the export's requests that come from a user's data, in
 *	  mParticle's JSON (see exportjson.c).
 */
#ifndef CT_EXPORTJSON_H
#define CT_EXPORTJSON_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/jsonb.h"

/* mParticle's limits on names and values (its Events API) */
#define CT_MP_MAX_NAME_CHARS	256
#define CT_MP_MAX_ATTRIBUTES	100
#define CT_MP_MAX_VALUE_CHARS	4096

/*
 * Append a JSON string of len bytes of s, at most max_chars characters
 * (*cut counts what is cut), escaped as escape_json() escapes.
 */
extern void ct_json_string(StringInfo out, const char *s, int len, int max_chars, int *cut);

/* A jsonb value as mParticle's attribute values are: a string; NULL for null. */
extern char *ct_value_text(JsonbValue *v, int *len);

/*
 * Append the custom_attributes of an event from its properties, in no more
 * than room bytes of out in all; what is cut or left out is counted.
 */
extern void ct_render_attributes(StringInfo out, Jsonb *props, int room, int *cut);

/*
 * Append the user attributes of a profile's properties, out no longer than
 * room bytes (the rest is cut); false when it has none.
 */
extern bool ct_render_user_attributes(StringInfo out, Jsonb *properties, int room, int *cut);

#endif							/* CT_EXPORTJSON_H */
