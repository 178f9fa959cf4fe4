/*
 * queue.c
 *	  The live campaigns' queue rows written below SQL (see queue.h): a
 *	  recurring campaign's the way COPY writes them, a one-time campaign's
 *	  by the speculative insertion INSERT ... ON CONFLICT DO NOTHING does,
 *	  row by row, without the statement around it.  The journeys' live
 *	  entries the same way: state rows by speculative insertion, their
 *	  steps as COPY writes them.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_index.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "citus.h"
#include "compat.h"
#include "direct.h"
#include "importstate.h"
#include "queue.h"

typedef struct CtQueueRows
{
	int			project,
				queue,
				campaign,
				ctid,
				event,
				ts,
				props,
				once,
				qualified,
				taken;
	Oid			seq;
	Datum		project_id;
	Datum		event_name;
	Datum		now;
	CtBatch    *b;
} CtQueueRows;

static void
ct_fill_queue(void *arg, int i, Datum *values, bool *nulls)
{
	CtQueueRows *q = arg;

	values[q->project] = q->project_id;
	values[q->queue] = Int64GetDatum(nextval_internal(q->seq, false));
	values[q->campaign] = CT_COL(q->b, 3)->values[i];
	values[q->ctid] = CT_COL(q->b, 4)->values[i];
	values[q->event] = q->event_name;
	values[q->ts] = CT_COL(q->b, 5)->values[i];
	values[q->props] = CT_COL(q->b, 6)->values[i];
	values[q->once] = CT_COL(q->b, 7)->values[i];
	values[q->qualified] = q->now;
	nulls[q->project] = nulls[q->queue] = nulls[q->campaign] = nulls[q->ctid] = nulls[q->event] =
		nulls[q->ts] = nulls[q->props] = nulls[q->once] = nulls[q->qualified] = false;
}

/*
 * Open ct_campaign_queue for the rows of a batch of CT_Q_QUEUE and set q
 * up, or run the batch's statement and return NULL (ct_open_plain).
 */
static Relation
ct_queue_open(CtBatch *rows, CtQueueRows *q)
{
	Relation	rel = ct_open_plain("ct_campaign_queue", rows->values[0], 10, rows);

	if (rel == NULL)
		return NULL;
	{
		const CtColumnRef cols[] = {{"project_id", &q->project}, {"queue_id", &q->queue},
		{"campaign_id", &q->campaign}, {"ct_id", &q->ctid}, {"event_name", &q->event},
		{"event_ts", &q->ts}, {"event_props", &q->props}, {"once", &q->once},
		{"qualified_at", &q->qualified}, {"taken_at", &q->taken}};

		ct_columns(rel, cols, lengthof(cols));
	}
	q->seq = ct_table_sequence("ct_campaign_queue", "queue_id");
	q->project_id = rows->values[0];
	q->event_name = rows->values[1];
	q->now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	q->b = rows;
	return rel;
}

/* See queue.h. */
void
ct_direct_insert_queue(CtBatch *rows)
{
	Relation	rel;
	CtQueueRows q;

	if (CT_COL(rows, 3)->n == 0)
		return;
	rel = ct_queue_open(rows, &q);
	if (rel == NULL)
		return;
	ct_multi_insert(rel, CT_COL(rows, 3)->n, ct_fill_queue, &q);
	table_close(rel, NoLock);
}

/*
 * Under REPEATABLE READ or SERIALIZABLE, a row that a new row conflicts
 * with must be visible to the transaction's snapshot, as ON
 * CONFLICT DO NOTHING requires (ExecCheckTIDVisible): a row committed
 * after it is a serialization failure, unless this transaction wrote it.
 */
