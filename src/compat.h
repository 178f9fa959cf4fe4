/*
 * compat.h
 *	  The PostgreSQL calls, types and headers that changed after version 15,
 *	  written once for each version.
 *
 * 15 and 18 are built and tested (see the README's Supported versions).
 * A change made in 16 or 17 is written as ">= 160000" or ">= 170000", so
 * 18 compiles that branch too; the one branch for 16 and 17 alone
 * (scram_SaltedPassword's salt) is compiled on neither.  Server code and the
 * frontend unit tests both include this file, after postgres.h or
 * postgres_fe.h.
 */
#ifndef CT_COMPAT_H
#define CT_COMPAT_H

#include "c.h"

#include "common/jsonapi.h"
#if PG_VERSION_NUM < 170000
#include "lib/stringinfo.h"
#endif
/* The varlena macros (VARDATA_ANY, ...) left postgres.h for varatt.h in 16. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

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

/* Free such a lexer and its de-escaping buffer (17 added freeJsonLexContext). */
#if PG_VERSION_NUM >= 170000
#define ct_json_lexer_free(lex) freeJsonLexContext(lex)
#else
static inline void
ct_json_lexer_free(JsonLexContext *lex)
{
	if (lex->strval != NULL)
	{
		pfree(lex->strval->data);
		pfree(lex->strval);
	}
	pfree(lex);
}
#endif

/* A role's privilege on a function (16 made pg_proc_aclcheck object_aclcheck). */
#if PG_VERSION_NUM >= 160000
#define ct_proc_aclcheck(fn, role, mode) object_aclcheck(ProcedureRelationId, (fn), (role), (mode))
#else
#define ct_proc_aclcheck(fn, role, mode) pg_proc_aclcheck((fn), (role), (mode))
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
 * A speculative insertion's index entries and the arbiter check before it
 * (16 added onlySummarizing; 18 the TID of a row to leave out of the check).
 */
#if PG_VERSION_NUM >= 160000
#define ct_insert_index_tuples_spec(rri, slot, estate, conflict, arbiter) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, true, (conflict), (arbiter), false)
#else
#define ct_insert_index_tuples_spec(rri, slot, estate, conflict, arbiter) \
	ExecInsertIndexTuples((rri), (slot), (estate), false, true, (conflict), (arbiter))
#endif
#if PG_VERSION_NUM >= 180000
#define ct_check_index_constraints(rri, slot, estate, tid, arbiter) \
	ExecCheckIndexConstraints((rri), (slot), (estate), (tid), NULL, (arbiter))
#else
#define ct_check_index_constraints(rri, slot, estate, tid, arbiter) \
	ExecCheckIndexConstraints((rri), (slot), (estate), (tid), (arbiter))
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

/* This backend's local transaction id (17 moved it into PGPROC.vxid); needs storage/proc.h. */
#if PG_VERSION_NUM >= 170000
#define ct_my_lxid() (MyProc->vxid.lxid)
#else
#define ct_my_lxid() (MyProc->lxid)
#endif

/* A function that never returns: a prefix from 18 on, pg_attribute_noreturn() before. */
#ifndef pg_noreturn
#define pg_noreturn pg_attribute_noreturn()
#endif

#endif							/* CT_COMPAT_H */
