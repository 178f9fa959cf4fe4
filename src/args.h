/*
 * args.h
 *	  Checks of SQL function arguments.
 */
#ifndef CT_ARGS_H
#define CT_ARGS_H

#include "postgres.h"

#include "access/detoast.h"
#include "fmgr.h"

#include "firehose.h"

/*
 * Raise 22004 naming the argument when argument n is NULL: the functions
 * that need a value are not STRICT, so that a NULL is an error rather than
 * a NULL result a caller could take for an answer.
 */
static inline void
ct_require_arg(FunctionCallInfo fcinfo, int n, const char *name)
{
	if (PG_ARGISNULL(n))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
}

/*
 * The Firehose message argument (the first): not NULL, and not larger
 * than ctaudience.max_message_bytes, checked before it is detoasted.
 */
static inline void
ct_require_message(FunctionCallInfo fcinfo)
{
	ct_require_arg(fcinfo, 0, "request");
	ct_check_message_bytes(toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ);
}

#endif							/* CT_ARGS_H */