static void
ct_check_conflict_visible(Relation rel, ItemPointer tid, TupleTableSlot *tmp)
{
	bool		isnull;
	TransactionId xmin;

	if (!IsolationUsesXactSnapshot())
		return;
	if (!table_tuple_fetch_row_version(rel, tid, SnapshotAny, tmp))
		elog(ERROR, "ctaudience: failed to fetch a conflicting row");
	if (!table_tuple_satisfies_snapshot(rel, tmp, GetTransactionSnapshot()))
	{
		xmin = DatumGetTransactionId(slot_getsysattr(tmp, MinTransactionIdAttributeNumber, &isnull));
		if (!TransactionIdIsCurrentTransactionId(xmin))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update")));
	}
	ExecClearTuple(tmp);
}

/*
 * Insert slot's row unless the arbiter index (e.g. one-time campaigns'
 * unique index) has its key, as INSERT ... ON CONFLICT DO NOTHING does:
 * check, insert speculatively, insert the index entries without raising a
 * duplicate, and if another transaction inserted the key meanwhile, take
 * the row back and check again.  True when it inserted the row.  Without
 * check_first, the first check is left out (it is not conclusive anyway:
 * the one after the speculative insertion is): cheaper where a conflict
 * is rare, at the price of a dead row and index entries when there is one.
 */
static bool
ct_insert_unless_conflict(ResultRelInfo *rri, EState *estate, TupleTableSlot *slot,
						  TupleTableSlot *tmp, List *arbiter, CommandId cid, bool check_first)
{
	Relation	rel = rri->ri_RelationDesc;

	for (bool check = check_first;; check = true)
	{
		ItemPointerData conflict;
		uint32		token;
		bool		spec_conflict = false;
		List	   *recheck;

		CHECK_FOR_INTERRUPTS();
		if (check && !ct_check_index_constraints(rri, slot, estate, &conflict, arbiter))
		{
			ct_check_conflict_visible(rel, &conflict, tmp);
			return false;
		}
		token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
		table_tuple_insert_speculative(rel, slot, cid, 0, NULL, token);
		recheck = ct_insert_index_tuples_spec(rri, slot, estate, &spec_conflict, arbiter);
		table_tuple_complete_speculative(rel, slot, token, !spec_conflict);
		SpeculativeInsertionLockRelease(GetCurrentTransactionId());
		list_free(recheck);
		if (!spec_conflict)
			return true;
	}
}

/* See queue.h. */
List *
ct_unique_index(Relation rel, const char *name, const char *const *cols, int ncols, bool partial)
{
	Oid			relid = get_relname_relid(ct_citus_index_name(rel, name), RelationGetNamespace(rel));
	HeapTuple	tup;
	Form_pg_index ix;
	bool		ok;

	if (!OidIsValid(relid))
		return NIL;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return NIL;
	ix = (Form_pg_index) GETSTRUCT(tup);
	ok = ix->indrelid == RelationGetRelid(rel) && ix->indisunique && ix->indisvalid &&
		ix->indisready && ix->indislive && ix->indnatts == ncols && ix->indnkeyatts == ncols &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(tup, Anum_pg_index_indpred, NULL) != partial;
	ok = ok && ix->indimmediate;

	/*
	 * the columns in any order (as ON CONFLICT's inference takes them): 0.3.0
	 * put project_id last in the keys, and a Citus worker's shards keep the
	 * order they were made with until ct_distribute builds them again
	 */
	for (int i = 0; ok && i < ncols; i++)
	{
		int			att = SPI_fnumber(RelationGetDescr(rel), cols[i]);
		bool		found = false;

		for (int k = 0; k < ncols; k++)
			found = found || ix->indkey.values[k] == att;
		ok = att > 0 && found;
	}
	ReleaseSysCache(tup);

	/*
	 * A deferred unique or exclusion check on another index would be queued
	 * by the executor's AFTER INSERT triggers, which these writers do not
	 * run: such a table goes through the statement.
	 */
	if (ok)
	{
		List	   *indexes = RelationGetIndexList(rel);
		ListCell   *lc;

		foreach(lc, indexes)
		{
			HeapTuple	itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));

			if (!HeapTupleIsValid(itup))
				continue;
			ix = (Form_pg_index) GETSTRUCT(itup);
			if ((ix->indisunique || ix->indisexclusion) && !ix->indimmediate)
				ok = false;
			ReleaseSysCache(itup);
		}
		list_free(indexes);
	}
	return ok ? list_make1_oid(relid) : NIL;
}

