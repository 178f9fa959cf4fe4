/*
 * route.c
 *	  Where a Firehose message given to SQL is answered: on this node, or,
 *	  on a Citus cluster, on the node that holds its project (citus.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "args.h"
#include "citus.h"
#include "dsr.h"
#include "import.h"
#include "jsonbutil.h"
#include "route.h"

/*
 * On a Citus cluster, when the message's project is kept on another node:
 * the answer of function(project_id, request text) there.  NULL otherwise:
 * the caller answers here.  The project is mode's, else the message's own.
 */
static Jsonb *
ct_forward_text(text *body, CtMessageMode *mode, const char *function)
{
	const char *project;
	Jsonb	   *result;

	if (!ct_citus_distributed())
		return NULL;
	project = mode != NULL && mode->project != NULL ? mode->project :
		ct_request_project(VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body));
	if (project == NULL || ct_citus_is_local(project))
		return NULL;
	result = DatumGetJsonbP(ct_citus_forward(function, project, PointerGetDatum(body), TEXTOID));
	if (ct_is_dsr_response(result))
		result = ct_dsr_forwarded(ct_jsonb_from_text(body), result);
	return result;
}

/* A message given as text, with mode (see route.h). */
static Jsonb *
ct_answer_text(text *body, CtMessageMode *mode, const char *function, CtHandler answer)
{
	Jsonb	   *result = ct_forward_text(body, mode, function);

	if (result != NULL)
		return result;
	result = ct_import_membership_text(body, mode);
	return result != NULL ? result : answer(ct_jsonb_from_text(body), mode);
}

/* See route.h. */
Jsonb *
ct_route_jsonb(FunctionCallInfo fcinfo, const char *function, CtHandler answer)
{
	Jsonb	   *request;
	Jsonb	   *result = NULL;

	ct_require_message(fcinfo);
	request = PG_GETARG_JSONB_P(0);
	if (ct_citus_distributed())
		result = ct_forward_text(cstring_to_text(JsonbToCString(NULL, &request->root, VARSIZE(request))),
								 NULL, function);
	return result != NULL ? result : answer(request, NULL);
}

/* See route.h. */
Jsonb *
ct_route_text(FunctionCallInfo fcinfo, const char *function, CtHandler answer)
{
	ct_require_message(fcinfo);
	return ct_answer_text(PG_GETARG_TEXT_PP(0), NULL, function, answer);
}

/*
 * See route.h.  The message must be project_id's: one of another project
 * is refused as a wrong passcode is (28000).  The project as an argument is
 * what a distributed function call is routed by.
 */
Jsonb *
ct_route_project(FunctionCallInfo fcinfo, const char *function, CtHandler answer)
{
	CtMessageMode mode = {0};

	ct_require_arg(fcinfo, 0, "project_id");
	ct_require_message_at(fcinfo, 1);
	mode.project = text_to_cstring(PG_GETARG_TEXT_PP(0));
	return ct_answer_text(PG_GETARG_TEXT_PP(1), &mode, function, answer);
}
