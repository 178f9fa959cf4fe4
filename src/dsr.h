/*
 * dsr.h
 *	  dsr_processing_request: data subject erasure.
 */
#ifndef CT_DSR_H
#define CT_DSR_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "message.h"

/* Answer a dsr_processing_request (kindlist.h). */
extern CtHandler ct_dsr_handle;

/*
 * When request is an erasure: take the user profiles that name its
 * subject identities out of this node's queued messages of its project.
 * On a Citus coordinator, after the erasure was answered on a worker
 * (which cannot reach the coordinator's ct_inbox).
 */
extern void ct_dsr_erase_queued(Jsonb *request);

/* Whether a response is an erasure's. */
extern bool ct_is_dsr_response(Jsonb *response);

#endif							/* CT_DSR_H */
