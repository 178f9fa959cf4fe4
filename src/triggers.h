/*
 * triggers.h
 *	  The Partner Sync trigger on ct_segment_member.
 */
#ifndef CT_TRIGGERS_H
#define CT_TRIGGERS_H

#include "postgres.h"

/* What the trigger did during one import statement. */
typedef struct CtSyncCounts
{
	int64		added;
	int64		removed;

	/*
	 * Optional: whether a profile has an email and a phone, as the import
	 * knows them, saving the trigger a lookup.  Returns false when unknown.
	 */
	bool		(*contact) (void *arg, const char *project_id, const char *ct_id,
							bool *has_email, bool *has_phone);
	void	   *contact_arg;

	/*
	 * Optional (with contact_arg): whether the import created the profile and
	 * merged no other into it, so that it is in no journey: its entries need
	 * no check for a state row (ct_direct_journey_enter).
	 */
	bool		(*created) (void *arg, const char *project_id, const char *ct_id);
} CtSyncCounts;

/*
 * While the import runs its membership statement, it points this at its
 * counters and the trigger adds what it raised; NULL otherwise.
 */
extern CtSyncCounts *ct_sync_collector;

/*
 * Whether changed memberships raise Partner Sync (events, usage, campaigns,
 * NOTIFY).  False while a merged profile's memberships move (absorb.c):
 * the statistics follow, nothing is raised; its own events move with it.
 */
extern bool ct_sync_raise;

/*
 * Raise what the insert trigger of ct_segment_member raises for rows the
 * import wrote itself (ct_direct_insert_members): n rows of one project and
 * time; segment (int8), ct_id (text) and is_member (bool) are datums.
 */
extern void ct_members_inserted(const char *project_id, int n, Datum *segment,
								Datum *ct_id, Datum *is_member, TimestampTz stated_at);

/*
 * Raise what the insert trigger of ct_profile raises for n profiles of one
 * project the import wrote itself (ct_direct_insert_profiles) at message
 * time ts: a property update per email and per phone set.
 */
extern void ct_profiles_inserted(const char *project_id, int n, const bool *email_null,
								 const bool *phone_null, TimestampTz ts);

/*
 * Run fn(arg) as one of the extension's own writes: the triggers act only
 * during such a call, so that rows written otherwise (a restore) derive
 * nothing.
 */
extern void ct_with_triggers(void (*fn) (void *arg), void *arg);

/* ctaudience.notify_partner_sync: NOTIFY ct_partner_sync on changes. */
extern bool ct_notify_partner_sync;

/* Define this module's settings (from _PG_init). */
extern void ct_triggers_init(void);

#endif							/* CT_TRIGGERS_H */
