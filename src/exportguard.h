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

/* The names of a selected_events export's events (text[]): *n of them. */
extern char **ct_export_selection(Datum events, int *n);

/*
 * Whether an export of export_type (with its selected names) takes an event
 * of that name, as ctaudience.ct_export_selects() says.  A claim drops an
 * outbox row it no longer takes: one queued while ct_configure_export
 * narrowed the selection (the insert did not see the change).
 */
extern bool ct_export_selects_name(const char *export_type, char *const *selected, int nselected,
								   const char *name);

#endif							/* CT_EXPORTGUARD_H */
