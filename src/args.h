/*
 * args.h
 *	  Checks of SQL function arguments.
 */
#ifndef CT_ARGS_H
#define CT_ARGS_H

#include "postgres.h"

#include "access/detoast.h"
#include "fmgr.h"

#include "model.h"

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
 * The Firehose message argument (number n): not NULL, and not larger than
 * ctaudience.max_message_bytes, checked before it is detoasted.
 */
static inline void
ct_require_message_at(FunctionCallInfo fcinfo, int n)
{
	ct_require_arg(fcinfo, n, "request");
	ct_check_message_bytes(toast_raw_datum_size(PG_GETARG_DATUM(n)) - VARHDRSZ);
}

#define ct_require_message(fcinfo) ct_require_message_at((fcinfo), 0)

#endif							/* CT_ARGS_H */
