/*
 * exportpage.c
 *	  A page of a project's export outbox with its events and profiles, as
 *	  ct_export_claim builds a request from it.
 *
 * A page's outbox rows come in (ct_id, event_id) order, about ten a
 * profile, and a profile's events are next to each other in ct_event's
 * primary key.  So their events are read by one scan of that index per
 * profile of the page, from its first row's event to its last
 * (CT_Q_EXPORT_EVENTS), and matched to the rows here, instead of by a
 * descent of the index for each row's event (most of the claim's index
 * work).  Both are SQL statements (row security, Citus shards).  An event
 * the range holds and no row of the page names (one not exported) is
 * passed over; a row whose event is not found has none (gone: erased,
 * purged), as before.  Only an export of all events reads ranges: there a
 * profile's events between two that wait are nearly all waiting too, while
 * an export of selected or engagement events may wait for two events of a
 * profile with thousands of others between them (each a heap page read
 * for nothing); those read each event by a range of its own (a descent
 * each, as before).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "utils/builtins.h"

#include "exportpage.h"
#include "store.h"

/* The columns of CT_Q_EXPORT_ROWS and of CT_Q_EXPORT_EVENTS. */
#define CT_ROWS_COLS 9
#define CT_EVENTS_COLS 5

/* An event of the page, by its key. */
struct CtExportEventKey
{
	const char *ct_id;			/* not NUL-terminated */
	int			len;
	int64		event_id;
	uint64		row;			/* in page->events */
};

/* Order two keys: ct_id's bytes (the C collation's order), then event_id. */
static int
ct_key_cmp(const char *a, int alen, int64 aid, const char *b, int blen, int64 bid)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c == 0)
		c = (alen > blen) - (alen < blen);
	if (c == 0)
		c = (aid > bid) - (aid < bid);
	return c;
}

static int
ct_event_key_cmp(const void *a, const void *b)
{
	const CtExportEventKey *x = a;
	const CtExportEventKey *y = b;

	return ct_key_cmp(x->ct_id, x->len, x->event_id, y->ct_id, y->len, y->event_id);
}

/* Read the events of a page's rows: one range of event ids a profile. */
static void
ct_export_page_events(CtExportPage *page, Datum project, bool by_profile)
{
	TupleDesc	desc = page->rows->tupdesc;
	CtArr		ct_ids;
	CtArr		lo;
	CtArr		hi;
	text	   *last = NULL;
	Datum		args[4];
	uint64		m;
	bool		sorted = true;

	ct_arr_for(&ct_ids, CT_Q_EXPORT_EVENTS, 2, (int) page->n);
	ct_arr_for(&lo, CT_Q_EXPORT_EVENTS, 3, (int) page->n);
	ct_arr_for(&hi, CT_Q_EXPORT_EVENTS, 4, (int) page->n);
	for (uint64 r = 0; r < page->n; r++)
	{
		bool		isnull;
		Datum		ct_id = SPI_getbinval(page->rows->vals[r], desc, 1, &isnull);
		int64		event_id = DatumGetInt64(SPI_getbinval(page->rows->vals[r], desc, 2, &isnull));
		text	   *t;

		if (event_id == 0)
			continue;			/* a profile's properties: no event */
		t = DatumGetTextPP(ct_id);
		if (by_profile && last != NULL &&
			ct_key_cmp(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), 0, VARDATA_ANY(last), VARSIZE_ANY_EXHDR(last), 0) == 0)
		{
			lo.values[lo.n - 1] = Int64GetDatum(Min(DatumGetInt64(lo.values[lo.n - 1]), event_id));
			hi.values[hi.n - 1] = Int64GetDatum(Max(DatumGetInt64(hi.values[hi.n - 1]), event_id));
			continue;
		}
		ct_arr_add(&ct_ids, PointerGetDatum(t), false);
		ct_arr_add(&lo, Int64GetDatum(event_id), false);
		ct_arr_add(&hi, Int64GetDatum(event_id), false);
		last = t;
	}
	if (ct_ids.n == 0)
		return;
	args[0] = project;
	args[1] = ct_arr_datum(&ct_ids);
	args[2] = ct_arr_datum(&lo);
	args[3] = ct_arr_datum(&hi);
	m = ct_store_exec(CT_Q_EXPORT_EVENTS, args, NULL, false);
	page->events = SPI_tuptable;
	if (m == 0)
		return;
	if (page->events->tupdesc->natts != CT_EVENTS_COLS)
		elog(ERROR, "the events of a page of the outbox came with %d columns, not %d",
			 page->events->tupdesc->natts, CT_EVENTS_COLS);
	page->keys = palloc(sizeof(CtExportEventKey) * m);
	for (uint64 i = 0; i < m; i++)
	{
		bool		isnull;
		text	   *t = DatumGetTextPP(SPI_getbinval(page->events->vals[i], page->events->tupdesc, 1, &isnull));
		CtExportEventKey *k = &page->keys[i];

		k->ct_id = VARDATA_ANY(t);
		k->len = VARSIZE_ANY_EXHDR(t);
		k->event_id = DatumGetInt64(SPI_getbinval(page->events->vals[i], page->events->tupdesc, 2, &isnull));
		k->row = i;
		if (i > 0 && sorted && ct_event_key_cmp(&page->keys[i - 1], k) > 0)
			sorted = false;
	}
	page->nkeys = (int) m;

	/*
	 * in key order as read (each profile's range in the index's order, the
	 * profiles in the page's), unless a plan reads them otherwise
	 */
	if (!sorted)
		qsort(page->keys, m, sizeof(CtExportEventKey), ct_event_key_cmp);
}

