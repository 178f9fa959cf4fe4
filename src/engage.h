/*
 * engage.h
 *	  Live campaigns: the occurrences of an event qualify the profiles that
 *	  a running campaign on that event targets (see sql/tables/ct_campaign--0.2.0.sql).
 */
#ifndef CT_ENGAGE_H
#define CT_ENGAGE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/jsonb.h"

/* One occurrence of an event of a profile. */
typedef struct CtOccurrence
{
	const char *ct_id;
	TimestampTz ts;
	Jsonb	   *props;			/* shared by occurrences with the same
								 * properties */
	int64		member_of;		/* a segment the event shows the profile in
								 * now; 0 */
} CtOccurrence;

/*
 * Queue the profiles of n occurrences of event_name in a project for the
 * running live campaigns on that event: set-wise, in the caller's
 * transaction, one statement to find the campaigns and, when any matches,
 * one to queue.  Needs SPI connected (ct_store_connect).
 */
extern void ct_campaigns_qualify(const char *project_id, const char *event_name,
								 const CtOccurrence *occ, int n);

#endif							/* CT_ENGAGE_H */
