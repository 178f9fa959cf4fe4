/*
 * route.c
 *	  Where a Firehose message given to SQL is answered: on this node, or,
 *	  on a Citus cluster, on the node that holds its project (citus.h); and
 *	  the SQL functions ct_import_audience.
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

PG_FUNCTION_INFO_V1(ct_import_audience);
PG_FUNCTION_INFO_V1(ct_import_audience_text);
PG_FUNCTION_INFO_V1(ct_import_audience_project);

/* See route.h. */
Jsonb *
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
		ct_dsr_erase_queued(ct_jsonb_from_text(body));
	return result;
}

/* See route.h. */
Jsonb *
ct_import_jsonb_or(Jsonb *request, const char *function,
				   Jsonb *(*answer) (Jsonb *request, CtMessageMode *mode))
{
	Jsonb	   *result = NULL;

	if (ct_citus_distributed())
		result = ct_forward_text(cstring_to_text(JsonbToCString(NULL, &request->root, VARSIZE(request))),
								 NULL, function);
	return result != NULL ? result : answer(request, NULL);
}

/* SQL: ct_import_audience(request jsonb) returns jsonb */
Datum
ct_import_audience(PG_FUNCTION_ARGS)
{
	ct_require_message(fcinfo);
	PG_RETURN_JSONB_P(ct_import_jsonb_or(PG_GETARG_JSONB_P(0), "ct_import_audience", ct_import_membership));
}

/* See route.h. */
Jsonb *
ct_import_text_or(text *body, CtMessageMode *mode,
				  Jsonb *(*otherwise) (Jsonb *request, CtMessageMode *mode))
{
	Jsonb	   *result = ct_forward_text(body, mode, otherwise == ct_import_membership ?
										 "ct_import_audience" : "ct_firehose");

	if (result != NULL)
		return result;
	result = ct_import_membership_text(body, mode);

	return result != NULL ? result : otherwise(ct_jsonb_from_text(body), mode);
}

/*
 * SQL: ct_import_audience(project_id text, request text) returns jsonb:
 * the same for a message that must be project_id's (28000 otherwise, as for
 * a wrong passcode).  The project as an argument is what a distributed
 * function call is routed by.
 */
Datum
ct_import_audience_project(PG_FUNCTION_ARGS)
{
	CtMessageMode mode = {0};

	ct_require_arg(fcinfo, 0, "project_id");
	ct_require_message_at(fcinfo, 1);
	mode.project = text_to_cstring(PG_GETARG_TEXT_PP(0));
	PG_RETURN_JSONB_P(ct_import_text_or(PG_GETARG_TEXT_PP(1), &mode, ct_import_membership));
}

/*
 * SQL: ct_import_audience(request text) returns jsonb.  A message the
 * streaming parser does not take is parsed as jsonb, for the same answer
 * or error as the jsonb variant.
 */
Datum
ct_import_audience_text(PG_FUNCTION_ARGS)
{
	ct_require_message(fcinfo);
	PG_RETURN_JSONB_P(ct_import_text_or(PG_GETARG_TEXT_PP(0), NULL, ct_import_membership));
}
