/*
 * pump.h
 *	  One project's export: claim a request, post it, say what happened,
 *	  until the project has nothing to send now.
 */
#ifndef CT_PUMP_H
#define CT_PUMP_H

#include "post.h"

typedef enum CtPumpEnd
{
	CT_PUMP_DONE,				/* nothing to send now (or another exporter
								 * holds it) */
	CT_PUMP_RETRY,				/* a request is to be sent again after
								 * retry_in */
	CT_PUMP_PAUSED,				/* 401/403: the extension paused the project's
								 * export */
	CT_PUMP_NO_SECRET,			/* no secret for the project's feed key */
	CT_PUMP_DATABASE,			/* no connection, or a statement failed */
	CT_PUMP_STOPPED				/* a stop was asked for */
} CtPumpEnd;

typedef struct CtPumped
{
	int			requests;		/* posted, whatever the answer */
	int			tries;			/* of the request to retry: the tries so far */
	double		retry_in;		/* CT_PUMP_RETRY: seconds to wait */
} CtPumped;

extern CtPumpEnd ct_pump(CtPoster *poster, const char *project_id, CtPumped *out);

#endif							/* CT_PUMP_H */
