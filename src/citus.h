/*
 * citus.h
 *	  ctaudience on a Citus cluster (see docs/scaling.md).  After
 *	  ct_distribute() the extension's tables on every node are Citus's
 *	  shells: a project's rows live in shards (ct_profile_102008, ...) on
 *	  the worker that the import functions are delegated to.  What writes
 *	  below SQL (direct.c) must write those shards; SQL goes through Citus.
 */
#ifndef CT_CITUS_H
#define CT_CITUS_H

#include "postgres.h"

#include "utils/relcache.h"


/* Whether ct_distribute() distributed this database's tables (per transaction). */
extern bool ct_citus_distributed(void);

/*
 * The relation holding project's rows of the extension's table name: the
 * table itself on a single node, its local shard on a Citus worker.  An
 * error (0A000) when the shard is on another node.
 */
extern Oid	ct_citus_relid(const char *name, Datum project);

/*
 * Before a message of project is answered: on a Citus cluster, the same
 * error when the project is elsewhere, and from then on in the transaction
 * the statements of store.c read and write the project's shards directly
 * (ct_citus_rewrite), as plain tables: no statement of an import goes
 * through Citus's planner, and the shards' triggers fire as on one node.
 */
extern void ct_citus_enter(const char *project);

/* The shard id of ct_profile of the entered project (0: none, one node). */
extern int64 ct_citus_group(void);

/* sql with each table of the extension named by its entered shard. */
extern char *ct_citus_rewrite(const char *sql);

/*
 * The name of an index of heap: on a shard (ct_profile_102008), the index
 * name with the shard's suffix (ct_profile_pkey_102008), else index.
 */
extern const char *ct_citus_index_name(Relation heap, const char *index);

/*
 * The relation holding the rows of the extension's table name that every
 * node keeps (a Citus reference table): its copy on this node, or the
 * table itself where it is not distributed.  An error (55000) when this
 * node keeps no copy.
 */
extern Oid	ct_citus_local_table(const char *name);

/* Whether project's rows are on this node (always, on a single node). */
extern bool ct_citus_is_local(const char *project);

/* The accountId of a Firehose message's text, or NULL. */
extern char *ct_request_project(const char *json, int len);

/*
 * The answer of ctaudience.function(project, request), which Citus
 * delegates to the node that holds project (see ct_distribute()).
 */
extern Datum ct_citus_forward(const char *function, const char *project,
							  Datum request, Oid request_type);

#endif							/* CT_CITUS_H */
