/*
 * dispatch.h
 *	  The Firehose message handlers behind ct_firehose().
 */
#ifndef CT_DISPATCH_H
#define CT_DISPATCH_H

#include "postgres.h"

#include "utils/jsonb.h"

/* Answer any supported Firehose message (dispatch.c). */
extern Jsonb *ct_dispatch(Jsonb *request);

/* audience_subscription_request: add, update, remove (subscription.c). */
extern Jsonb *ct_handle_subscription(Jsonb *request);

/* dsr_processing_request: erasure (dsr.c). */
extern Jsonb *ct_handle_dsr(Jsonb *request);

#endif							/* CT_DISPATCH_H */
