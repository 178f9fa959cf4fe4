/*
 * queue.c
 *	  The live campaigns' queue rows written below SQL (see queue.h): a
 *	  recurring campaign's the way COPY writes them, a one-time campaign's
 *	  by the speculative insertion INSERT ... ON CONFLICT DO NOTHING does,
 *	  row by row, without the statement around it.
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
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "citus.h"
#include "compat.h"
#include "direct.h"
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
 * Under REPEATABLE READ or SERIALIZABLE, a row that a one-time campaign's
 * row conflicts with must be visible to the transaction's snapshot, as ON
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
		elog(ERROR, "ctaudience: failed to fetch a conflicting queue row");
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
 * Insert slot's row unless the arbiter index (one-time campaigns' unique
 * index) has its key, as INSERT ... ON CONFLICT DO NOTHING does: check,
 * insert speculatively, insert the index entries without raising a
 * duplicate, and if another transaction inserted the key meanwhile, take
 * the row back and check again.
 */
static void
ct_insert_unless_conflict(ResultRelInfo *rri, EState *estate, TupleTableSlot *slot,
						  TupleTableSlot *tmp, List *arbiter, CommandId cid)
{
	Relation	rel = rri->ri_RelationDesc;

	for (;;)
	{
		ItemPointerData conflict;
		uint32		token;
		bool		spec_conflict = false;
		List	   *recheck;

		CHECK_FOR_INTERRUPTS();
		if (!ct_check_index_constraints(rri, slot, estate, &conflict, arbiter))
		{
			ct_check_conflict_visible(rel, &conflict, tmp);
			return;
		}
		token = SpeculativeInsertionLockAcquire(GetCurrentTransactionId());
		table_tuple_insert_speculative(rel, slot, cid, 0, NULL, token);
		recheck = ct_insert_index_tuples_spec(rri, slot, estate, &spec_conflict, arbiter);
		table_tuple_complete_speculative(rel, slot, token, !spec_conflict);
		SpeculativeInsertionLockRelease(GetCurrentTransactionId());
		list_free(recheck);
		if (!spec_conflict)
			return;
	}
}

/*
 * The one-time campaigns' unique index, as a list for the arbiter indexes,
 * when it is as the extension made it: a valid unique B-tree on
 * (project_id, campaign_id, ct_id) with a predicate (WHERE once).  NIL
 * otherwise: the statement's ON CONFLICT then says what it means.
 */
static List *
ct_once_index(Relation rel)
{
	static const char *const cols[] = {"project_id", "campaign_id", "ct_id"};
	Oid			relid = get_relname_relid(ct_citus_index_name(rel, "ct_campaign_queue_once_idx"),
										  RelationGetNamespace(rel));
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
		ix->indisready && ix->indislive && ix->indnatts == 3 && ix->indnkeyatts == 3 &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
		!heap_attisnull(tup, Anum_pg_index_indpred, NULL);
	for (int i = 0; ok && i < 3; i++)
		ok = ix->indkey.values[i] == SPI_fnumber(RelationGetDescr(rel), cols[i]);
	ReleaseSysCache(tup);
	return ok ? list_make1_oid(relid) : NIL;
}

/* See queue.h. */
void
ct_direct_insert_queue_once(CtBatch *rows)
{
	Relation	rel;
	CtQueueRows q;
	EState	   *estate;
	ResultRelInfo *rri;
	TupleDesc	slotdesc;
	TupleTableSlot *slot;
	TupleTableSlot *tmp;
	List	   *arbiter = NIL;
	CommandId	cid;

	if (CT_COL(rows, 3)->n == 0)
		return;
	rel = ct_queue_open(rows, &q);
	if (rel == NULL)
		return;
	arbiter = ct_once_index(rel);
	if (arbiter == NIL)
	{
		table_close(rel, NoLock);
		ct_batch_exec(rows, false);
		return;
	}
	estate = CreateExecutorState();
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, true);
	slotdesc = CreateTupleDescCopy(RelationGetDescr(rel));
	slot = MakeSingleTupleTableSlot(slotdesc, &TTSOpsVirtual);
	tmp = table_slot_create(rel, NULL);
	cid = GetCurrentCommandId(true);
	for (int i = 0; i < CT_COL(rows, 3)->n; i++)
	{
		ExecClearTuple(slot);
		for (int a = 0; a < slotdesc->natts; a++)
		{
			slot->tts_values[a] = (Datum) 0;
			slot->tts_isnull[a] = true;
		}
		ct_fill_queue(&q, i, slot->tts_values, slot->tts_isnull);
		ExecStoreVirtualTuple(slot);
		/* the relation's own: a copied descriptor has no constraints */
		slot->tts_tableOid = RelationGetRelid(rel);
		if (RelationGetDescr(rel)->constr)
			ExecConstraints(rri, slot, estate);
		ct_insert_unless_conflict(rri, estate, slot, tmp, arbiter, cid);
		ResetPerTupleExprContext(estate);
		CHECK_FOR_INTERRUPTS();
	}
	ExecDropSingleTupleTableSlot(slot);
	ExecDropSingleTupleTableSlot(tmp);
	FreeTupleDesc(slotdesc);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
	/* later statements of this transaction see the rows */
	CommandCounterIncrement();
}
