/*
 * dispatch.h
 *	  ct_firehose(): any Firehose message, answered by the handler of its type.
 */
#ifndef CT_DISPATCH_H
#define CT_DISPATCH_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "message.h"

/* Answer any supported Firehose message (mode: see CtMessageMode; NULL from SQL). */
extern Jsonb *ct_dispatch(Jsonb *request, CtMessageMode *mode);

#endif							/* CT_DISPATCH_H */
