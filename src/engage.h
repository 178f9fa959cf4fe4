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
	int64		left;			/* a segment the event shows the profile
								 * removed from; 0 */
} CtOccurrence;

/*
 * Queue the profiles of n occurrences of event_name in a project for the
 * running live campaigns on that event: set-wise, in the caller's
 * transaction, one statement to find the campaigns and, when any matches,
 * one read of the profiles' memberships and the queue rows written below
 * SQL (or, where the tables are not as the extension made them, one
 * statement each).  Needs SPI connected (ct_store_connect).
 */
extern void ct_campaigns_qualify(const char *project_id, const char *event_name,
								 const CtOccurrence *occ, int n);

/*
 * Refuse (22023) an event that cannot be recorded: a name of 0 or over 512
 * bytes, properties that are not an object, a time that is not finite,
 * and the events CleverTap raises itself (events.h): Partner Sync, a
 * campaign's outcomes (ct_record_delivery records those), and the SDK's
 * own, which only the extension's owner may record.
 */
extern void ct_check_event(const char *name, Jsonb *props, TimestampTz ts);

/*
 * Record an event of a profile (checked): the row, its usage, the month of
 * an active user (active), live campaigns it triggers, and the outbox of a
 * running export that takes it.  Returns its event_id: event_id when not
 * 0 (taken from the events' sequence by the caller), else a new one; 22023
 * when the project has no such profile.  SPI connected, the project entered
 * (ct_citus_enter).
 */
extern int64 ct_event_record(const char *project_id, const char *ct_id, const char *name,
							 Jsonb *props, TimestampTz ts, bool active, int64 event_id);

/*
 * The profile that a CleverTap ID names now (it may have been merged into
 * another), locked FOR KEY SHARE for the rest of the transaction, or NULL
 * when the project has none.  A merge of the profile that commits while
 * this waits for its lock is followed to the profile merged into.  SPI
 * connected, the project entered.
 */
extern char *ct_event_profile(const char *project_id, const char *ct_id);

#endif							/* CT_ENGAGE_H */