/* See exportpage.h. */
uint64
ct_export_page_read(CtExportPage *page, const char *project_id, const char *after_ct_id, int64 after_id,
					int limit, bool by_profile)
{
	Datum		args[4];

	memset(page, 0, sizeof(*page));
	args[0] = CStringGetTextDatum(project_id);
	args[1] = CStringGetTextDatum(after_ct_id);
	args[2] = Int64GetDatum(after_id);
	args[3] = Int32GetDatum(limit);
	page->n = ct_store_exec(CT_Q_EXPORT_ROWS, args, NULL, false);
	page->rows = SPI_tuptable;
	if (page->n == 0)
		return 0;
	if (page->rows->tupdesc->natts != CT_ROWS_COLS)
		elog(ERROR, "a page of the outbox came with %d columns, not %d",
			 page->rows->tupdesc->natts, CT_ROWS_COLS);
	ct_export_page_events(page, args[0], by_profile);
	return page->n;
}

/* The event (a row of page->events) of the key (ct_id, event_id); NULL: none. */
static HeapTuple
ct_export_page_event(const CtExportPage *page, text *ct_id, int64 event_id)
{
	const char *s = VARDATA_ANY(ct_id);
	int			len = VARSIZE_ANY_EXHDR(ct_id);
	int			low = 0;
	int			high = page->nkeys - 1;

	while (low <= high)
	{
		int			mid = low + (high - low) / 2;
		const CtExportEventKey *k = &page->keys[mid];
		int			c = ct_key_cmp(k->ct_id, k->len, k->event_id, s, len, event_id);

		if (c == 0)
			return page->events->vals[k->row];
		if (c < 0)
			low = mid + 1;
		else
			high = mid - 1;
	}
	return NULL;
}

/* See exportpage.h. */
void
ct_export_page_row(const CtExportPage *page, uint64 r, Datum *values, bool *nulls)
{
	Datum		v[CT_ROWS_COLS];
	bool		vn[CT_ROWS_COLS];
	HeapTuple	event = NULL;

	Assert(r < page->n);
	heap_deform_tuple(page->rows->vals[r], page->rows->tupdesc, v, vn);
	values[CT_PAGE_CT_ID - 1] = v[0];
	nulls[CT_PAGE_CT_ID - 1] = vn[0];
	values[CT_PAGE_EVENT_ID - 1] = v[1];
	nulls[CT_PAGE_EVENT_ID - 1] = vn[1];
	/* the profile's columns, then present, updated_at and first */
	memcpy(&values[CT_PAGE_IDENTITY - 1], &v[2], sizeof(Datum) * (CT_ROWS_COLS - 2));
	memcpy(&nulls[CT_PAGE_IDENTITY - 1], &vn[2], sizeof(bool) * (CT_ROWS_COLS - 2));

	if (DatumGetInt64(v[1]) != 0 && page->nkeys > 0)
		event = ct_export_page_event(page, DatumGetTextPP(v[0]), DatumGetInt64(v[1]));
	if (event != NULL)
	{
		Datum		e[CT_EVENTS_COLS];
		bool		en[CT_EVENTS_COLS];

		heap_deform_tuple(event, page->events->tupdesc, e, en);
		memcpy(&values[CT_PAGE_EVENT_NAME - 1], &e[2], sizeof(Datum) * 3);
		memcpy(&nulls[CT_PAGE_EVENT_NAME - 1], &en[2], sizeof(bool) * 3);
	}
	else
	{
		for (int c = CT_PAGE_EVENT_NAME; c <= CT_PAGE_PROPS; c++)
		{
			values[c - 1] = (Datum) 0;
			nulls[c - 1] = true;
		}
	}
}

/* See exportpage.h. */
void
ct_export_page_free(CtExportPage *page)
{
	if (page->events != NULL)
		SPI_freetuptable(page->events);
	if (page->rows != NULL)
		SPI_freetuptable(page->rows);
	if (page->keys != NULL)
		pfree(page->keys);
	memset(page, 0, sizeof(*page));
}
