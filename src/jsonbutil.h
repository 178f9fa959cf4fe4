/*
 * jsonbutil.h
 *	  Walking a jsonb message in place, with errors that name the JSON path.
 *
 * Values are read straight out of the jsonb datum: strings point into it
 * (CtStr, not NUL-terminated) and nested objects and arrays are
 * JsonbContainer pointers, so walking a message copies nothing.
 */
#ifndef CT_JSONBUTIL_H
#define CT_JSONBUTIL_H

#include "postgres.h"
#include "utils/jsonb.h"

#include "compat.h"

/* A string inside a jsonb datum; not NUL-terminated. */
typedef struct CtStr
{
	const char *s;
	int			len;
} CtStr;


/*
 * One step of a JSON path, chained to its parent on the C stack.  Paths
 * cost nothing until an error formats them.
 */
typedef struct CtPath
{
	const struct CtPath *parent;
	const char *key;			/* object member, or NULL for an array index */
	int			index;
} CtPath;

#define CT_PATH_ROOT(name) CtPath name = {NULL, NULL, -1}
#define CT_PATH_KEY(name, par, k) CtPath name = {(par), (k), -1}
#define CT_PATH_INDEX(name, par, i) CtPath name = {(par), NULL, (i)}

extern char *ct_path_format(const CtPath *path, const char *leaf);

pg_noreturn extern void ct_json_error(int sqlstate, const CtPath *path, const char *leaf,
									  const char *fmt,...) pg_attribute_printf(4, 5);

extern const char *ct_json_type_name(const JsonbValue *v);

/* Look up a member; false when absent or JSON null. */
extern bool ct_json_member(JsonbContainer *obj, const char *key, JsonbValue *out);

/* Typed member accessors: return false when absent/null and !required. */
extern bool ct_json_get_string(JsonbContainer *obj, const char *key,
							   const CtPath *path, bool required, CtStr *out);
extern JsonbContainer *ct_json_get_object(JsonbContainer *obj, const char *key,
										  const CtPath *path, bool required);
extern JsonbContainer *ct_json_get_array(JsonbContainer *obj, const char *key,
										 const CtPath *path, bool required);

/* Text to jsonb, exactly as a cast would do it. */
extern Jsonb *ct_jsonb_from_text(text *t);

/* The same, less account.account_settings.passcode (a string): its value in *passcode. */
extern Jsonb *ct_jsonb_from_text_sans_passcode(text *t, CtStr *passcode);

/* A decimal integer (optional '-', digits only); false if not one or out of range. */
extern bool ct_parse_int64(const char *s, int len, int64 *out);
extern bool ct_json_get_int64(JsonbContainer *obj, const char *key,
							  const CtPath *path, bool required, int64 *out);

/* The i-th element of an array, which must be an object. */
extern JsonbContainer *ct_json_array_object(JsonbContainer *arr, int i,
											const CtPath *path);

/* Compare a CtStr to a C string. */
static inline bool
ct_str_eq(CtStr a, const char *b)
{
	int			blen = strlen(b);

	return a.len == blen && memcmp(a.s, b, blen) == 0;
}

/* Case-insensitive (ASCII) comparison of a CtStr to a lower-case C string. */
extern bool ct_str_eq_ci(CtStr a, const char *lower);

#endif							/* CT_JSONBUTIL_H */
