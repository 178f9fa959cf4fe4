/*
 * members.c
 *	  The import steps that write memberships (the Partner Sync events come
 *	  from the trigger path) and fold statistics deltas.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/memutils.h"

#include "direct.h"
#include "importstate.h"
#include "members.h"
#include "triggers.h"

/* Membership statements in the order they are applied: by segment, profile, then message order. */
static int
ct_cmp_member(const void *a, const void *b)
{
	const CtMember *x = a;
	const CtMember *y = b;
	int			c;

	if (x->segment_id != y->segment_id)
		return x->segment_id < y->segment_id ? -1 : 1;
	if (x->audience != y->audience)
		return x->audience - y->audience;	/* segments a dry run did not
											 * create */
	c = strcmp(x->ct_id, y->ct_id);
	if (c != 0)
		return c;
	return x->order - y->order;
}

/* See members.h. */
CtMember *
ct_member_statements(CtImport *im, int *count)
{
	CtMembershipMessage *msg = &im->msg;
	CtMember   *m = palloc(sizeof(CtMember) * Max(msg->nentries, 1));
	int			n = 0;

	for (int i = 0; i < msg->nentries; i++)
	{
		CtAudienceEntry *e = &msg->entries[i];
		int			si;

		if (e->action == CT_ACTION_ATTRIBUTE_UPDATE)
			continue;
		si = ct_slot_final(im, im->res[im->entry_res[i]].slot);
		if (si < 0)
			continue;			/* anonymous */
		if (im->segments[e->audience].disconnected)
		{
			im->counts.refused++;
			ct_import_sample(im, "refused", e->profile, i);
			continue;
		}
		m[n].segment_id = im->segments[e->audience].segment_id;
		m[n].audience = e->audience;
		m[n].ct_id = im->slots[si].ct_id;
		m[n].order = i;
		m[n].is_member = (e->action == CT_ACTION_ADD);

		/*
		 * a profile created here has no membership yet, unless one merged
		 * into it brought some
		 */
		m[n].created = im->slots[si].created && !im->slots[si].absorbs;
		m[n].superseded = false;
		n++;
	}
	if (n > 0)
		qsort(m, n, sizeof(CtMember), ct_cmp_member);
	for (int i = 0; i + 1 < n; i++)
	{
		if (m[i + 1].audience == m[i].audience && strcmp(m[i + 1].ct_id, m[i].ct_id) == 0)
		{
			m[i].superseded = true;
			im->counts.unchanged++;
		}
	}
	*count = n;
	return m;
}

/*
 * See members.h.  The rule of CT_Q_UPSERT_MEMBERS (its WHERE: a stored
 * statement newer than the message's is kept, and so is a removal stated
 * at the same time as an add: on equal times a removal wins, whatever the
 * order the messages arrive in) and of the Partner Sync trigger (Added or
 * Removed when is_member changes); an absent pair is inserted, a member
 * only by an add.
 */
CtMemberChange
ct_member_change(const CtStoredMember *stored, bool is_member, TimestampTz ts)
{
	if (stored == NULL)
		return is_member ? CT_CHANGE_ADD : CT_CHANGE_NONE;
	if (stored->stated_at > ts ||
		(stored->stated_at == ts && !stored->is_member && is_member))
		return CT_CHANGE_STALE;
	if (stored->is_member == is_member)
		return CT_CHANGE_NONE;
	return is_member ? CT_CHANGE_ADD : CT_CHANGE_REMOVE;
}

/*
 * For the membership trigger: whether a profile of this import has an email
 * and a phone once the message is merged (neither can become null here).
 * Not for a profile that another was merged into (CT_Q_ABSORB_PROFILES gave
 * it that one's email and phone, which its slot does not hold): the
 * trigger reads its row.
 */
static bool
ct_import_contact(void *arg, const char *project_id, const char *ct_id,
				  bool *has_email, bool *has_phone)
{
	CtImport   *im = (CtImport *) arg;
	int			si;
	CtSlot	   *s;

	if (strcmp(project_id, im->project.project_id) != 0)
		return false;
	si = ct_slot_final(im, ct_map_get(&im->by_ctid, ct_id, strlen(ct_id)));
	if (si < 0)
		return false;
	s = &im->slots[si];
	if (s->absorbs)
		return false;
	*has_email = (s->new_email != NULL || s->st_email != NULL);
	*has_phone = (s->has_new_phone || !s->st_phone_null);
	return true;
}

/*
 * CtSyncCounts.created: the profile is one this import inserted (not one
 * whose insert lost a race: that slot forwards to the winner's, which
 * exists), and no existing profile was merged into it, so that no journey
 * state row can name it: one made by another transaction would have needed
 * the profile, which the insert would have met.
 */
