/*
 * dsr.h
 *	  dsr_processing_request: data subject erasure.
 */
#ifndef CT_DSR_H
#define CT_DSR_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "message.h"

/* Answer a dsr_processing_request (mode: see CtMessageMode). */
extern Jsonb *ct_handle_dsr(Jsonb *request, CtMessageMode *mode);

#endif							/* CT_DSR_H */
