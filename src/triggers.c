/*
 * triggers.c
 *	  The statement-level triggers that keep Partner Sync events, segment
 *	  statistics and usage up to date as changes happen.
 *
 * ct_segment_member (AFTER INSERT / UPDATE / DELETE, FOR EACH STATEMENT,
 * with transition tables): one Partner Sync event per real change -- a row
 * inserted as a member is "Added", an updated row whose is_member flipped
 * is "Added" or "Removed"; a repeated add, a delete of a non-member or a
 * stale statement raises nothing -- plus one statistics delta row per
 * segment, the month's usage, and NOTIFY ct_partner_sync.  A deleted
 * member (erasure) only lowers the statistics.
 *
 * ct_profile (AFTER INSERT / UPDATE): an email or phone that appears or
 * disappears changes "reachable" of every segment the profile is in, and
 * every email or phone written counts as a profile property update.
 *
 * The transition tables are read here in C, so the work per row is a few
 * comparisons; what gets written is written set-wise, one INSERT ... SELECT
 * FROM unnest(...) per kind of row and statement.  The Partner Sync
 * properties are built once per segment and action, not once per event.
 * Statistics and usage are appended as delta rows, never by updating a
 * counter row, so concurrent imports into one segment never wait here.
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "direct.h"
#include "engage.h"
#include "export.h"
#include "journeys.h"
#include "response.h"
#include "store.h"
#include "strmap.h"
#include "timing.h"
#include "transition.h"
#include "triggers.h"
#include "usage.h"

CtSyncCounts *ct_sync_collector = NULL;
bool		ct_sync_raise = true;
#define CT_DEFAULT_NOTIFY_PARTNER_SYNC true
bool		ct_notify_partner_sync = CT_DEFAULT_NOTIFY_PARTNER_SYNC;

/* Define this module's settings (_PG_init). */
void
ct_triggers_init(void)
{
	DefineCustomBoolVariable("ctaudience.notify_partner_sync",
							 "Announce committed membership changes with NOTIFY ct_partner_sync.",
							 "Payloads are JSON: {\"segments\": [{\"segment_id\", \"added\", \"removed\"}, ...]}, "
							 "at most 50 segments each; no profile or project is named.",
							 &ct_notify_partner_sync,
							 CT_DEFAULT_NOTIFY_PARTNER_SYNC,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * Whether the triggers act.  They do only while the extension itself
 * writes (ct_with_triggers): the rows they derive -- Partner Sync events,
 * statistics and usage deltas, NOTIFY -- follow from imports and erasures,
 * so rows written by anything else, above all a restore of a dump that
 * holds the derived rows already, derive nothing.
 */
static bool ct_triggers_on = false;

PG_FUNCTION_INFO_V1(ct_partner_sync_trigger);
PG_FUNCTION_INFO_V1(ct_profile_trigger);

/* At most this many segments go into one NOTIFY payload (well under 8000 bytes). */
#define CT_NOTIFY_SEGMENTS 50

/* See triggers.h. */
void
ct_with_triggers(void (*fn) (void *arg), void *arg)
{
	bool		was = ct_triggers_on;

	ct_triggers_on = true;
	PG_TRY();
	{
		fn(arg);
	}
	PG_FINALLY();
	{
		ct_triggers_on = was;
	}
	PG_END_TRY();
}

/* ---------------------------------------------------------------------
 * Time buckets (UTC)
 * ---------------------------------------------------------------------
 */

/* The start of the UTC hour of a timestamp. */
static TimestampTz
ct_hour_bucket(TimestampTz ts)
{
	TimestampTz h = ts - ts % USECS_PER_HOUR;

	if (ts < 0 && ts % USECS_PER_HOUR != 0)
		h -= USECS_PER_HOUR;
	return h;
}


/* ---------------------------------------------------------------------
 * Accumulators: statistics and usage delta rows
 * ---------------------------------------------------------------------
 */

typedef struct CtDelta
{
	char	   *project_id;
	int64		segment_id;
	int64		members;
	int64		reachable_email;
	int64		reachable_phone;
	int64		added;
	int64		removed;
	TimestampTz last_sync;
	bool		has_sync;
} CtDelta;

typedef struct CtDeltas
{
	CtStrMap	index;
	CtDelta    *d;
	int			n;
	int			cap;
	int			last;			/* the one ct_delta returned last */
} CtDeltas;

/*
 * The delta row of a segment, created on first use.  The rows of a
 * statement come sorted by segment, so the last one returned is checked
 * first, before the key is built and looked up.
 */
static CtDelta *
ct_delta(CtDeltas *ds, const char *project_id, int64 segment_id)
{
	char	   *key;
	int			i;

	if (ds->n > 0 && ds->d[ds->last].segment_id == segment_id &&
		strcmp(ds->d[ds->last].project_id, project_id) == 0)
		return &ds->d[ds->last];
	key = psprintf("%s|" INT64_FORMAT, project_id, segment_id);
	i = ct_map_get(&ds->index, key, strlen(key));
	if (i >= 0)
	{
		pfree(key);
		ds->last = i;
		return &ds->d[i];
	}
	if (ds->n >= ds->cap)
	{
		ds->cap = Max(ds->cap * 2, 8);
		ds->d = ds->d ? repalloc(ds->d, sizeof(CtDelta) * ds->cap) : palloc(sizeof(CtDelta) * ds->cap);
	}
	i = ds->n++;
	memset(&ds->d[i], 0, sizeof(CtDelta));
	ds->d[i].project_id = pstrdup(project_id);
	ds->d[i].segment_id = segment_id;
	ct_map_put(&ds->index, key, strlen(key), i);
	ds->last = i;
	return &ds->d[i];
}

/* Write the delta rows (one per segment), bucketed at the given hour. */
static void
ct_write_deltas(CtDeltas *ds, TimestampTz bucket)
{
	CtBatch		q;

	if (ds->n == 0)
		return;
	ct_batch_init(&q, CT_Q_TRIG_DELTAS, ds->n);
	for (int i = 0; i < ds->n; i++)
	{
		CtDelta    *d = &ds->d[i];

		ct_arr_add(CT_COL(&q, 1), CStringGetTextDatum(d->project_id), false);
		ct_arr_add(CT_COL(&q, 2), Int64GetDatum(d->segment_id), false);
		ct_arr_add(CT_COL(&q, 3), TimestampTzGetDatum(d->has_sync ? ct_hour_bucket(d->last_sync) : bucket), false);
		ct_arr_add(CT_COL(&q, 4), Int64GetDatum(d->members), false);
		ct_arr_add(CT_COL(&q, 5), Int64GetDatum(d->reachable_email), false);
		ct_arr_add(CT_COL(&q, 6), Int64GetDatum(d->reachable_phone), false);
		ct_arr_add(CT_COL(&q, 7), Int64GetDatum(d->added), false);
		ct_arr_add(CT_COL(&q, 8), Int64GetDatum(d->removed), false);
		ct_arr_add(CT_COL(&q, 9), TimestampTzGetDatum(d->last_sync), !d->has_sync);
	}
	ct_batch_exec(&q, false);
}


/* ---------------------------------------------------------------------
 * Email / phone presence of the profiles behind membership rows
 * ---------------------------------------------------------------------
 */

typedef struct CtContactFlags
{
	bool		email;
	bool		phone;
} CtContactFlags;

/* Where ct_direct_profile_contacts' answers go. */
typedef struct CtContactsFound
{
	CtContactFlags *flags;
	int		   *rows;			/* the row of each looked-up pair */
} CtContactsFound;

static void
ct_contact_found(void *arg, int i, bool has_email, bool has_phone)
{
	CtContactsFound *cf = arg;

	cf->flags[cf->rows[i]].email = has_email;
	cf->flags[cf->rows[i]].phone = has_phone;
}

/*
 * Whether each changed row's profile has an email and a phone: from the
 * import, which knows, or else from one lookup of the profiles.
 */
static CtContactFlags *
ct_member_contacts(CtMemberRow *rows, int n)
{
	CtContactFlags *flags = palloc0(sizeof(CtContactFlags) * Max(n, 1));
	bool	   *need = palloc0(sizeof(bool) * Max(n, 1));
	CtBatch		q;
	CtArr	   *p = CT_COL(&q, 1);
	CtArr	   *c = CT_COL(&q, 2);
	uint64		found;
	CtStrMap	got;
	CtContactsFound cf;

	ct_batch_init(&q, CT_Q_TRIG_CONTACTS, n);
	for (int i = 0; i < n; i++)
	{
		if (!rows[i].changed)
			continue;
		if (ct_sync_collector != NULL && ct_sync_collector->contact != NULL &&
			ct_sync_collector->contact(ct_sync_collector->contact_arg, rows[i].project_id,
									   rows[i].ct_id, &flags[i].email, &flags[i].phone))
			continue;
		need[i] = true;
		ct_arr_add(p, CStringGetTextDatum(rows[i].project_id), false);
		ct_arr_add(c, CStringGetTextDatum(rows[i].ct_id), false);
	}
	if (p->n == 0)
		return flags;

	/* the rows that needed a lookup, in the order of p and c */
	cf.flags = flags;
	cf.rows = palloc(sizeof(int) * p->n);
	for (int i = 0, k = 0; i < n; i++)
	{
		if (need[i])
			cf.rows[k++] = i;
	}
	if (ct_direct_profile_contacts(p, c, ct_contact_found, &cf))
		return flags;

	found = ct_batch_exec(&q, true);
	ct_map_init(&got, (int) found);
	for (uint64 r = 0; r < found; r++)
	{
		bool		isnull;
		char	   *key = psprintf("%s|%s", ct_store_get_text(r, 1), ct_store_get_text(r, 2));
		int			bits = (DatumGetBool(ct_store_get(r, 3, &isnull)) ? 1 : 0) |
			(DatumGetBool(ct_store_get(r, 4, &isnull)) ? 2 : 0);

		ct_map_put(&got, key, strlen(key), bits);
	}
	SPI_freetuptable(SPI_tuptable);
	for (int i = 0; i < n; i++)
	{
		char	   *key;
		int			bits;

		if (!need[i])
			continue;
		key = psprintf("%s|%s", rows[i].project_id, rows[i].ct_id);
		bits = ct_map_get(&got, key, strlen(key));
		if (bits >= 0)
		{
			flags[i].email = (bits & 1) != 0;
			flags[i].phone = (bits & 2) != 0;
		}
	}
	return flags;
}

/* ---------------------------------------------------------------------
 * Partner Sync events
 * ---------------------------------------------------------------------
 */

/* What the events of a segment need; looked up once per statement. */
typedef struct CtSegmentProps
{
	bool		found;
	Jsonb	   *added;			/* the properties of an "Added" event */
	Jsonb	   *removed;
	int64		partner_segment_id;
} CtSegmentProps;

/* Add one string property to a Partner Sync properties object. */
static void
ct_prop(CtJsonBuilder *b, const char *key, const char *value)
{
	ct_jb_string(b, key, value, -1);
}

/* The five properties of a Partner Sync event. */
static Jsonb *
ct_sync_props(const char *name, int64 partner_segment_id, const char *partner_name,
			  const char *action)
{
	CtJsonBuilder b;

	ct_jb_begin(&b);
	ct_prop(&b, "Partner Segment Name", name);
	ct_prop(&b, "Action", action);
	ct_jb_int(&b, "Partner Segment ID", partner_segment_id);
	ct_prop(&b, "CT Source", "mParticle");
	ct_prop(&b, "Partner Name", partner_name);
	return ct_jb_finish(&b);
}

/* Look up the segments of the changed rows; index i of the result matches rows[i]. */
static CtSegmentProps *
ct_segment_props(CtMemberRow *rows, int n)
{
	CtSegmentProps *props = palloc0(sizeof(CtSegmentProps) * Max(n, 1));
	CtStrMap	seen;
	CtStrMap	byseg;
	CtBatch		q;
	uint64		found;
	CtSegmentProps *byrow;
	char	  **keys;

	ct_map_init(&seen, 8);
	ct_batch_init(&q, CT_Q_TRIG_SEGMENTS, n);
	keys = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		keys[i] = NULL;
		if (!rows[i].changed)
			continue;
		keys[i] = psprintf("%s|" INT64_FORMAT, rows[i].project_id, rows[i].segment_id);
		if (ct_map_get(&seen, keys[i], strlen(keys[i])) < 0)
		{
			ct_map_put(&seen, keys[i], strlen(keys[i]), 1);
			ct_arr_add(CT_COL(&q, 1), CStringGetTextDatum(rows[i].project_id), false);
			ct_arr_add(CT_COL(&q, 2), Int64GetDatum(rows[i].segment_id), false);
		}
	}
	if (CT_COL(&q, 1)->n == 0)
		return props;
	found = ct_batch_exec(&q, true);
	byrow = palloc0(sizeof(CtSegmentProps) * Max(found, 1));
	ct_map_init(&byseg, (int) found);
	for (uint64 r = 0; r < found; r++)
	{
		bool		isnull;
		char	   *key = psprintf("%s|" INT64_FORMAT, ct_store_get_text(r, 1),
								   DatumGetInt64(ct_store_get(r, 2, &isnull)));
		char	   *name = ct_store_get_text(r, 3);
		int64		psid = DatumGetInt64(ct_store_get(r, 4, &isnull));
		char	   *pname = ct_store_get_text(r, 5);

		byrow[r].found = true;
		byrow[r].partner_segment_id = psid;
		byrow[r].added = ct_sync_props(name, psid, pname, "Added");
		byrow[r].removed = ct_sync_props(name, psid, pname, "Removed");
		ct_map_put(&byseg, key, strlen(key), (int) r);
	}
	SPI_freetuptable(SPI_tuptable);
	for (int i = 0; i < n; i++)
	{
		int			r;

		if (keys[i] == NULL)
			continue;
		r = ct_map_get(&byseg, keys[i], strlen(keys[i]));
		if (r >= 0)
			props[i] = byrow[r];
	}
	return props;
}

/*
 * Queue NOTIFY ct_partner_sync payloads for the changes: per segment, its
 * id and how many were added and removed, CT_NOTIFY_SEGMENTS segments to a
 * payload.  Any role may LISTEN, so a payload names no profile and no
 * project: a listener reads the rest with the privileges it has.
 */
static void
ct_notify_changes(CtDeltas *ds)
{
	StringInfoData buf;
	int			batch = 0;

	initStringInfo(&buf);
	for (int i = 0; i < ds->n; i++)
	{
		CtDelta    *d = &ds->d[i];

		if (d->added == 0 && d->removed == 0)
			continue;
		appendStringInfoString(&buf, batch == 0 ? "{\"segments\": [" : ", ");
		appendStringInfo(&buf, "{\"segment_id\": " INT64_FORMAT ", \"added\": " INT64_FORMAT
						 ", \"removed\": " INT64_FORMAT "}", d->segment_id, d->added, d->removed);
		if (++batch == CT_NOTIFY_SEGMENTS)
		{
			appendStringInfoString(&buf, "]}");
			Async_Notify("ct_partner_sync", buf.data);
			resetStringInfo(&buf);
			batch = 0;
		}
	}
	if (batch > 0)
	{
		appendStringInfoString(&buf, "]}");
		Async_Notify("ct_partner_sync", buf.data);
	}
	pfree(buf.data);
}

/*
 * Qualify the Partner Sync events of the changed rows for live campaigns,
 * and enter the profiles they add to live journeys' entry segments, one
 * project at a time (a statement writes one project's rows).
 */
static void
ct_qualify_partner_sync(CtMemberRow *rows, int n, CtSegmentProps *props)
{
	CtOccurrence *occ = palloc(sizeof(CtOccurrence) * Max(n, 1));
	bool	   *done = palloc0(sizeof(bool) * Max(n, 1));

	for (int first = 0; first < n; first++)
	{
		const char *project_id = rows[first].project_id;
		int			nocc = 0;

		if (done[first])
			continue;
		for (int i = first; i < n; i++)
		{
			CtMemberRow *r = &rows[i];

			if (done[i] || strcmp(r->project_id, project_id) != 0)
				continue;
			done[i] = true;
			if (!r->changed || !props[i].found)
				continue;
			occ[nocc].ct_id = r->ct_id;
			occ[nocc].ts = r->stated_at;
			occ[nocc].props = r->is_member ? props[i].added : props[i].removed;
			occ[nocc].member_of = r->is_member ? r->segment_id : 0;
			occ[nocc].left = r->is_member ? 0 : r->segment_id;
			nocc++;
		}
		ct_campaigns_qualify(project_id, "Partner Sync", occ, nocc);
		ct_journeys_enter(project_id, occ, nocc,
						  ct_sync_collector != NULL ? ct_sync_collector->created : NULL,
						  ct_sync_collector != NULL ? ct_sync_collector->contact_arg : NULL);
	}
}

/*
 * Write the Partner Sync events of a statement (of one project), and queue
 * them for the project's export when it takes them (an export selects
 * Partner Sync by name only).
 */
static void
ct_insert_partner_sync(CtBatch *events)
{
	const char *project_id;
	CtArr		ct_ids,
				ids;

	if (CT_COL(events, 1)->n == 0)
		return;
	project_id = TextDatumGetCString(CT_COL(events, 1)->values[0]);
	if (!ct_export_takes(project_id, "Partner Sync"))
	{
		ct_direct_insert_events(events, NULL, NULL);
		return;
	}
	ct_arr_for(&ct_ids, CT_Q_EXPORT_QUEUE, 2, CT_COL(events, 1)->n);
	ct_arr_for(&ids, CT_Q_EXPORT_QUEUE, 3, CT_COL(events, 1)->n);
	ct_direct_insert_events(events, &ct_ids, &ids);
	ct_export_queue(project_id, &ct_ids, &ids);
}

/*
 * Raise the Partner Sync events of the changed rows, append the segments'
 * statistics and the month's usage, and announce the changes.
 */
static void
ct_sync_members(CtMemberRow *rows, int n)
{
	CtSegmentProps *props;
	CtContactFlags *contacts;
	CtDeltas	deltas;
	CtUsages	usage;
	CtBatch		events;
	int64		added = 0,
				removed = 0;
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	memset(&deltas, 0, sizeof(deltas));
	memset(&usage, 0, sizeof(usage));
	ct_map_init(&deltas.index, 8);

	props = ct_segment_props(rows, n);
	contacts = ct_member_contacts(rows, n);

	ct_batch_init(&events, CT_Q_TRIG_EVENTS, n);
	for (int i = 0; i < n; i++)
	{
		CtMemberRow *r = &rows[i];
		CtDelta    *d = ct_delta(&deltas, r->project_id, r->segment_id);
		int			sign = r->is_member ? 1 : -1;

		if (!d->has_sync || r->stated_at > d->last_sync)
			d->last_sync = r->stated_at;
		d->has_sync = true;
		if (!r->changed)
			continue;
		d->members += sign;
		if (contacts[i].email)
			d->reachable_email += sign;
		if (contacts[i].phone)
			d->reachable_phone += sign;
		if (r->is_member)
		{
			d->added++;
			added++;
		}
		else
		{
			d->removed++;
			removed++;
		}
		if (!props[i].found || !ct_sync_raise)
			continue;			/* a row of a segment that does not exist, or
								 * moved by a merge: no event */
		ct_arr_add(CT_COL(&events, 1), CStringGetTextDatum(r->project_id), false);
		ct_arr_add(CT_COL(&events, 2), CStringGetTextDatum(r->ct_id), false);
		ct_arr_add(CT_COL(&events, 3), TimestampTzGetDatum(r->stated_at), false);
		ct_arr_add(CT_COL(&events, 4), JsonbPGetDatum(r->is_member ? props[i].added : props[i].removed), false);
		/* an event and each of its five properties: six data points */
		ct_usage_add(&usage, r->project_id, ct_month(r->stated_at), 1, 6, 0);
	}
	ct_insert_partner_sync(&events);
	if (ct_sync_raise)
		ct_qualify_partner_sync(rows, n, props);
	ct_write_deltas(&deltas, ct_hour_bucket(now));
	ct_write_usage(&usage);
	if (ct_notify_partner_sync && ct_sync_raise)
		ct_notify_changes(&deltas);
	if (ct_sync_collector != NULL)
	{
		ct_sync_collector->added += added;
		ct_sync_collector->removed += removed;
	}
}

/* Deleted memberships (erasure): lower the statistics, raise nothing. */
static void
ct_delete_members(CtMemberRow *rows, int n)
{
	CtDeltas	deltas;
	CtContactFlags *contacts;

	memset(&deltas, 0, sizeof(deltas));
	ct_map_init(&deltas.index, 8);
	for (int i = 0; i < n; i++)
		rows[i].changed = rows[i].is_member;
	contacts = ct_member_contacts(rows, n);
	for (int i = 0; i < n; i++)
	{
		CtDelta    *d;

		if (!rows[i].changed)
			continue;
		d = ct_delta(&deltas, rows[i].project_id, rows[i].segment_id);
		d->members--;
		if (contacts[i].email)
			d->reachable_email--;
		if (contacts[i].phone)
			d->reachable_phone--;
	}
	ct_write_deltas(&deltas, ct_hour_bucket(GetCurrentTransactionStartTimestamp()));
}

/* See triggers.h. */
void
ct_members_inserted(const char *project_id, int n, Datum *segment, Datum *ct_id,
					Datum *is_member, TimestampTz stated_at)
{
	CtMemberRow *rows = palloc(sizeof(CtMemberRow) * Max(n, 1));
	instr_time	t0;

	ct_timer_start(&t0);
	for (int i = 0; i < n; i++)
	{
		rows[i].project_id = (char *) project_id;
		rows[i].segment_id = DatumGetInt64(segment[i]);
		rows[i].ct_id = TextDatumGetCString(ct_id[i]);
		rows[i].is_member = DatumGetBool(is_member[i]);
		rows[i].stated_at = stated_at;
		/* as in the insert trigger: inserted as a member is a change */
		rows[i].changed = rows[i].is_member;
	}

	/*
	 * What the trigger reads (read-only) must see this statement's writes, as
	 * it would in the trigger of an INSERT: a fresh snapshot, as SPI takes
	 * for each statement.
	 */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	ct_sync_members(rows, n);
	PopActiveSnapshot();
	ct_timer_add(CT_STEP_TRIGGER, &t0);
}

/* See triggers.h. */
void
ct_profiles_inserted(const char *project_id, int n, const bool *email_null,
					 const bool *phone_null, TimestampTz ts)
{
	CtUsages	usage;
	int64		pu = 0;

	/* as in the insert trigger: every email and phone written is an update */
	for (int i = 0; i < n; i++)
		pu += !email_null[i] + !phone_null[i];
	if (pu == 0)
		return;
	memset(&usage, 0, sizeof(usage));
	ct_usage_add(&usage, project_id, ct_month(ts), 0, 0, pu);
	ct_write_usage(&usage);
}

/* Trigger function of ct_segment_member. */
Datum
ct_partner_sync_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = ct_trigger_data(fcinfo, "ct_partner_sync_trigger");
	Relation	rel = trigdata->tg_relation;
	CtMemberRow *rows;
	int			n;
	instr_time	t0;

	if (!ct_triggers_on)
		return PointerGetDatum(NULL);
	ct_timer_start(&t0);
	ct_store_connect();
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		rows = ct_read_members(rel, trigdata->tg_oldtable, &n);
		ct_delete_members(rows, n);
	}
	else
	{
		rows = ct_read_members(rel, trigdata->tg_newtable, &n);
		if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		{
			/*
			 * a row inserted as a member is a change; as a non-member it is
			 * not
			 */
			for (int i = 0; i < n; i++)
				rows[i].changed = rows[i].is_member;
		}
		else
		{
			int			nold;
			CtMemberRow *old = ct_read_members(rel, trigdata->tg_oldtable, &nold);
			CtStrMap	before;

			ct_map_init(&before, nold);
			for (int i = 0; i < nold; i++)
			{
				char	   *key = ct_member_key(&old[i]);

				ct_map_put(&before, key, strlen(key), old[i].is_member ? 1 : 0);
			}
			for (int i = 0; i < n; i++)
			{
				char	   *key = ct_member_key(&rows[i]);
				int			was = ct_map_get(&before, key, strlen(key));

				rows[i].changed = (was < 0 || (was == 1) != rows[i].is_member);
			}
		}
		ct_sync_members(rows, n);
	}
	ct_store_finish();
	ct_timer_add(CT_STEP_TRIGGER, &t0);
	return PointerGetDatum(NULL);
}

