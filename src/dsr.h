/*
 * dsr.h
 *	  dsr_processing_request: data subject erasure.
 */
#ifndef CT_DSR_H
#define CT_DSR_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "message.h"

/* dsr_processing_request, for ct_message_handle. */
extern const CtMessageKind ct_dsr_kind;

#endif							/* CT_DSR_H */