/* See queue.h. */
void
ct_insert_unless_conflicts(Relation rel, List *arbiter, int n, CtFillRow fill, void *arg,
						   bool check_first, bool *inserted)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleDesc	slotdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	TupleTableSlot *slot = MakeSingleTupleTableSlot(slotdesc, &TTSOpsVirtual);
	TupleTableSlot *tmp = table_slot_create(rel, NULL);
	CommandId	cid = GetCurrentCommandId(true);

	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, true);

	/*
	 * Leaving the first check out is safe only when the arbiter is the one
	 * unique index written: another one (the copy REINDEX CONCURRENTLY
	 * builds, say) raises a duplicate for a key the check would have found.
	 */
	for (int i = 0; !check_first && i < rri->ri_NumIndices; i++)
	{
		Form_pg_index ix = rri->ri_IndexRelationDescs[i]->rd_index;

		if (ix->indisready && (ix->indisunique || ix->indisexclusion) &&
			!list_member_oid(arbiter, ix->indexrelid))
			check_first = true;
	}
	for (int i = 0; i < n; i++)
	{
		bool		done;

		ExecClearTuple(slot);
		for (int a = 0; a < slotdesc->natts; a++)
		{
			slot->tts_values[a] = (Datum) 0;
			slot->tts_isnull[a] = true;
		}
		fill(arg, i, slot->tts_values, slot->tts_isnull);
		ExecStoreVirtualTuple(slot);
		/* the relation's own: a copied descriptor has no constraints */
		slot->tts_tableOid = RelationGetRelid(rel);
		if (RelationGetDescr(rel)->constr)
			ExecConstraints(rri, slot, estate);
		done = ct_insert_unless_conflict(rri, estate, slot, tmp, arbiter, cid, check_first);
		if (inserted != NULL)
			inserted[i] = done;
		ResetPerTupleExprContext(estate);
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	ExecDropSingleTupleTableSlot(tmp);
	FreeTupleDesc(slotdesc);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	/* later statements of this transaction see the rows */
	CommandCounterIncrement();
}

/* See queue.h. */
void
ct_direct_insert_queue_once(CtBatch *rows)
{
	static const char *const cols[] = {"project_id", "campaign_id", "ct_id"};
	Relation	rel;
	CtQueueRows q;
	List	   *arbiter;

	if (CT_COL(rows, 3)->n == 0)
		return;
	rel = ct_queue_open(rows, &q);
	if (rel == NULL)
		return;
	/* the one-time campaigns' unique index (WHERE once) */
	arbiter = ct_unique_index(rel, "ct_campaign_queue_once_idx", cols, lengthof(cols), true);
	if (arbiter == NIL)
	{
		table_close(rel, NoLock);
		ct_batch_exec(rows, false);
		return;
	}
	ct_insert_unless_conflicts(rel, arbiter, CT_COL(rows, 3)->n, ct_fill_queue, &q, true, NULL);
	table_close(rel, NoLock);
}

/* A batch of CT_Q_JOURNEY_ENTER's pairs written below SQL. */
typedef struct CtJourneyRows
{
	int			project,
				journey,
				ctid,
				node,
				waiting,
				entered,
				node_at,
				due,
				step,
				outcome,
				ts;
	Oid			seq;
	Datum		entered_word;
	CtBatch    *b;
	int		   *pair;			/* the batch's pair of each row */
} CtJourneyRows;

/* Pairs in the statement's order: journey, ct_id (bytewise), time. */
static int
ct_cmp_journey_pair(const void *pa, const void *pb, void *arg)
{
	CtBatch    *b = arg;
	int			x = *(const int *) pa;
	int			y = *(const int *) pb;
	int64		jx = DatumGetInt64(CT_COL(b, 2)->values[x]);
	int64		jy = DatumGetInt64(CT_COL(b, 2)->values[y]);
	int			c;
	TimestampTz tx,
				ty;

	if (jx != jy)
		return jx < jy ? -1 : 1;
	c = ct_cmp_text_datum(&CT_COL(b, 3)->values[x], &CT_COL(b, 3)->values[y]);
	if (c != 0)
		return c;
	tx = DatumGetTimestampTz(CT_COL(b, 4)->values[x]);
	ty = DatumGetTimestampTz(CT_COL(b, 4)->values[y]);
	return tx < ty ? -1 : tx > ty ? 1 : 0;
}

