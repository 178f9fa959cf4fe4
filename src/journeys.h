/*
 * journeys.h
 *	  Live entry into journeys (see sql/tables/ct_journey--0.3.0.sql).
 */
#ifndef CT_JOURNEYS_H
#define CT_JOURNEYS_H

#include "postgres.h"

#include "engage.h"

/*
 * Enter the profiles that n Partner Sync occurrences of a project add to a
 * segment (member_of) into the live journeys whose entry is that segment,
 * when the occurrence is not older than the journey's start (a profile
 * that exited again only as the journey's re-entry policy lets it, one in
 * it never); make those they remove from it, or from one of the journey's
 * exit segments (left), due, so that the clock exits them.  Set-wise, in the caller's transaction: one statement to
 * find the journeys and, when any matches, one to enter and one to make
 * due.  Needs SPI connected (ct_store_connect).
 */
extern void ct_journeys_enter(const char *project_id, const CtOccurrence *occ, int n);

#endif							/* CT_JOURNEYS_H */
