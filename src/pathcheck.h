/*
 * pathcheck.h
 *	  The paths that read and write the extension's tables below SQL
 *	  (direct.c, queue.c) and the one check each runs before it is taken:
 *	  whether its table (and index) is still as the extension made it.  When
 *	  not, the caller runs the SQL statement instead.  ct_direct_paths()
 *	  shows the same checks' answers to an operator (pathcheck.c).
 */
#ifndef CT_PATHCHECK_H
#define CT_PATHCHECK_H

#include "postgres.h"

#include "storage/lockdefs.h"
#include "utils/relcache.h"

/* The paths; ct_direct_paths() shows them in this order. */
typedef enum CtDirectPath
{
	CT_PATH_INSERT_PROFILES,	/* new profiles (write.c) */
	CT_PATH_INSERT_MEMBERS,		/* new memberships (members.c) */
	CT_PATH_INSERT_EVENTS,		/* Partner Sync events (triggers.c) */
	CT_PATH_INSERT_QUEUE,		/* recurring campaigns' queue rows */
	CT_PATH_INSERT_QUEUE_ONCE,	/* one-time campaigns' queue rows */
	CT_PATH_JOURNEY_ENTER,		/* journeys' new state rows */
	CT_PATH_JOURNEY_STEPS,		/* and their 'entered' steps */
	CT_PATH_PROFILES_BY_CTID,	/* profiles looked up (and locked) */
	CT_PATH_PROFILES_BY_IDENTITY,
	CT_PATH_PROFILE_ALIASES,	/* merged profiles' CleverTap IDs */
	CT_PATH_MEMBERS_PRESENT,	/* whether memberships exist */
	CT_PATH_PROFILE_CONTACTS,	/* Partner Sync statistics */
	CT_PATH_PROFILE_MEMBERSHIPS,	/* campaigns' "a member now", reachable */
	CT_NPATHS
} CtDirectPath;

/*
 * Whether path may be taken on rel (its table, or the project's shard of
 * it): for a path that probes or arbitrates by an index, *index is then
 * that index and (probes) order[k] the path's key column that is the
 * index's column k + 1 (0.2.0 and 0.3.0 differ in the order).  When not,
 * *why (unless why is NULL) says what stands in the way.  Either of index
 * and order may be NULL.
 */
extern bool ct_path_usable(CtDirectPath path, Relation rel, Oid *index, int *order, char **why);

/*
 * What the paths call: ct_path_usable, and when it says no a DEBUG1
 * message (the path's name, the table and why) that the statement goes
 * through SQL.  ct_path_open opens path's table (project's shard of it on
 * a Citus worker) with lockmode and returns it when ct_path_take says yes;
 * otherwise it closes it and returns NULL.  ct_path_table: path's table.
 */
extern bool ct_path_take(CtDirectPath path, Relation rel, Oid *index, int *order);
extern Relation ct_path_open(CtDirectPath path, Datum project, LOCKMODE lockmode, Oid *index, int *order);
extern const char *ct_path_table(CtDirectPath path);

#endif							/* CT_PATHCHECK_H */
