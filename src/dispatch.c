/*
 * dispatch.c
 *	  The SQL functions that answer Firehose messages: ct_firehose() any
 *	  message an audience integration receives, by the handler of its kind
 *	  (kindlist.h), and ct_import_audience() a membership message.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "dispatch.h"
#include "firehose.h"
#include "kind.h"
#include "route.h"

PG_FUNCTION_INFO_V1(ct_firehose);
PG_FUNCTION_INFO_V1(ct_firehose_text);
PG_FUNCTION_INFO_V1(ct_firehose_project);
PG_FUNCTION_INFO_V1(ct_import_audience);
PG_FUNCTION_INFO_V1(ct_import_audience_text);
PG_FUNCTION_INFO_V1(ct_import_audience_project);

/* The handler of each kind, declared and listed from kindlist.h. */
#define CT_KIND(id, type, response, name, flags, handler) extern CtHandler handler;
#include "kindlist.h"
#undef CT_KIND

static CtHandler *const ct_handlers[CT_NKINDS] = {
#define CT_KIND(id, type, response, name, flags, handler) [id] = handler,
#include "kindlist.h"
#undef CT_KIND
};

/* See dispatch.h. */
Jsonb *
ct_dispatch(Jsonb *request, CtMessageMode *mode)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work = AllocSetContextCreate(outer, "ctaudience firehose",
											   ALLOCSET_SMALL_SIZES);
	CtEnvelope	env;
	const CtKind *kind;
	Jsonb	   *result;

	MemoryContextSwitchTo(work);
	ct_parse_envelope(ct_message_root(request), &env);
	kind = ct_kind_find(env.type);
	if (kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid Firehose message: unsupported message type \"%.*s\"",
						Min(env.type.len, 64), env.type.s),
				 errdetail("The problem is at JSON path type."),
				 errhint("ct_firehose() answers %s.", ct_kind_list(0))));
	MemoryContextSwitchTo(outer);
	result = ct_handlers[kind - ct_kinds] (request, mode);
	MemoryContextDelete(work);
	return result;
}

/* SQL: ct_firehose(request jsonb) returns jsonb */
Datum
ct_firehose(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ct_route_jsonb(fcinfo, "ct_firehose", ct_dispatch));
}

/*
 * SQL: ct_firehose(request text) returns jsonb.  Membership messages are
 * read straight from the text; everything else goes through jsonb.
 */
Datum
ct_firehose_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ct_route_text(fcinfo, "ct_firehose", ct_dispatch));
}

/*
 * SQL: ct_firehose(project_id text, request text) returns jsonb: the same
 * for a message that must be project_id's (28000 otherwise, as for a wrong
 * passcode; a registration, which names no project, is answered as ever).
 */
Datum
ct_firehose_project(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ct_route_project(fcinfo, "ct_firehose", ct_dispatch));
}

/* SQL: ct_import_audience(request jsonb) returns jsonb */
Datum
ct_import_audience(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ct_route_jsonb(fcinfo, "ct_import_audience", ct_import_membership));
}

/*
 * SQL: ct_import_audience(request text) returns jsonb.  A message the
 * streaming parser does not take is parsed as jsonb, for the same answer
 * or error as the jsonb variant.
 */
Datum
ct_import_audience_text(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ct_route_text(fcinfo, "ct_import_audience", ct_import_membership));
}

/*
 * SQL: ct_import_audience(project_id text, request text) returns jsonb: the
 * same for a message that must be project_id's.
 */
Datum
ct_import_audience_project(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ct_route_project(fcinfo, "ct_import_audience", ct_import_membership));
}
