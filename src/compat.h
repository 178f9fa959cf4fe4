/*
 * compat.h
 *	  The PostgreSQL calls whose signatures changed after version 15, the
 *	  version this extension is built and tested on, written once for each.
 *
 * Only 15 is tested (see the README's Supported versions); the branches for
 * later versions follow those versions' headers and are not compiled here.
 */
#ifndef CT_COMPAT_H
#define CT_COMPAT_H

#include "postgres.h"

#include "common/jsonapi.h"

/* JSON parser actions return an error code from 16 on; void before. */
#if PG_VERSION_NUM >= 160000
typedef JsonParseErrorType CtJsonAction;
#define CT_JSON_ACTION_OK JSON_SUCCESS
#else
typedef void CtJsonAction;
#define CT_JSON_ACTION_OK
#endif

/* A lexer over a string of known length, de-escaping (17 takes a lexer to fill). */
#if PG_VERSION_NUM >= 170000
#define ct_json_lexer(json, len, encoding) \
	makeJsonLexContextCstringLen(NULL, (json), (len), (encoding), true)
#else
#define ct_json_lexer(json, len, encoding) \
	makeJsonLexContextCstringLen((json), (len), (encoding), true)
#endif

/* Index entries of a new heap tuple (16 added onlySummarizing). */
#if PG_VERSION_NUM >= 160000
#define ct_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL, false)
#else
#define ct_insert_index_tuples(rri, slot, estate) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, false, NULL, NIL)
#endif

/*
 * SCRAM's salted password, SHA-256, from a uint8 salt: 16 made the hash a
 * parameter and renamed SCRAM_KEY_LEN, 18 takes the salt as uint8.
 */
#if PG_VERSION_NUM >= 180000
#define ct_salted_password(pw, salt, saltlen, iterations, result, errstr) \
	scram_SaltedPassword((pw), PG_SHA256, SCRAM_SHA_256_KEY_LEN, (salt), (saltlen), \
						 (iterations), (result), (errstr))
#elif PG_VERSION_NUM >= 160000
#define ct_salted_password(pw, salt, saltlen, iterations, result, errstr) \
	scram_SaltedPassword((pw), PG_SHA256, SCRAM_SHA_256_KEY_LEN, (const char *) (salt), (saltlen), \
						 (iterations), (result), (errstr))
#else
#define ct_salted_password(pw, salt, saltlen, iterations, result, errstr) \
	scram_SaltedPassword((pw), (const char *) (salt), (saltlen), (iterations), (result), (errstr))
#endif
#ifndef SCRAM_KEY_LEN
#define SCRAM_KEY_LEN SCRAM_SHA_256_KEY_LEN
#endif

/* The sequence of an identity column (17 takes the relation). */
#if PG_VERSION_NUM >= 170000
#define ct_identity_sequence(rel, attnum) getIdentitySequence((rel), (attnum), false)
#else
#define ct_identity_sequence(rel, attnum) \
	getIdentitySequence(RelationGetRelid(rel), (attnum), false)
#endif

/* An index scan (18 added instrumentation). */
#if PG_VERSION_NUM >= 180000
#define ct_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), 0)
#else
#define ct_index_beginscan(heap, index, snapshot, nkeys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), 0)
#endif

/* 18 replaced pg_attribute_noreturn() with a pg_noreturn prefix. */
#ifndef pg_attribute_noreturn
#define pg_attribute_noreturn() __attribute__((noreturn))
#endif

#endif							/* CT_COMPAT_H */
