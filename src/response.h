/*
 * response.h
 *	  Build the jsonb responses to Firehose messages: a JSON object
 *	  assembled in order, and the envelope every response carries.
 */
#ifndef CT_RESPONSE_H
#define CT_RESPONSE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "model.h"

/* Response builder: a JSON object assembled in order. */
typedef struct CtJsonBuilder
{
	JsonbParseState *state;
} CtJsonBuilder;

extern void ct_jb_begin(CtJsonBuilder *b);
extern void ct_jb_key(CtJsonBuilder *b, const char *key);
extern void ct_jb_string(CtJsonBuilder *b, const char *key, const char *val, int len);
extern void ct_jb_int(CtJsonBuilder *b, const char *key, int64 val);
extern void ct_jb_bool(CtJsonBuilder *b, const char *key, bool val);
extern void ct_jb_jsonb(CtJsonBuilder *b, const char *key, Jsonb *val);
extern void ct_jb_nest(CtJsonBuilder *b, const char *key, JsonbIteratorToken tok);
#define ct_jb_begin_object(b, key) ct_jb_nest((b), (key), WJB_BEGIN_OBJECT)
#define ct_jb_end_object(b) ct_jb_nest((b), NULL, WJB_END_OBJECT)
#define ct_jb_begin_array(b, key) ct_jb_nest((b), (key), WJB_BEGIN_ARRAY)
#define ct_jb_end_array(b) ct_jb_nest((b), NULL, WJB_END_ARRAY)
extern Jsonb *ct_jb_finish(CtJsonBuilder *b);

/* The envelope of a response: type, id, timestamp_ms, firehose_version. */
extern void ct_jb_response_envelope(CtJsonBuilder *b, const char *type,
									const CtEnvelope *request);

#endif							/* CT_RESPONSE_H */