static void
ct_fill_journey_state(void *arg, int i, Datum *values, bool *nulls)
{
	CtJourneyRows *r = arg;
	int			k = r->pair[i];

	values[r->project] = r->b->values[0];
	values[r->journey] = CT_COL(r->b, 2)->values[k];
	values[r->ctid] = CT_COL(r->b, 3)->values[k];
	values[r->node] = CT_COL(r->b, 5)->values[k];
	values[r->waiting] = BoolGetDatum(false);
	values[r->entered] = values[r->node_at] = values[r->due] = CT_COL(r->b, 4)->values[k];
	nulls[r->project] = nulls[r->journey] = nulls[r->ctid] = nulls[r->node] = nulls[r->waiting] =
		nulls[r->entered] = nulls[r->node_at] = nulls[r->due] = false;
}

static void
ct_fill_journey_step(void *arg, int i, Datum *values, bool *nulls)
{
	CtJourneyRows *r = arg;
	int			k = r->pair[i];

	values[r->project] = r->b->values[0];
	values[r->journey] = CT_COL(r->b, 2)->values[k];
	values[r->step] = Int64GetDatum(nextval_internal(r->seq, false));
	values[r->ctid] = CT_COL(r->b, 3)->values[k];
	values[r->node] = CT_COL(r->b, 5)->values[k];
	values[r->outcome] = r->entered_word;
	values[r->ts] = CT_COL(r->b, 4)->values[k];
	nulls[r->project] = nulls[r->journey] = nulls[r->step] = nulls[r->ctid] = nulls[r->node] =
		nulls[r->outcome] = nulls[r->ts] = false;
}

/* The state rows of profiles an import created, for ct_subxact_unless_unique. */
typedef struct CtNewStates
{
	Relation	rel;
	int			n;
	CtJourneyRows *r;
} CtNewStates;

static bool
ct_insert_new_states(void *arg)
{
	CtNewStates *s = arg;

	ct_multi_insert(s->rel, s->n, ct_fill_journey_state, s->r);
	return true;
}

