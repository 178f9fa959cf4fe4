/*
 * exportguard.h
 *	  What keeps the export to mParticle from sending what it must not, or
 *	  stopping for good (see exportguard.c).
 */
#ifndef CT_EXPORTGUARD_H
#define CT_EXPORTGUARD_H

#include "postgres.h"

/*
 * Wait for a claim of the project's export that is building a request, so
 * that the next statement sees it (an erasure or a merge, which change
 * pending requests).  Lock order: an erasure or a merge takes this after
 * the profiles, memberships and journey states it locks and before any
 * outbox, event or request row; ct_export_claim and ct_export_result lock
 * the ct_export row first and lock none of those others, so they never
 * wait in a circle.  SPI connected.
 */
extern void ct_export_serialize(const char *project_id);

/*
 * Say that a claim dropped n outbox rows of the project too large for any
 * request: a WARNING, and ct_export.last_error.  SPI connected.
 */
extern void ct_export_unsendable(const char *project_id, int n);

#endif							/* CT_EXPORTGUARD_H */
