/*
 * direct.c
 *	  Rows read and written below SQL, where the statement would cost more
 *	  than the rows: new rows written the way COPY writes them (heap
 *	  multi-insert, then their index entries), and lookups by direct probes
 *	  of a unique index.  Each first checks that the table is as the
 *	  extension made it (no user trigger that must fire, no row security
 *	  that holds the user, the index as created); if not, the caller runs
 *	  the SQL statement.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "citus.h"
#include "compat.h"
#include "direct.h"
#include "pathcheck.h"
#include "store.h"


#define CT_MULTI_INSERT_BATCH 1000

/* See direct.h. */
void
ct_multi_insert(Relation rel, int n, CtFillRow fill, void *arg)
{
	TupleDesc	desc = RelationGetDescr(rel);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bistate = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	int			nslots = Min(n, CT_MULTI_INSERT_BATCH);
	TupleTableSlot **slots = palloc(sizeof(TupleTableSlot *) * nslots);

	/*
	 * The slots get a copy of the descriptor, which is not reference counted:
	 * a thousand slots sharing the relation's own descriptor would each
	 * remember it in the resource owner, and forgetting them is a linear
	 * search each.
	 */
	TupleDesc	slotdesc = CreateTupleDescCopy(desc);

	/* no range table: 0, or a constraint's error message would look one up */
	InitResultRelInfo(rri, rel, 0, NULL, 0);
	ExecOpenIndices(rri, false);
	for (int i = 0; i < nslots; i++)
		slots[i] = MakeSingleTupleTableSlot(slotdesc, &TTSOpsVirtual);
	for (int start = 0; start < n; start += CT_MULTI_INSERT_BATCH)
	{
		int			batch = Min(n - start, CT_MULTI_INSERT_BATCH);

		for (int i = 0; i < batch; i++)
		{
			TupleTableSlot *slot = slots[i];

			ExecClearTuple(slot);
			for (int a = 0; a < desc->natts; a++)
			{
				slot->tts_values[a] = (Datum) 0;
				slot->tts_isnull[a] = true;
			}
			fill(arg, start + i, slot->tts_values, slot->tts_isnull);
			ExecStoreVirtualTuple(slot);
			if (desc->constr)
				ExecConstraints(rri, slot, estate);
		}
		table_multi_insert(rel, slots, batch, cid, 0, bistate);
		for (int i = 0; i < batch; i++)
		{
			List	   *recheck = ct_insert_index_tuples(rri, slots[i], estate);

			list_free(recheck);
		}
	}
	for (int i = 0; i < nslots; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	FreeTupleDesc(slotdesc);
	FreeBulkInsertState(bistate);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	/* later statements of this transaction see the rows */
	CommandCounterIncrement();
}

/*
 * The sequence of an identity column of table name (a shard on a Citus
 * worker has none: the table's own is the node's).
 */
Oid
ct_table_sequence(const char *name, const char *column)
{
	Relation	rel = table_open(get_relname_relid(name, get_namespace_oid("ctaudience", false)),
								 AccessShareLock);
	Oid			seq = ct_identity_sequence(rel, SPI_fnumber(RelationGetDescr(rel), column));

	table_close(rel, AccessShareLock);
	return seq;
}

/* The attribute number of a column (error when missing). */
static int
ct_column(TupleDesc desc, const char *name)
{
	int			n = SPI_fnumber(desc, name);

	if (n <= 0)
		elog(ERROR, "ctaudience: column \"%s\" not found", name);
	return n - 1;
}

/* See direct.h. */
void
ct_columns(Relation rel, const CtColumnRef *refs, int n)
{
	for (int i = 0; i < n; i++)
		*refs[i].attno = ct_column(RelationGetDescr(rel), refs[i].name);
}

/* See direct.h. */
Relation
ct_open_plain(CtDirectPath path, Datum project, CtBatch *otherwise, Oid *index)
{
	Relation	rel = ct_path_open(path, project, RowExclusiveLock, index, NULL);

	if (rel == NULL && otherwise != NULL)
		ct_batch_exec(otherwise, false);
	return rel;
}

typedef struct CtEventRows
{
	int			project,
				ctid,
				id,
				name,
				ts,
				props;
	Oid			seq;
	Datum		event_name;
	CtArr	   *a_project,
			   *a_ctid,
			   *a_ts,
			   *a_props;
	CtArr	   *out_ctid;		/* when not NULL: each row's ct_id and id */
	CtArr	   *out_id;
} CtEventRows;

static void
ct_fill_event(void *arg, int i, Datum *values, bool *nulls)
{
	CtEventRows *e = arg;

	values[e->project] = e->a_project->values[i];
	values[e->ctid] = e->a_ctid->values[i];
	values[e->id] = Int64GetDatum(nextval_internal(e->seq, false));
	if (e->out_id != NULL)
	{
		ct_arr_add(e->out_ctid, values[e->ctid], false);
		ct_arr_add(e->out_id, values[e->id], false);
	}
	values[e->name] = e->event_name;
	values[e->ts] = e->a_ts->values[i];
	values[e->props] = e->a_props->values[i];
	nulls[e->project] = nulls[e->ctid] = nulls[e->id] = nulls[e->name] =
		nulls[e->ts] = nulls[e->props] = false;
}

/*
 * Append Partner Sync events the way COPY does (ct_multi_insert).  Used by
 * the membership trigger for the rows it raises.  When ct_event has grown
 * something this path would not honour (a trigger, row security,
 * partitions, a column someone added), the events go through the prepared
 * INSERT instead.  With out_ctid and out_id, each event's ct_id and
 * event_id are added to them.
 */
void
ct_direct_insert_events(CtBatch *events, CtArr *out_ctid, CtArr *out_id)
{
	Relation	rel;
	CtEventRows e;

	if (CT_COL(events, 1)->n == 0)
		return;
	if (out_id != NULL)
		events->stmt = CT_Q_TRIG_EVENTS_IDS;	/* for ct_open_plain's
												 * fallback */
	rel = ct_open_plain(CT_PATH_INSERT_EVENTS, CT_COL(events, 1)->values[0], events, NULL);
	if (rel == NULL)
	{
		for (uint64 r = 0; out_id != NULL && r < SPI_processed; r++)
		{
			bool		isnull;

			ct_arr_add(out_ctid, ct_store_get(r, 1, &isnull), false);
			ct_arr_add(out_id, ct_store_get(r, 2, &isnull), false);
		}
		return;
	}

	{
		const CtColumnRef cols[] = {{"project_id", &e.project}, {"ct_id", &e.ctid}, {"event_id", &e.id},
		{"event_name", &e.name}, {"ts", &e.ts}, {"props", &e.props}};

		ct_columns(rel, cols, lengthof(cols));
	}
	e.seq = ct_table_sequence("ct_event", "event_id");
	e.event_name = CStringGetTextDatum("Partner Sync");
	e.a_project = CT_COL(events, 1);
	e.a_ctid = CT_COL(events, 2);
	e.a_ts = CT_COL(events, 3);
	e.a_props = CT_COL(events, 4);
	e.out_ctid = out_ctid;
	e.out_id = out_id;
	ct_multi_insert(rel, e.a_project->n, ct_fill_event, &e);
	table_close(rel, NoLock);
}

typedef struct CtMemberRows
{
	int			project,
				segment,
				ctid,
				member,
				stated;
	Datum		project_id;
	Datum		stated_at;
	CtArr	   *a_segment,
			   *a_ctid,
			   *a_member;
} CtMemberRows;

static void
ct_fill_member(void *arg, int i, Datum *values, bool *nulls)
{
	CtMemberRows *m = arg;

	values[m->project] = m->project_id;
	values[m->segment] = m->a_segment->values[i];
	values[m->ctid] = m->a_ctid->values[i];
	values[m->member] = m->a_member->values[i];
	values[m->stated] = m->stated_at;
	nulls[m->project] = nulls[m->segment] = nulls[m->ctid] = nulls[m->member] =
		nulls[m->stated] = false;
}

/*
 * Insert memberships that do not exist yet (those of profiles this message
 * just created, or pairs a probe found absent) the way COPY does, when
 * the path may be taken (ct_path_open): the caller then raises what the
 * insert trigger would have (ct_members_inserted).  A pair a concurrent
 * session inserted first raises the unique violation an INSERT would.
 * False, having done nothing, when it may not: the caller uses SQL.
 */
bool
ct_direct_insert_members(CtBatch *members)
{
	Relation	rel = ct_path_open(CT_PATH_INSERT_MEMBERS, members->values[0], RowExclusiveLock,
								   NULL, NULL);
	CtMemberRows m;

	if (rel == NULL)
		return false;
	{
		const CtColumnRef cols[] = {{"project_id", &m.project}, {"segment_id", &m.segment},
		{"ct_id", &m.ctid}, {"is_member", &m.member}, {"stated_at", &m.stated}};

		ct_columns(rel, cols, lengthof(cols));
	}
	m.project_id = members->values[0];
	m.stated_at = members->values[4];
	m.a_segment = CT_COL(members, 2);
	m.a_ctid = CT_COL(members, 3);
	m.a_member = CT_COL(members, 4);
	ct_multi_insert(rel, m.a_segment->n, ct_fill_member, &m);
	table_close(rel, NoLock);
	return true;
}

typedef struct CtProfileRows
{
	int			project,
				ctid,
				identity,
				email,
				phone,
				mpid,
				props,
				email_ts,
				phone_ts,
				created,
				updated,
				props_ts,
				named,
				identity_ts;
	Datum		project_id;
	Datum		ts;
	Datum		now;
	Datum		empty;
	CtArr	   *ct_id,
			   *identity_a,
			   *email_a,
			   *phone_a,
			   *mpid_a,
			   *props_a,
			   *props_ts_a,
			   *named_a;
} CtProfileRows;

static void
ct_fill_profile(void *arg, int i, Datum *values, bool *nulls)
{
	CtProfileRows *p = arg;

	values[p->project] = p->project_id;
	nulls[p->project] = false;
	values[p->ctid] = p->ct_id->values[i];
	nulls[p->ctid] = false;
	values[p->identity] = p->identity_a->values[i];
	nulls[p->identity] = p->identity_a->nulls[i];
	values[p->email] = p->email_a->values[i];
	nulls[p->email] = p->email_a->nulls[i];
	values[p->email_ts] = p->ts;
	nulls[p->email_ts] = p->email_a->nulls[i];
	values[p->phone] = p->phone_a->values[i];
	nulls[p->phone] = p->phone_a->nulls[i];
	values[p->phone_ts] = p->ts;
	nulls[p->phone_ts] = p->phone_a->nulls[i];
	values[p->mpid] = p->mpid_a->values[i];
	nulls[p->mpid] = p->mpid_a->nulls[i];
	values[p->props] = p->props_a->nulls[i] ? p->empty : p->props_a->values[i];
	nulls[p->props] = false;
	values[p->props_ts] = p->props_ts_a->nulls[i] ? p->empty : p->props_ts_a->values[i];
	nulls[p->props_ts] = false;
	values[p->created] = values[p->updated] = p->now;
	nulls[p->created] = nulls[p->updated] = false;
	values[p->named] = p->named_a->values[i];
	nulls[p->named] = false;
	/* a Partner ID's profile has the time of its claim */
	values[p->identity_ts] = p->ts;
	nulls[p->identity_ts] = !DatumGetBool(values[p->named]) || nulls[p->identity];
}

/*
 * Insert new profiles (looked up and absent) the way COPY does, when
 * ct_path_open: the row of each is what CT_Q_INSERT_PROFILES_PLAIN
 * would write (properties and properties_ts '{}' when none, email_ts/phone_ts the message time
 * where an email/phone is set, created_at/updated_at now()).  A profile a
 * concurrent session inserted meanwhile raises the unique violation the SQL
 * INSERT would.  The caller raises what the insert trigger would have
 * (ct_profiles_inserted).  False, having done nothing, when SQL must do it.
 */
bool
ct_direct_insert_profiles(CtBatch *rows)
{
	Relation	rel = ct_path_open(CT_PATH_INSERT_PROFILES, rows->values[0], RowExclusiveLock,
								   NULL, NULL);
	CtProfileRows p;

	if (rel == NULL)
		return false;
	{
		const CtColumnRef cols[] = {{"project_id", &p.project}, {"ct_id", &p.ctid},
		{"identity", &p.identity}, {"email", &p.email}, {"phone", &p.phone},
		{"mparticle_id", &p.mpid}, {"properties", &p.props}, {"email_ts", &p.email_ts},
		{"phone_ts", &p.phone_ts}, {"created_at", &p.created}, {"updated_at", &p.updated},
		{"properties_ts", &p.props_ts}, {"named", &p.named}, {"identity_ts", &p.identity_ts}};

		ct_columns(rel, cols, lengthof(cols));
	}
	p.project_id = rows->values[0];
	p.ts = rows->values[7];
	p.now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	p.empty = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	p.ct_id = CT_COL(rows, 2);
	p.identity_a = CT_COL(rows, 3);
	p.email_a = CT_COL(rows, 4);
	p.phone_a = CT_COL(rows, 5);
	p.mpid_a = CT_COL(rows, 6);
	p.props_a = CT_COL(rows, 7);
	p.props_ts_a = CT_COL(rows, 9);
	p.named_a = CT_COL(rows, 10);
	ct_multi_insert(rel, p.ct_id->n, ct_fill_profile, &p);
	table_close(rel, NoLock);
	return true;
}

/* See direct.h. */
int
ct_cmp_text_datum(const void *a, const void *b)
{
	text	   *x = DatumGetTextPP(*(const Datum *) a);
	text	   *y = DatumGetTextPP(*(const Datum *) b);
	int			lx = VARSIZE_ANY_EXHDR(x);
	int			ly = VARSIZE_ANY_EXHDR(y);
	int			c = memcmp(VARDATA_ANY(x), VARDATA_ANY(y), Min(lx, ly));

	return c != 0 ? c : (lx > ly) - (lx < ly);
}

/*
 * One equality column of a probe: the value of probe i is values[i], or
 * constant when values is NULL.  Text columns compare in the C collation,
 * as the extension's identifier columns are declared.
 */
typedef struct CtProbeColumn
{
	RegProcedure eqproc;		/* F_TEXTEQ or F_INT8EQ */
	Datum		constant;
	Datum	   *values;
} CtProbeColumn;

typedef void (*CtProbeRow) (void *arg, int i, TupleTableSlot *slot);

/*
 * Lock the row a probe found (FOR UPDATE), as SELECT ... FOR UPDATE would:
 * under READ COMMITTED its newest version, which is then in locked; under
 * REPEATABLE READ a row changed since the snapshot is a serialization
 * failure.  False when the row was deleted meanwhile, or its newest version
 * no longer has the probe's keys (sk, on the index's leading columns).
 */
static bool
ct_lock_found(Relation heap, Relation index, TupleTableSlot *found, TupleTableSlot *locked,
			  int ncols, ScanKeyData *sk)
{
	TM_FailureData tmfd;
	TM_Result	res;
	int			flags = TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS;

	if (!IsolationUsesXactSnapshot())
		flags |= TUPLE_LOCK_FLAG_FIND_LAST_VERSION;
	res = table_tuple_lock(heap, &found->tts_tid, GetActiveSnapshot(), locked,
						   GetCurrentCommandId(true), LockTupleExclusive, LockWaitBlock,
						   flags, &tmfd);
	switch (res)
	{
		case TM_Ok:
			break;
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent delete")));
			return false;
		case TM_Updated:
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update")));
			break;
		default:
			elog(ERROR, "ctaudience: unexpected result %d locking a profile", (int) res);
	}
	if (!tmfd.traversed)
		return true;
	/* a newer version than the snapshot's: does it still have the keys? */
	for (int k = 0; k < ncols; k++)
	{
		bool		isnull;
		Datum		v = slot_getattr(locked, index->rd_index->indkey.values[k], &isnull);

		if (isnull ||
			!DatumGetBool(FunctionCall2Coll(&sk[k].sk_func, sk[k].sk_collation, v, sk[k].sk_argument)))
			return false;
	}
	return true;
}

/*
 * Probe index (of heap) n times, probe i with the equality keys of columns
 * (the index's ncols columns, columns[order[k]] its column k + 1, as
 * ct_path_open found them), and call row(arg, i, slot) for each
 * row a statement run now would see (the snapshot SPI gives each
 * statement).  With lock, each row is locked FOR UPDATE as it is found, so
 * that the rows are locked in the order of the probes (see
 * ct_direct_lookup_profiles), and row() gets its newest version.  Closes
 * heap.
 */
static void
ct_probe(Relation heap, Oid indexoid, int n, int ncols, const CtProbeColumn *columns,
		 const int *order, bool lock, CtProbeRow row, void *arg)
{
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	TupleTableSlot *locked = NULL;
	ScanKeyData sk[INDEX_MAX_KEYS];

	Assert(ncols <= INDEX_MAX_KEYS);
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	index = index_open(indexoid, AccessShareLock);
	slot = table_slot_create(heap, NULL);
	if (lock)
		locked = table_slot_create(heap, NULL);
	scan = ct_index_beginscan(heap, index, GetActiveSnapshot(), ncols);
	for (int i = 0; i < n; i++)
	{
		for (int k = 0; k < ncols; k++)
		{
			const CtProbeColumn *c = &columns[order[k]];

			ScanKeyInit(&sk[k], k + 1, BTEqualStrategyNumber, c->eqproc,
						c->values ? c->values[i] : c->constant);
			if (c->eqproc == F_TEXTEQ)
				sk[k].sk_collation = C_COLLATION_OID;
		}
		index_rescan(scan, sk, ncols, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			if (!lock)
				row(arg, i, slot);
			else if (ct_lock_found(heap, index, slot, locked, ncols, sk))
				row(arg, i, locked);
		}
		CHECK_FOR_INTERRUPTS();
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	if (locked)
		ExecDropSingleTupleTableSlot(locked);
	index_close(index, NoLock);
	table_close(heap, NoLock);
	PopActiveSnapshot();
}

typedef struct CtLookup
{
	int			cols[CT_PROFILE_LOOKUP_COLS];
	CtProfileFound found;
	void	   *arg;
} CtLookup;

static void
ct_lookup_row(void *arg, int i, TupleTableSlot *slot)
{
	CtLookup   *l = arg;
	Datum		values[CT_PROFILE_LOOKUP_COLS];
	bool		isnull[CT_PROFILE_LOOKUP_COLS];

	slot_getallattrs(slot);
	for (int c = 0; c < CT_PROFILE_LOOKUP_COLS; c++)
	{
		values[c] = slot->tts_values[l->cols[c]];
		isnull[c] = slot->tts_isnull[l->cols[c]];
	}
	l->found(l->arg, values, isnull, &slot->tts_tid);
}

/* See direct.h. */
bool
ct_direct_lookup_profiles(Datum project_id, bool by_identity, CtArr *keys, bool lock,
						  CtProfileFound found, void *arg)
{
	Oid			indexoid;
	int			order[2];
	Relation	heap = ct_path_open(by_identity ? CT_PATH_PROFILES_BY_IDENTITY : CT_PATH_PROFILES_BY_CTID,
									project_id, RowExclusiveLock, &indexoid, order);
	TupleDesc	desc;
	CtLookup	l;
	CtProbeColumn columns[2] = {{F_TEXTEQ, project_id, NULL}, {F_TEXTEQ, 0, keys->values}};

	if (heap == NULL)
		return false;
	desc = RelationGetDescr(heap);
	l.cols[0] = ct_column(desc, "ct_id");
	l.cols[1] = ct_column(desc, "identity");
	l.cols[2] = ct_column(desc, "email");
	l.cols[3] = ct_column(desc, "phone");
	l.cols[4] = ct_column(desc, "email_ts");
	l.cols[5] = ct_column(desc, "phone_ts");
	l.cols[6] = ct_column(desc, "mparticle_id");
	l.cols[7] = ct_column(desc, "properties_ts");
	l.cols[8] = ct_column(desc, "named");
	l.cols[9] = ct_column(desc, "identity_ts");
	l.cols[10] = ct_column(desc, "created_at");
	l.found = found;
	l.arg = arg;

	/* in key order: neighbouring probes share the upper pages of the index */
	qsort(keys->values, keys->n, sizeof(Datum), ct_cmp_text_datum);
	ct_probe(heap, indexoid, keys->n, 2, columns, order, lock, ct_lookup_row, &l);
	return true;
}

/* See direct.h. */
bool
ct_direct_profile_aliases(Datum project_id, CtArr *keys, CtProfileFound found, void *arg)
{
	Oid			indexoid;
	int			order[2];
	Relation	heap = ct_path_open(CT_PATH_PROFILE_ALIASES, project_id, AccessShareLock, &indexoid,
									order);
	CtLookup	l = {{0}, found, arg};
	CtProbeColumn columns[2] = {{F_TEXTEQ, project_id, NULL}, {F_TEXTEQ, 0, keys->values}};

	if (heap == NULL)
		return false;
	/* found() gets the alias, then the CleverTap ID in every other value */
	for (int c = 0; c < CT_PROFILE_LOOKUP_COLS; c++)
		l.cols[c] = ct_column(RelationGetDescr(heap), c == 0 ? "alias" : "ct_id");
	qsort(keys->values, keys->n, sizeof(Datum), ct_cmp_text_datum);
	ct_probe(heap, indexoid, keys->n, 2, columns, order, false, ct_lookup_row, &l);
	return true;
}

static void
ct_present_row(void *arg, int i, TupleTableSlot *slot)
{
	((bool *) arg)[i] = true;
}

/* See direct.h. */
bool
ct_direct_members_present(CtBatch *members, bool *present)
{
	Oid			indexoid;
	int			order[3];
	Relation	heap = ct_path_open(CT_PATH_MEMBERS_PRESENT, members->values[0], RowExclusiveLock,
									&indexoid, order);
	int			n = CT_COL(members, 2)->n;
	CtProbeColumn columns[3] = {{F_TEXTEQ, members->values[0], NULL},
	{F_INT8EQ, 0, CT_COL(members, 2)->values}, {F_TEXTEQ, 0, CT_COL(members, 3)->values}};

	if (heap == NULL)
		return false;
	memset(present, 0, sizeof(bool) * n);
	ct_probe(heap, indexoid, n, 3, columns, order, false, ct_present_row, present);
	return true;
}

typedef struct CtContactProbe
{
	int			a_email,
				a_phone;
	CtContactFound found;
	void	   *arg;
} CtContactProbe;

static void
ct_contact_row(void *arg, int i, TupleTableSlot *slot)
{
	CtContactProbe *cp = arg;

	slot_getsomeattrs(slot, Max(cp->a_email, cp->a_phone) + 1);
	cp->found(cp->arg, i, !slot->tts_isnull[cp->a_email], !slot->tts_isnull[cp->a_phone]);
}

/* Probe heap (ct_path_open) for the profiles (project[i], ct_id[i]). */
static void
ct_probe_by_profile(Relation heap, Oid indexoid, const int *order, CtArr *project, CtArr *ct_id,
					CtProbeRow row, void *arg)
{
	CtProbeColumn columns[2] = {{F_TEXTEQ, 0, project->values}, {F_TEXTEQ, 0, ct_id->values}};

	ct_probe(heap, indexoid, ct_id->n, 2, columns, order, false, row, arg);
}

/* See direct.h. */
bool
ct_direct_profile_contacts(CtArr *project, CtArr *ct_id, CtContactFound found, void *arg)
{
	Oid			indexoid;
	int			order[2];
	Relation	heap = ct_path_open(CT_PATH_PROFILE_CONTACTS, project->values[0], AccessShareLock,
									&indexoid, order);
	CtContactProbe cp = {0, 0, found, arg};

	if (heap == NULL)
		return false;
	cp.a_email = ct_column(RelationGetDescr(heap), "email");
	cp.a_phone = ct_column(RelationGetDescr(heap), "phone");
	ct_probe_by_profile(heap, indexoid, order, project, ct_id, ct_contact_row, &cp);
	return true;
}

typedef struct CtMembershipProbe
{
	int			a_segment,
				a_member;
	CtMembershipFound found;
	void	   *arg;
} CtMembershipProbe;

static void
ct_membership_row(void *arg, int i, TupleTableSlot *slot)
{
	CtMembershipProbe *mp = arg;

	slot_getsomeattrs(slot, Max(mp->a_segment, mp->a_member) + 1);
	if (slot->tts_isnull[mp->a_segment] || slot->tts_isnull[mp->a_member])
		return;
	mp->found(mp->arg, i, DatumGetInt64(slot->tts_values[mp->a_segment]),
			  DatumGetBool(slot->tts_values[mp->a_member]));
}

/* See direct.h. */
bool
ct_direct_profile_memberships(CtArr *project, CtArr *ct_id, CtMembershipFound found, void *arg)
{
	Oid			indexoid;
	int			order[2];
	Relation	heap = ct_path_open(CT_PATH_PROFILE_MEMBERSHIPS, project->values[0], AccessShareLock,
									&indexoid, order);
	CtMembershipProbe mp = {0, 0, found, arg};

	if (heap == NULL)
		return false;
	mp.a_segment = ct_column(RelationGetDescr(heap), "segment_id");
	mp.a_member = ct_column(RelationGetDescr(heap), "is_member");
	ct_probe_by_profile(heap, indexoid, order, project, ct_id, ct_membership_row, &mp);
	return true;
}
