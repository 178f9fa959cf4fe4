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

#endif							/* CT_EXPORT_H */
