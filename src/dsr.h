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
 * On a Citus coordinator, the response of request that the node holding
 * its project answered: when request is an erasure, the user profiles that
 * name its subject identities, or any identifier of the profiles the
 * worker erased (which it sends in its response), are taken out of this
 * node's queued messages of the project (the worker cannot reach the
 * coordinator's ct_inbox), and the response is returned without those
 * identifiers.  Else response as it is.
 */
extern Jsonb *ct_dsr_forwarded(Jsonb *request, Jsonb *response);

/* Whether a response is an erasure's. */
extern bool ct_is_dsr_response(Jsonb *response);

#endif							/* CT_DSR_H */
