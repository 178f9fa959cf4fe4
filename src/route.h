/*
 * route.h
 *	  Where a Firehose message given to SQL is answered: here, or on the
 *	  Citus node that holds its project.
 */
#ifndef CT_ROUTE_H
#define CT_ROUTE_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"

#include "message.h"

/*
 * The answer to a call of the SQL function function (ct_import_audience or
 * ct_firehose) whose arguments are fcinfo's: (request jsonb), (request
 * text) or (project_id text, request text).  On a Citus cluster a message
 * of a project kept on another node is answered there, by the same
 * function (citus.h).  Here, answer answers it; a membership message given
 * as text is first read straight from the text (ct_import_membership_text),
 * and only a message that reader does not take is parsed as jsonb, for the
 * same answer or error.
 */
extern Jsonb *ct_route_jsonb(FunctionCallInfo fcinfo, const char *function, CtHandler answer);
extern Jsonb *ct_route_text(FunctionCallInfo fcinfo, const char *function, CtHandler answer);
extern Jsonb *ct_route_project(FunctionCallInfo fcinfo, const char *function, CtHandler answer);

#endif							/* CT_ROUTE_H */
