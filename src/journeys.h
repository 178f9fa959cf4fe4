/*
 * journeys.h
 *	  Live entry into journeys (see sql/tables/ct_journey--0.3.0.sql).
 */
#ifndef CT_JOURNEYS_H
#define CT_JOURNEYS_H

#include "postgres.h"

#include "engage.h"

/*
 * Whether a profile is one the caller's import created and merged nothing
 * into, so that it is in no journey yet (CtSyncCounts.created).
 */
typedef bool (*CtCreatedFn) (void *arg, const char *project_id, const char *ct_id);

/*
 * Enter the profiles that n Partner Sync occurrences of a project add to a
 * segment (member_of) into the live journeys whose entry is that segment,
 * when the occurrence is not older than the journey's start (a profile
 * that exited again only as the journey's re-entry policy lets it, one in
 * it never); make those they remove from it, or from one of the journey's
 * exit segments (left), due, so that the clock exits them.  Set-wise, in the caller's transaction: one statement to
 * find the journeys and, when any matches, one to enter and one to make
 * due.  Needs SPI connected (ct_store_connect).  created (optional, called
 * with created_arg) is asked only of the profiles that enter a live journey,
 * so that an import into a project without any pays nothing for it.
 */
extern void ct_journeys_enter(const char *project_id, const CtOccurrence *occ, int n,
							  CtCreatedFn created, void *created_arg);

#endif							/* CT_JOURNEYS_H */