/* ---------------------------------------------------------------------
 * Profiles
 * ---------------------------------------------------------------------
 */

/* Same email (both null, or the same bytes)? */
static bool
ct_same_email(text *a, text *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/* The reachable changes of profiles, summed per segment they are members of. */
typedef struct CtReachable
{
	CtDeltas	deltas;
	CtArr	   *project;
	CtArr	   *de;				/* int4: change of "has an email" */
	CtArr	   *dp;				/* int4: change of "has a phone" */
} CtReachable;

static void
ct_reachable_found(void *arg, int i, int64 segment_id, bool is_member)
{
	CtReachable *rc = arg;
	CtDelta    *d;
	char	   *project_id;

	if (!is_member)
		return;
	project_id = TextDatumGetCString(rc->project->values[i]);
	d = ct_delta(&rc->deltas, project_id, segment_id);
	d->reachable_email += DatumGetInt32(rc->de->values[i]);
	d->reachable_phone += DatumGetInt32(rc->dp->values[i]);
}

/* Trigger function of ct_profile. */
Datum
ct_profile_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = ct_trigger_data(fcinfo, "ct_profile_trigger");
	Relation	rel = trigdata->tg_relation;
	CtUsages	usage;
	CtProfileRow *rows;
	int			n;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	instr_time	t0;

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ct_profile_trigger() handles INSERT and UPDATE only")));
	if (!ct_triggers_on)
		return PointerGetDatum(NULL);
	ct_timer_start(&t0);
	memset(&usage, 0, sizeof(usage));
	ct_store_connect();
	rows = ct_read_profiles(rel, trigdata->tg_newtable, &n);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		/* every email and phone written is a profile property update */
		for (int i = 0; i < n; i++)
		{
			int			pu = (rows[i].email != NULL) + rows[i].has_phone;

			if (pu > 0)
				ct_usage_add(&usage, rows[i].project_id, ct_month(rows[i].ts ? rows[i].ts : now), 0, 0, pu);
		}
	}
	else
	{
		int			nold;
		CtProfileRow *old = ct_read_profiles(rel, trigdata->tg_oldtable, &nold);
		CtStrMap	before;
		CtBatch		q;

		ct_map_init(&before, nold);
		for (int i = 0; i < nold; i++)
		{
			char	   *key = psprintf("%s|%s", old[i].project_id, old[i].ct_id);

			ct_map_put(&before, key, strlen(key), i);
		}
		ct_batch_init(&q, CT_Q_TRIG_REACHABLE, n);
		q.values[4] = TimestampTzGetDatum(ct_hour_bucket(now));
		for (int i = 0; i < n; i++)
		{
			char	   *key = psprintf("%s|%s", rows[i].project_id, rows[i].ct_id);
			int			k = ct_map_get(&before, key, strlen(key));
			CtProfileRow *o;
			int			pu;
			int			d_email,
						d_phone;

			if (k < 0)
				continue;		/* its key changed: nothing to compare with */
			o = &old[k];
			pu = !ct_same_email(rows[i].email, o->email) +
				(rows[i].has_phone != o->has_phone ||
				 (rows[i].has_phone && rows[i].phone != o->phone));
			if (pu > 0)
				ct_usage_add(&usage, rows[i].project_id, ct_month(rows[i].ts ? rows[i].ts : now), 0, 0, pu);
			d_email = (rows[i].email != NULL) - (o->email != NULL);
			d_phone = (int) rows[i].has_phone - (int) o->has_phone;
			if (d_email != 0 || d_phone != 0)
			{
				ct_arr_add(CT_COL(&q, 1), CStringGetTextDatum(rows[i].project_id), false);
				ct_arr_add(CT_COL(&q, 2), CStringGetTextDatum(rows[i].ct_id), false);
				ct_arr_add(CT_COL(&q, 3), Int32GetDatum(d_email), false);
				ct_arr_add(CT_COL(&q, 4), Int32GetDatum(d_phone), false);
			}
		}
		if (CT_COL(&q, 1)->n > 0)
		{
			/* reachable changes in every segment the profile is in */
			CtReachable rc;

			memset(&rc.deltas, 0, sizeof(rc.deltas));
			ct_map_init(&rc.deltas.index, 8);
			rc.project = CT_COL(&q, 1);
			rc.de = CT_COL(&q, 3);
			rc.dp = CT_COL(&q, 4);
			if (ct_direct_profile_memberships(CT_COL(&q, 1), CT_COL(&q, 2), ct_reachable_found, &rc))
				ct_write_deltas(&rc.deltas, ct_hour_bucket(now));
			else
				ct_batch_exec(&q, false);
		}
	}
	ct_write_usage(&usage);
	ct_store_finish();
	ct_timer_add(CT_STEP_TRIGGER, &t0);
	return PointerGetDatum(NULL);
}