static bool
ct_import_created(void *arg, const char *project_id, const char *ct_id)
{
	CtImport   *im = (CtImport *) arg;
	int			si;

	if (strcmp(project_id, im->project.project_id) != 0)
		return false;
	si = ct_slot_final(im, ct_map_get(&im->by_ctid, ct_id, strlen(ct_id)));
	return si >= 0 && im->slots[si].created && !im->slots[si].absorbs;
}

/*
 * Insert memberships of existing profiles that have none in their segment
 * yet (seen absent by ct_direct_members_present) the way COPY does, raising
 * what the insert trigger would; false, having done nothing, when
 * ct_direct_insert_members cannot.  A pair a concurrent import inserted
 * first raises a unique violation.
 */
static bool
ct_write_absent_members(void *arg)
{
	CtImportRows *am = arg;		/* rows: of CT_Q_INSERT_MEMBERS */

	if (!ct_direct_insert_members(am->rows))
		return false;
	ct_members_inserted(am->im->project.project_id, CT_COL(am->rows, 2)->n,
						CT_COL(am->rows, 2)->values, CT_COL(am->rows, 3)->values,
						CT_COL(am->rows, 4)->values, am->im->msg.ts);
	return true;
}

/*
 * A batch of up to cap memberships for statement stmt, of the project and
 * time of q ($1, $5).
 */
static void
ct_member_batch(CtBatch *b, CtStmt stmt, const CtBatch *q, int cap)
{
	ct_batch_init(b, stmt, cap);
	b->values[0] = q->values[0];
	b->values[4] = q->values[4];
}

/* Add membership i of q to b. */
static void
ct_member_add(CtBatch *b, const CtBatch *q, int i)
{
	for (int k = 2; k <= 4; k++)
		ct_arr_add(CT_COL(b, k), CT_COL(q, k)->values[i], false);
}

/*
 * Upsert the memberships of existing profiles (q, of CT_Q_UPSERT_MEMBERS):
 * those without a row in their segment are inserted directly
 * (ct_write_absent_members), the rest, or all of them where that cannot be
 * done, by the SQL upsert, whose WHERE leaves stale statements out.
 * Returns how many statements were applied.
 */
static uint64
ct_upsert_members(CtImport *im, CtBatch *q, CtSyncCounts *sync)
{
	int			n = CT_COL(q, 2)->n;
	bool	   *present = palloc(sizeof(bool) * Max(n, 1));
	uint64		direct = 0;

	if (ct_direct_members_present(q, present))
	{
		CtBatch		absent,
					rest;
		CtImportRows am = {im, &absent};
		int64		added = sync->added;
		int64		removed = sync->removed;

		ct_member_batch(&absent, CT_Q_INSERT_MEMBERS, q, n);
		ct_member_batch(&rest, CT_Q_UPSERT_MEMBERS, q, n);
		for (int i = 0; i < n; i++)
			ct_member_add(present[i] ? &rest : &absent, q, i);
		/* in a subtransaction: undone, with its counts, if a pair was taken */
		if (CT_COL(&absent, 2)->n > 0 && ct_subxact_unless_unique(ct_write_absent_members, &am))
		{
			direct = CT_COL(&absent, 2)->n;
			*q = rest;
		}
		else
		{
			sync->added = added;
			sync->removed = removed;
		}
	}
	pfree(present);
	if (CT_COL(q, 2)->n == 0)
		return direct;
	return direct + ct_batch_exec(q, false);
}

/*
 * Apply the membership statements m[0..n-1] (sorted, the superseded ones
 * marked): those of profiles this message created cannot exist yet and
 * are plain inserts; the others go through the upsert, whose WHERE leaves
 * stale statements out.  The trigger raises Partner Sync; sync counts.
 */
