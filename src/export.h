/*
 * export.h
 *	  The database's side of the export to mParticle (see export.c).
 */
#ifndef CT_EXPORT_H
#define CT_EXPORT_H

#include "postgres.h"

#include "store.h"

/*
 * Whether the project's export takes new events named name now: a
 * recurring export, enabled and not done, of a type that takes them.
 * SPI connected.
 */
extern bool ct_export_takes(const char *project_id, const char *name);

/* Queue events of a project for its export: (ct_ids[i], event_ids[i]). */
extern void ct_export_queue(const char *project_id, CtArr *ct_ids, CtArr *event_ids);

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

#endif							/* CT_EXPORT_H */
