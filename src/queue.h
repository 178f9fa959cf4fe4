/*
 * queue.h
 *	  The live campaigns' queue rows and the journeys' live entries written
 *	  below SQL (queue.c), where the tables are as the extension made them;
 *	  otherwise the batch's own statement (CT_Q_QUEUE, CT_Q_JOURNEY_ENTER)
 *	  writes them.
 */
#ifndef CT_QUEUE_H
#define CT_QUEUE_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/relcache.h"

#include "direct.h"
#include "store.h"

/*
 * Append the rows of a batch of CT_Q_QUEUE of recurring campaigns (once
 * false: no uniqueness to check) the way COPY does.
 */
extern void ct_direct_insert_queue(CtBatch *rows);

/*
 * Insert the rows of a batch of CT_Q_QUEUE of one-time campaigns (once
 * true), each unless its campaign has queued its profile already, as the
 * statement's ON CONFLICT DO NOTHING does (speculative insertion: a
 * concurrent transaction's row is waited for, never duplicated, never an
 * error), without the statement's executor.
 */
extern void ct_direct_insert_queue_once(CtBatch *rows);

/*
 * Enter the profiles of a batch of CT_Q_JOURNEY_ENTER into the journeys, as
 * the statement does: a new state row (speculative insertion, as above)
 * and its 'entered' step (the way COPY writes them) for each profile not
 * in the journey yet; the pairs whose state row exists (re-entry) go
 * through the statement, whose ON CONFLICT DO UPDATE applies the re-entry
 * policy.  created[i]: pair i's profile is one the import created (no state
 * row to expect: its row is inserted without the speculative insertion).
 */
extern void ct_direct_journey_enter(CtBatch *pairs, const bool *created);

/*
 * For other direct writers: the unique index name of rel (its shard's on a
 * Citus worker) as a list for the arbiter indexes, when it is as the
 * extension made it (valid, a B-tree on the columns cols in any order,
 * with a predicate when partial, no expressions), else NIL; and n rows of
 * rel (fill, as ct_multi_insert's) each inserted unless the arbiter has its
 * key (inserted[i], when not NULL, says which were); check_first: probe
 * the arbiter before each insertion (where conflicts are common; without,
 * a conflicting row is inserted, then taken back).
 */
extern List *ct_unique_index(Relation rel, const char *name, const char *const *cols, int ncols,
							 bool partial);
extern void ct_insert_unless_conflicts(Relation rel, List *arbiter, int n, CtFillRow fill,
									   void *arg, bool check_first, bool *inserted);

#endif							/* CT_QUEUE_H */
