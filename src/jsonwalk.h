/*-------------------------------------------------------------------------
 *
 * jsonwalk.h
 *	  A fast walk over JSON text that calls pg_parse_json's semantic actions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CT_JSONWALK_H
#define CT_JSONWALK_H

#include "common/jsonapi.h"

typedef enum CtWalkResult
{
	CT_WALK_OK,					/* valid JSON, every action called */
	CT_WALK_INVALID,			/* not valid JSON (pg_parse_json fails too) */
	CT_WALK_UNSUPPORTED			/* \u escapes outside UTF-8, or deep nesting:
								 * use pg_parse_json */
} CtWalkResult;

/* Nesting deeper than this is left to pg_parse_json (and its stack check). */
#define CT_WALK_MAX_DEPTH 256

extern CtWalkResult ct_json_walk(const char *json, int len, int encoding,
								 JsonSemAction *sem);

/*
 * The top-level "id" and account.account_settings.accountId of a message,
 * as written (pointers into json, without the quotes), read with the lexer
 * alone and no further than needed to meet both, nor past max_bytes: a
 * hint (it sees the first of duplicate keys, and no escapes), which never
 * reads or writes outside json, whatever json is.  False, with both NULL
 * or one of them, when it does not find both.
 */
extern bool ct_json_peek_id(char *json, int len, int encoding, int max_bytes,
							const char **account_id, int *account_len,
							const char **id, int *id_len);
extern char *ct_json_error_path(JsonLexContext *lex, int offset, int encoding,
								bool *in_name);

#endif							/* CT_JSONWALK_H */
