/*
 * transition.c
 *	  Reading the transition tables of the extension's statement-level
 *	  triggers; see transition.h.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "transition.h"

/* Check how a trigger function was called; the transition tables it needs. */
TriggerData *
ct_trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() was not called by the trigger manager", name)));
	trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be an AFTER ... FOR EACH STATEMENT trigger", name)));
	if ((TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && trigdata->tg_newtable == NULL) ||
		(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		 (trigdata->tg_newtable == NULL || trigdata->tg_oldtable == NULL)) ||
		(TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && trigdata->tg_oldtable == NULL) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() needs transition tables", name),
				 errhint("Create it with REFERENCING NEW TABLE AS ct_new (INSERT), OLD TABLE AS ct_old NEW TABLE AS ct_new (UPDATE) or OLD TABLE AS ct_old (DELETE).")));
	return trigdata;
}

/* The attribute number of a column the trigger reads. */
static int
ct_attnum(TupleDesc desc, const char *name)
{
	int			n = SPI_fnumber(desc, name);

	if (n <= 0)
		elog(ERROR, "ctaudience trigger: column \"%s\" not found", name);
	return n;
}

/*
 * Read every row of a transition table of rel: read(row, slot, attnums)
 * fills each row of rowsize bytes from the columns cols[0..ncols - 1]
 * (attnums[k]: the attribute number of cols[k]).
 */
typedef void (*CtReadRow) (void *row, TupleTableSlot *slot, const int *attnums);

static void *
ct_read_rows(Relation rel, Tuplestorestate *ts, const char *const *cols, int ncols,
			 size_t rowsize, CtReadRow read, int *nrows)
{
	TupleDesc	desc = RelationGetDescr(rel);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	int			attnums[8];
	int64		cap = Max(tuplestore_tuple_count(ts), 1);
	char	   *rows = palloc(rowsize * cap);
	int			n = 0;

	Assert(ncols <= lengthof(attnums));
	for (int k = 0; k < ncols; k++)
		attnums[k] = ct_attnum(desc, cols[k]);
	tuplestore_rescan(ts);
	while (tuplestore_gettupleslot(ts, true, false, slot))
	{
		if (n >= cap)
		{
			cap *= 2;
			rows = repalloc(rows, rowsize * cap);
		}
		read(rows + rowsize * n++, slot, attnums);
	}
	ExecDropSingleTupleTableSlot(slot);
	*nrows = n;
	return rows;
}

static void
ct_member_row(void *row, TupleTableSlot *slot, const int *a)
{
	CtMemberRow *r = row;
	bool		isnull;

	r->project_id = TextDatumGetCString(slot_getattr(slot, a[0], &isnull));
	r->segment_id = DatumGetInt64(slot_getattr(slot, a[1], &isnull));
	r->ct_id = TextDatumGetCString(slot_getattr(slot, a[2], &isnull));
	r->is_member = DatumGetBool(slot_getattr(slot, a[3], &isnull));
	r->stated_at = DatumGetTimestampTz(slot_getattr(slot, a[4], &isnull));
	r->changed = false;
}

/* Read every row of a ct_segment_member transition table. */
CtMemberRow *
ct_read_members(Relation rel, Tuplestorestate *ts, int *nrows)
{
	static const char *const cols[] = {"project_id", "segment_id", "ct_id", "is_member", "stated_at"};

	return ct_read_rows(rel, ts, cols, lengthof(cols), sizeof(CtMemberRow), ct_member_row, nrows);
}

static void
ct_profile_row(void *row, TupleTableSlot *slot, const int *a)
{
	CtProfileRow *r = row;
	bool		isnull;
	Datum		d;

	r->project_id = TextDatumGetCString(slot_getattr(slot, a[0], &isnull));
	r->ct_id = TextDatumGetCString(slot_getattr(slot, a[1], &isnull));
	d = slot_getattr(slot, a[2], &isnull);
	r->email = isnull ? NULL : DatumGetTextPCopy(d);
	d = slot_getattr(slot, a[3], &isnull);
	r->has_phone = !isnull;
	r->phone = isnull ? 0 : DatumGetInt64(d);
	r->ts = 0;
	d = slot_getattr(slot, a[4], &isnull);
	if (!isnull)
		r->ts = DatumGetTimestampTz(d);
	d = slot_getattr(slot, a[5], &isnull);
	if (!isnull && DatumGetTimestampTz(d) > r->ts)
		r->ts = DatumGetTimestampTz(d);
}

/* Read every row of a ct_profile transition table. */
CtProfileRow *
ct_read_profiles(Relation rel, Tuplestorestate *ts, int *nrows)
{
	static const char *const cols[] = {"project_id", "ct_id", "email", "phone", "email_ts", "phone_ts"};

	return ct_read_rows(rel, ts, cols, lengthof(cols), sizeof(CtProfileRow), ct_profile_row, nrows);
}

/* The key of a (project, segment, profile) for pairing old and new rows. */
char *
ct_member_key(const CtMemberRow *r)
{
	return psprintf("%s|" INT64_FORMAT "|%s", r->project_id, r->segment_id, r->ct_id);
}
