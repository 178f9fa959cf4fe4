/*
 * queue.h
 *	  The live campaigns' queue rows written below SQL (queue.c), where
 *	  ct_campaign_queue is as the extension made it; otherwise the batch's
 *	  own statement (CT_Q_QUEUE) writes them.
 */
#ifndef CT_QUEUE_H
#define CT_QUEUE_H

#include "postgres.h"

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

#endif							/* CT_QUEUE_H */
