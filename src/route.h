/*
 * route.h
 *	  Where a Firehose message given to SQL is answered: here, or on the
 *	  Citus node that holds its project.
 */
#ifndef CT_ROUTE_H
#define CT_ROUTE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "message.h"

/*
 * A message given as JSON text: imported straight from the text when the
 * streaming parser takes it as a membership message, else parsed as jsonb
 * and given to otherwise (ct_import_membership, or ct_dispatch for any
 * type), for the same answer or error as the jsonb variants.
 */
extern Jsonb *ct_import_text_or(text *body, CtMessageMode *mode,
								Jsonb *(*otherwise) (Jsonb *request, CtMessageMode *mode));

/*
 * On a Citus cluster, when the message's project is kept on another node:
 * the answer of function(project_id, request text) there (citus.h).  NULL
 * otherwise: the caller answers here.  function is ct_import_audience or
 * ct_firehose; the project is mode's, else the message's own.
 */
extern Jsonb *ct_forward_text(text *body, CtMessageMode *mode, const char *function);

/* A message given as jsonb: sent on as ct_forward_text says, else answer's. */
extern Jsonb *ct_import_jsonb_or(Jsonb *request, const char *function,
								 Jsonb *(*answer) (Jsonb *request, CtMessageMode *mode));

#endif							/* CT_ROUTE_H */