static void
ct_apply_member_batch(CtImport *im, CtMember *m, int n, CtSyncCounts *sync)
{
	CtMembershipMessage *msg = &im->msg;
	int			kept = 0;
	CtBatch		existing,		/* of CT_Q_UPSERT_MEMBERS */
				created,		/* of CT_Q_INSERT_MEMBERS */
				upsert;
	CtArr		ord;			/* for CT_Q_STALE_ENTRIES */
	uint64		applied = 0;
	uint64		applied_new = 0;
	int64		added = sync->added;
	int64		removed = sync->removed;

	ct_batch_init(&existing, CT_Q_UPSERT_MEMBERS, n);
	existing.values[0] = CStringGetTextDatum(im->project.project_id);
	existing.values[4] = TimestampTzGetDatum(msg->ts);
	ct_member_batch(&created, CT_Q_INSERT_MEMBERS, &existing, n);
	ct_arr_for(&ord, CT_Q_STALE_ENTRIES, 4, n);
	for (int i = 0; i < n; i++)
	{
		CtBatch    *b = m[i].created ? &created : &existing;

		if (m[i].superseded)
			continue;
		ct_arr_add(CT_COL(b, 2), Int64GetDatum(m[i].segment_id), false);
		ct_arr_add(CT_COL(b, 3), CStringGetTextDatum(m[i].ct_id), false);
		ct_arr_add(CT_COL(b, 4), BoolGetDatum(m[i].is_member), false);
		if (m[i].created)
			continue;
		ct_arr_add(&ord, Int32GetDatum(m[i].order), false);
		kept++;
	}

	if (CT_COL(&created, 2)->n > 0 && ct_direct_insert_members(&created))
	{
		ct_members_inserted(im->project.project_id, CT_COL(&created, 2)->n,
							CT_COL(&created, 2)->values, CT_COL(&created, 3)->values,
							CT_COL(&created, 4)->values, msg->ts);
		applied_new = CT_COL(&created, 2)->n;
	}
	else if (CT_COL(&created, 2)->n > 0)
		applied_new = ct_batch_exec(&created, false);
	if (kept > 0)
	{
		upsert = existing;		/* its arrays may be replaced, not changed */
		applied = ct_upsert_members(im, &upsert, sync);
	}

	im->counts.unchanged += (int64) (applied + applied_new) -
		(sync->added - added) - (sync->removed - removed);
	im->counts.stale += kept - (int64) applied;

	/* which statements were stale, for the import log's samples */
	if (kept > (int64) applied && im->nsamples < CT_MAX_SAMPLES)
	{
		CtBatch		stale;
		uint64		nstale;

		ct_member_batch(&stale, CT_Q_STALE_ENTRIES, &existing, 0);
		*CT_COL(&stale, 2) = *CT_COL(&existing, 2);
		*CT_COL(&stale, 3) = *CT_COL(&existing, 3);
		*CT_COL(&stale, 4) = ord;
		*CT_COL(&stale, 7) = *CT_COL(&existing, 4);
		stale.values[5] = Int32GetDatum(CT_MAX_SAMPLES - im->nsamples);
		nstale = ct_batch_exec(&stale, true);
		for (uint64 r = 0; r < nstale; r++)
		{
			bool		isnull;
			int			entry = DatumGetInt32(ct_store_get(r, 1, &isnull));

			ct_import_sample(im, "stale", msg->entries[entry].profile, entry);
		}
		SPI_freetuptable(SPI_tuptable);
	}
}

/*
 * Apply the add/delete statements, sorted by segment and profile, in
 * batches of CT_WRITE_BATCH: what a batch builds (its arrays, the rows its
 * trigger reads and writes) is freed before the next, so the memory of a
 * large message stays that of a batch.  Within one message the last entry
 * for a (segment, profile) wins, whichever batch the others fall in.
 */
void
ct_apply_memberships(CtImport *im)
{
	int			n;
	CtMember   *m = ct_member_statements(im, &n);
	CtSyncCounts sync = {0, 0, ct_import_contact, im, ct_import_created};
	MemoryContext batch;
	MemoryContext old;

	if (n == 0)
		return;
	batch = AllocSetContextCreate(CurrentMemoryContext, "ctaudience membership batch",
								  ALLOCSET_DEFAULT_SIZES);
	ct_sync_collector = &sync;
	PG_TRY();
	{
		for (int start = 0; start < n; start += CT_WRITE_BATCH)
		{
			old = MemoryContextSwitchTo(batch);
			ct_apply_member_batch(im, m + start, Min(CT_WRITE_BATCH, n - start), &sync);
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch);
		}
	}
	PG_FINALLY();
	{
		ct_sync_collector = NULL;
	}
	PG_END_TRY();
	MemoryContextDelete(batch);
	im->counts.added += sync.added;
	im->counts.removed += sync.removed;
	pfree(m);
}

/*
 * Every CT_COMPACT_EVERY messages a backend imports, it folds the statistics
 * delta rows of the segments the message touched (under a per-segment
 * advisory lock it only tries), so their number stays small without a
 * scheduled job.
 */
#define CT_COMPACT_EVERY 32

void
ct_maybe_compact(CtImport *im)
{
	static uint32 imports = 0;
	CtBatch		q;

	if (++imports % CT_COMPACT_EVERY != 0 || im->msg.naudiences == 0)
		return;
	ct_batch_init(&q, CT_Q_COMPACT_SEGMENTS, im->msg.naudiences);
	q.values[0] = CStringGetTextDatum(im->project.project_id);
	for (int i = 0; i < im->msg.naudiences; i++)
	{
		if (im->segments[i].segment_id != 0)
			ct_arr_add(CT_COL(&q, 2), Int64GetDatum(im->segments[i].segment_id), false);
	}
	ct_batch_exec(&q, false);
}