/* See queue.h. */
void
ct_direct_journey_enter(CtBatch *pairs, const bool *created)
{
	static const char *const key[] = {"ct_id", "journey_id", "project_id"};
	int			n = CT_COL(pairs, 2)->n;
	Relation	state;
	Relation	step = NULL;
	List	   *arbiter = NIL;
	CtJourneyRows r;
	int			m = 0;
	int			nin = 0;
	bool	   *inserted;
	CtBatch		rest;
	CtJourneyRows fresh;
	CtJourneyRows spec;
	int			nfresh = 0;
	int			nspec = 0;
	int		   *specpos;
	bool	   *specdone;
	bool		fresh_in = false;

	if (n == 0)
		return;
	state = ct_open_plain("ct_journey_state", pairs->values[0], 10, pairs);
	if (state == NULL)
		return;
	step = ct_open_plain("ct_journey_step", pairs->values[0], 7, NULL);
	if (step != NULL)
		arbiter = ct_unique_index(state, "ct_journey_state_pkey", key, lengthof(key), false);
	if (arbiter == NIL)
	{
		if (step != NULL)
			table_close(step, NoLock);
		table_close(state, NoLock);
		ct_batch_exec(pairs, false);
		return;
	}
	{
		const CtColumnRef scols[] = {{"project_id", &r.project}, {"journey_id", &r.journey},
		{"ct_id", &r.ctid}, {"node", &r.node}, {"waiting", &r.waiting},
		{"entered_at", &r.entered}, {"node_at", &r.node_at}, {"due_at", &r.due}};

		ct_columns(state, scols, lengthof(scols));
	}

	/*
	 * One row a (journey, profile): its earliest time, as the statement's
	 * DISTINCT ON, in the statement's order
	 */
	r.pair = palloc(sizeof(int) * n);
	for (int i = 0; i < n; i++)
		r.pair[i] = i;
	qsort_arg(r.pair, n, sizeof(int), ct_cmp_journey_pair, pairs);
	for (int i = 0; i < n; i++)
	{
		int			k = r.pair[i];

		if (m > 0 &&
			DatumGetInt64(CT_COL(pairs, 2)->values[k]) ==
			DatumGetInt64(CT_COL(pairs, 2)->values[r.pair[m - 1]]) &&
			ct_cmp_text_datum(&CT_COL(pairs, 3)->values[k], &CT_COL(pairs, 3)->values[r.pair[m - 1]]) == 0)
			continue;
		r.pair[m++] = k;
	}
	r.b = pairs;
	inserted = palloc(sizeof(bool) * m);

	/*
	 * A profile the import created is in no journey (CtSyncCounts.created):
	 * its rows are inserted as COPY inserts them, the unique key checked but
	 * not speculatively, in a subtransaction, so that a row there after all
	 * (say, left behind by a profile deleted by hand) is a unique violation
	 * that sends them the other way, not an error.
	 */
	fresh = r;
	fresh.pair = palloc(sizeof(int) * m);
	for (int i = 0; i < m; i++)
	{
		if (created[r.pair[i]])
			fresh.pair[nfresh++] = r.pair[i];
	}
	if (nfresh > 0)
	{
		CtNewStates ns = {state, nfresh, &fresh};

		fresh_in = ct_subxact_unless_unique(ct_insert_new_states, &ns);
	}

	/*
	 * Another profile has a state row if it was in the journey (re-entry),
	 * which an existing profile added again may well have been: its key is
	 * looked up first, so that a re-entry costs no dead row and index entries
	 * before the statement
	 */
	spec = r;
	spec.pair = palloc(sizeof(int) * m);
	specpos = palloc(sizeof(int) * m);
	for (int i = 0; i < m; i++)
	{
		inserted[i] = fresh_in && created[r.pair[i]];
		if (!inserted[i])
		{
			specpos[nspec] = i;
			spec.pair[nspec++] = r.pair[i];
		}
	}
	specdone = palloc(sizeof(bool) * Max(nspec, 1));
	if (nspec > 0)
		ct_insert_unless_conflicts(state, arbiter, nspec, ct_fill_journey_state, &spec, true, specdone);
	for (int j = 0; j < nspec; j++)
		inserted[specpos[j]] = specdone[j];
	table_close(state, NoLock);

	/*
	 * The new rows' steps; the others (their profile was in the journey
	 * already) go through the statement
	 */
	ct_batch_init(&rest, CT_Q_JOURNEY_ENTER, m);
	rest.values[0] = pairs->values[0];
	for (int i = 0; i < m; i++)
	{
		int			k = r.pair[i];

		if (inserted[i])
		{
			r.pair[nin++] = k;
			continue;
		}
		for (int c = 2; c <= 5; c++)
			ct_arr_add(CT_COL(&rest, c), CT_COL(pairs, c)->values[k], false);
	}
	if (nin > 0)
	{
		const CtColumnRef tcols[] = {{"project_id", &r.project}, {"journey_id", &r.journey},
		{"step_id", &r.step}, {"ct_id", &r.ctid}, {"node", &r.node}, {"outcome", &r.outcome},
		{"ts", &r.ts}};

		ct_columns(step, tcols, lengthof(tcols));
		r.seq = ct_table_sequence("ct_journey_step", "step_id");
		r.entered_word = CStringGetTextDatum("entered");
		ct_multi_insert(step, nin, ct_fill_journey_step, &r);
	}
	table_close(step, NoLock);
	if (CT_COL(&rest, 2)->n > 0)
		ct_batch_exec(&rest, false);
}
