/*
 * write.c
 *	  The import steps that write profiles: new ones inserted, existing ones
 *	  locked in CleverTap ID order and updated.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/resowner.h"

#include "importstate.h"
#include "response.h"
#include "triggers.h"
#include "write.h"

/*
 * The attribute patch of a slot: {"set": {...}, "delete": [...], "ts":
 * {...}}, and "tie": {...} when some: the last operation on each key,
 * unless stale; "ts" gives each applied key (upserted or deleted) the
 * message time, so that an older message cannot bring back a value or a
 * key deleted since.  A value set at the time the profile holds for its
 * key goes to "tie": it wins only over a smaller stored value (a deletion
 * of that time wins; see ct_attr_op_cmp).  Applied as properties =
 * (properties - delete) || set || (the winning ties), properties_ts =
 * properties_ts || ts.
 */
static Jsonb *
ct_attribute_patch(CtImport *im, CtSlot *s)
{
	CtJsonBuilder b;
	char	   *apply = palloc(s->nops);	/* 0 no, 1 yes, 2 a tie */
	bool		ties = false;
	JsonbValue	ms;

	for (int i = 0; i < s->nops; i++)
	{
		int			c = ct_attr_op_final(s, i) ? ct_attr_op_cmp(im, s, i) : 1;

		apply[i] = c > 0 ? 0 : (c == 0 && !s->ops[i]->is_delete) ? 2 : 1;
		ties |= (apply[i] == 2);
	}
	ct_jb_begin(&b);
	for (int t = 1; t <= (ties ? 2 : 1); t++)
	{
		ct_jb_begin_object(&b, t == 1 ? "set" : "tie");
		for (int i = 0; i < s->nops; i++)
		{
			JsonbValue	k;
			JsonbValue	v;

			if (apply[i] != t || s->ops[i]->is_delete)
				continue;
			k.type = jbvString;
			k.val.string.val = (char *) s->ops[i]->key.s;
			k.val.string.len = s->ops[i]->key.len;
			pushJsonbValue(&b.state, WJB_KEY, &k);
			v = s->ops[i]->value;
			pushJsonbValue(&b.state, WJB_VALUE, &v);
		}
		ct_jb_end_object(&b);
	}
	ct_jb_begin_array(&b, "delete");
	for (int i = 0; i < s->nops; i++)
	{
		if (apply[i] && s->ops[i]->is_delete)
			ct_jb_string(&b, NULL, s->ops[i]->key.s, s->ops[i]->key.len);
	}
	ct_jb_end_array(&b);
	ct_jb_begin_object(&b, "ts");
	ms.type = jbvNumeric;
	ms.val.numeric = int64_to_numeric(im->msg.timestamp_ms);
	for (int i = 0; i < s->nops; i++)
	{
		JsonbValue	k;

		if (!apply[i])
			continue;
		k.type = jbvString;
		k.val.string.val = (char *) s->ops[i]->key.s;
		k.val.string.len = s->ops[i]->key.len;
		pushJsonbValue(&b.state, WJB_KEY, &k);
		pushJsonbValue(&b.state, WJB_VALUE, &ms);
	}
	ct_jb_end_object(&b);
	pfree(apply);
	return ct_jb_finish(&b);
}

/* Count and sample the stale attribute operations of the profiles updated. */
void
ct_count_stale_attributes(CtImport *im)
{
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (!s->dirty || s->created || s->forward >= 0 || s->st_attr_ts == NULL)
			continue;
		for (int k = 0; k < s->nops; k++)
		{
			if (ct_attr_op_final(s, k) && ct_attr_op_stale(im, s, k))
			{
				im->counts.stale++;
				ct_import_sample(im, "stale", im->msg.entries[s->op_entry[k]].profile, s->op_entry[k]);
			}
		}
	}
}

/*
 * qsort_arg comparator of slot indexes (arg: the slots): by ct_id, so every
 * import locks rows in one order.
 */
static int
ct_cmp_slot_ctid(const void *a, const void *b, void *arg)
{
	const CtSlot *slots = arg;

	return strcmp(slots[*(const int *) a].ct_id, slots[*(const int *) b].ct_id);
}

/*
 * qsort_arg comparator for new profiles: by identity (none last), then ct_id.
 * Two imports creating some of the same profiles wait for each other on
 * the identity key (a new profile's ct_id is generated, unless a Partner ID
 * gave it, so two sessions' ct_id orders say nothing about identities):
 * inserting in identity order, the second waits at the first shared
 * identity and holds none the first still needs, so they do not deadlock
 * (in ct_id order they could).  Left: the same Partner IDs arriving with an
 * identity in one message and without in the other can still deadlock
 * (40P01, retried), as one order cannot serve both unique keys.
 */
static int
ct_cmp_slot_identity(const void *a, const void *b, void *arg)
{
	const CtSlot *x = &((const CtSlot *) arg)[*(const int *) a];
	const CtSlot *y = &((const CtSlot *) arg)[*(const int *) b];

	if (x->identity == NULL || y->identity == NULL)
	{
		if (x->identity != y->identity)
			return x->identity == NULL ? 1 : -1;
	}
	else
	{
		int			c = strcmp(x->identity, y->identity);

		if (c != 0)
			return c;
	}
	return strcmp(x->ct_id, y->ct_id);
}

/*
 * A batch of the profiles idx[0..n-1] for stmt: an insert (whose $9 is
 * properties_ts) or CT_Q_UPDATE_PROFILES (whose $9 is the rows' TIDs).
 */
static void
ct_profile_batch(CtImport *im, int *idx, int n, CtBatch *b, CtStmt stmt)
{
	bool		for_update = (stmt == CT_Q_UPDATE_PROFILES);

	ct_batch_init(b, stmt, n);
	b->values[0] = CStringGetTextDatum(im->project.project_id);
	b->values[7] = TimestampTzGetDatum(im->msg.ts);
	for (int i = 0; i < n; i++)
	{
		CtSlot	   *s = &im->slots[idx[i]];
		bool		with_identity = for_update ? s->set_identity :
			(s->identity != NULL && !s->identity_deferred);

		ct_arr_add(CT_COL(b, 2), CStringGetTextDatum(s->ct_id), false);
		ct_arr_add(CT_COL(b, 3), with_identity ? CStringGetTextDatum(s->identity) : (Datum) 0, !with_identity);
		ct_arr_add(CT_COL(b, 4), PointerGetDatum(s->new_email), s->new_email == NULL);
		ct_arr_add(CT_COL(b, 5), Int64GetDatum(s->new_phone), !s->has_new_phone);
		ct_arr_add(CT_COL(b, 6), s->mpid.s ? PointerGetDatum(cstring_to_text_with_len(s->mpid.s, s->mpid.len)) : (Datum) 0,
				   s->mpid.s == NULL);
		if (s->nops > 0)
		{
			Jsonb	   *patch = ct_attribute_patch(im, s);

			if (!for_update)
			{
				/*
				 * a new profile: its properties and their times are the "set"
				 * and "ts" parts
				 */
				JsonbValue	v;

				getKeyJsonValueFromContainer(&patch->root, "ts", 2, &v);
				ct_arr_add(CT_COL(b, 9), JsonbPGetDatum(JsonbValueToJsonb(&v)), false);
				getKeyJsonValueFromContainer(&patch->root, "set", 3, &v);
				patch = JsonbValueToJsonb(&v);
			}
			ct_arr_add(CT_COL(b, 7), JsonbPGetDatum(patch), false);
		}
		else
			ct_arr_add(CT_COL(b, 7), (Datum) 0, true);
		ct_arr_add(CT_COL(b, 10), BoolGetDatum(s->named), false);
		if (for_update)
			ct_arr_add(CT_COL(b, 9), PointerGetDatum(&s->tid), false);
		else if (s->nops == 0)
			ct_arr_add(CT_COL(b, 9), (Datum) 0, true);
	}
}

/*
 * Write new profiles (looked up and absent): directly, as COPY would, where
 * ct_direct_insert_profiles can, else with the plain SQL INSERT.  Always
 * true; a profile inserted meanwhile raises a unique violation.
 */
static bool
ct_write_new_profiles(void *arg)
{
	CtImportRows *np = arg;		/* rows: of CT_Q_INSERT_PROFILES_PLAIN */
	CtImport   *im = np->im;

	if (ct_direct_insert_profiles(np->rows))
		ct_profiles_inserted(im->project.project_id, CT_COL(np->rows, 2)->n,
							 CT_COL(np->rows, 4)->nulls, CT_COL(np->rows, 5)->nulls, im->msg.ts);
	else
		ct_batch_exec(np->rows, false);
	return true;
}

/*
 * Create the new profiles idx[0..n-1] (in Identity order); add those whose
 * insert lost a race to lost[*nlost].
 */
static void
ct_insert_profile_batch(CtImport *im, int *idx, int n, int *lost, int *nlost)
{
	uint64		got;
	CtStrMap	inserted;
	CtBatch		rows;
	CtImportRows np;

	ct_profile_batch(im, idx, n, &rows, CT_Q_INSERT_PROFILES_PLAIN);

	/*
	 * The keys were looked up and are absent, so they are inserted as they
	 * are (cheaper than ON CONFLICT's speculative insertion); only when a
	 * concurrent import committed one of them meanwhile is that rolled back
	 * and done again with ON CONFLICT DO NOTHING, whose losers are
	 * re-resolved.
	 */
	np.im = im;
	np.rows = &rows;
	if (ct_subxact_unless_unique(ct_write_new_profiles, &np))
	{
		for (int i = 0; i < n; i++)
		{
			im->slots[idx[i]].created = true;
			im->slots[idx[i]].exists = true;
		}
		im->counts.created_profiles += n;
		return;
	}
	got = ct_batch_exec_as(&rows, CT_Q_INSERT_PROFILES, false);

	ct_map_init(&inserted, (int) got);
	for (uint64 r = 0; r < got; r++)
	{
		char	   *ct_id = ct_store_get_text(r, 1);

		ct_map_put(&inserted, ct_id, strlen(ct_id), 1);
	}
	for (int i = 0; i < n; i++)
	{
		CtSlot	   *s = &im->slots[idx[i]];

		if (ct_map_get(&inserted, s->ct_id, strlen(s->ct_id)) > 0)
		{
			s->created = true;
			s->exists = true;
			im->counts.created_profiles++;
		}
		else
			lost[(*nlost)++] = idx[i];
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Create the new profiles, in Identity order, in batches of CT_WRITE_BATCH
 * (what a batch builds is freed before the next); returns how many inserts
 * lost a race.
 */
int
ct_insert_new_profiles(CtImport *im, int *lost)
{
	int		   *idx = palloc(sizeof(int) * Max(im->nslots, 1));
	int			n = 0;
	int			nlost = 0;
	MemoryContext batch;

	for (int i = 0; i < im->nslots; i++)
	{
		if (!im->slots[i].exists && !im->slots[i].created && im->slots[i].forward < 0 &&
			im->slots[i].absorb_into < 0)
			idx[n++] = i;
	}
	if (n == 0)
		return 0;
	qsort_arg(idx, n, sizeof(int), ct_cmp_slot_identity, im->slots);
	batch = AllocSetContextCreate(CurrentMemoryContext, "ctaudience profile batch",
								  ALLOCSET_DEFAULT_SIZES);
	for (int start = 0; start < n; start += CT_WRITE_BATCH)
	{
		MemoryContext old = MemoryContextSwitchTo(batch);

		ct_insert_profile_batch(im, idx + start, Min(CT_WRITE_BATCH, n - start), lost, &nlost);
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
	}
	MemoryContextDelete(batch);
	pfree(idx);
	return nlost;
}

/* A locked profile row: its newest values replace those of its lookup. */
static void
ct_profile_locked(void *arg, Datum *v, bool *isnull, ItemPointer tid)
{
	CtImport   *im = arg;
	text	   *ct_id = DatumGetTextPP(v[0]);
	int			si = ct_map_get(&im->by_ctid, VARDATA_ANY(ct_id), VARSIZE_ANY_EXHDR(ct_id));
	CtSlot	   *s;
	char	   *identity;

	/* the slot of the row: after a lost insert race, the one it became */
	while (si >= 0 && im->slots[si].forward >= 0)
		si = im->slots[si].forward;
	if (si < 0 || strcmp(im->slots[si].ct_id, text_to_cstring(ct_id)) != 0)
		return;
	s = &im->slots[si];
	s->locked = true;
	if (ItemPointerEquals(tid, &s->tid))
		return;					/* unchanged since its lookup */

	/* changed by an import that committed meanwhile: take its values */
	identity = isnull[1] ? NULL : TextDatumGetCString(v[1]);
	if (identity != NULL && (s->identity == NULL || strcmp(s->identity, identity) != 0))
	{
		s->identity = identity;
		s->set_identity = false;
	}
	ct_slot_stored(im, s, v, isnull, tid);
	s->dirty = true;			/* the update's own checks decide what changes */
}

/*
 * Lock the existing profiles of the message, in ct_id order (see
 * ct_lock_existing); true when every one of them was there.
 */
static bool
ct_lock_round(CtImport *im, Datum project_id)
{
	CtArr		keys;
	bool		all = true;
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "ctaudience lock keys",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);

	ct_arr_for(&keys, CT_Q_PROFILES_BY_CTID_LOCK, 2, im->nslots);
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		s->locked = false;
		if (s->exists && !s->created && s->forward < 0)
			ct_arr_add(&keys, CStringGetTextDatum(s->ct_id), false);
	}
	/* the keys in tmp, what the rows bring in the import's context */
	MemoryContextSwitchTo(old);
	if (keys.n > 0 &&
		!ct_direct_lookup_profiles(project_id, false, &keys, true, ct_profile_locked, im))
	{
		qsort(keys.values, keys.n, sizeof(Datum), ct_cmp_text_datum);
		ct_sql_lookup_profiles(project_id, CT_Q_PROFILES_BY_CTID_LOCK, &keys, ct_profile_locked, im);
	}
	MemoryContextDelete(tmp);
	for (int i = 0; i < im->nslots && all; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->exists && !s->created && s->forward < 0 && !s->locked)
			all = false;
	}
	return all;
}

/*
 * Existing profiles that were gone when they were to be locked, because a
 * concurrent import merged them into a Partner ID's profile (identity rule
 * 1): each becomes the profile it was merged into, read again (unlocked:
 * the next round locks it in order), both read with a new snapshot, which
 * sees what committed since the statement began.  True when one did.
 */
static bool
ct_follow_merged(CtImport *im, Datum project_id)
{
	CtArr		gone,
				keys;
	Datum		args[2];
	uint64		n;
	char	  **alias;
	char	  **target;
	bool		followed = false;

	ct_arr_for(&gone, CT_Q_PROFILE_ALIASES, 2, im->nslots);
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->exists && !s->created && s->forward < 0 && !s->locked)
			ct_arr_add(&gone, CStringGetTextDatum(s->ct_id), false);
	}
	if (gone.n == 0)
		return false;
	args[0] = project_id;
	args[1] = ct_arr_datum(&gone);
	n = ct_store_exec(CT_Q_PROFILE_ALIASES, args, NULL, false);
	alias = palloc(sizeof(char *) * Max(n, 1));
	target = palloc(sizeof(char *) * Max(n, 1));
	for (uint64 r = 0; r < n; r++)
	{
		alias[r] = ct_store_get_text(r, 1);
		target[r] = ct_store_get_text(r, 2);
	}
	SPI_freetuptable(SPI_tuptable);
	for (uint64 r = 0; r < n; r++)
	{
		int			lost = ct_map_get(&im->by_ctid, alias[r], strlen(alias[r]));

		ct_arr_for(&keys, CT_Q_PROFILES_BY_CTID, 2, 1);
		ct_arr_add(&keys, CStringGetTextDatum(target[r]), false);
		args[1] = ct_arr_datum(&keys);
		if (lost >= 0 && ct_store_exec(CT_Q_PROFILES_BY_CTID, args, NULL, false) == 1)
		{
			ct_slot_adopt(im, lost, 0);
			followed = true;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	return followed;
}

/*
 * Lock every existing profile the message touches, FOR UPDATE, in one
 * order: by CleverTap ID, however it was found.  Every import locks its
 * existing profiles here, after creating its new ones, and before it
 * updates a profile or writes a membership, so two imports that share
 * profiles wait for each other at the first they share and do not
 * deadlock: the one that waits holds no profile the other still needs (it
 * holds only profiles earlier in the order, and its new ones, which the
 * other cannot see).  The row of a profile changed since its lookup is
 * read again.
 *
 * A profile merged meanwhile into a Partner ID's profile (absorb.c) is
 * gone when its turn comes, and the profile it became may come earlier in
 * the order than profiles already locked: so the locks are taken in a
 * subtransaction, and when one was gone it is rolled back (releasing them)
 * and the locks are taken again, in order, with the profile it became.  A
 * profile erased meanwhile makes the message a serialization failure:
 * retried, it is imported as a new one.
 */
void
ct_lock_existing(CtImport *im)
{
	Datum		project_id = CStringGetTextDatum(im->project.project_id);
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	for (;;)
	{
		volatile bool again = false;

		CHECK_FOR_INTERRUPTS();
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcontext);
		PG_TRY();
		{
			again = !ct_lock_round(im, project_id) && ct_follow_merged(im, project_id);
		}
		PG_CATCH();
		{
			/* leave no subtransaction of ours to whoever catches it */
			MemoryContextSwitchTo(oldcontext);
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcontext);
			CurrentResourceOwner = oldowner;
			PG_RE_THROW();
		}
		PG_END_TRY();
		if (again)
			RollbackAndReleaseCurrentSubTransaction();
		else
			ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (!again)
			break;
	}
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->exists && !s->created && s->forward < 0 && !s->locked)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to a concurrent erasure of a profile of the message"),
					 errhint("Retry the message.")));
	}
}

/* The profiles to update: idx[0..n-1], slots in ct_id order. */
typedef struct CtProfileUpdate
{
	CtImport   *im;
	int		   *idx;
	int			n;
} CtProfileUpdate;

/*
 * Run the update of the profiles (for ct_subxact_unless_unique).  Their
 * rows are locked (ct_lock_existing) and reached by TID, so every one of
 * them is updated.
 */
static bool
ct_run_profile_update(void *arg)
{
	CtProfileUpdate *u = arg;
	CtBatch		rows;
	uint64		done;

	ct_profile_batch(u->im, u->idx, u->n, &rows, CT_Q_UPDATE_PROFILES);
	done = ct_batch_exec(&rows, false);
	SPI_freetuptable(SPI_tuptable);
	if (done != (uint64) u->n)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent updates of the same profiles"),
				 errhint("Retry the message.")));
	return true;
}

/*
 * Update the existing profiles that the message changes, in ct_id order,
 * in batches of CT_WRITE_BATCH.  When the update gives a profile a claimed
 * Customer ID that another import gave to another profile since this one
 * looked it up, it fails on the unique key: the message is a serialization
 * failure, and retried it finds the new holder and applies the claim rules
 * to it (a generated profile is merged, a Partner ID's compared).
 */
void
ct_update_profiles(CtImport *im)
{
	CtProfileUpdate u;
	bool		claims = false;
	MemoryContext batch;

	u.im = im;
	u.idx = palloc(sizeof(int) * Max(im->nslots, 1));
	u.n = 0;
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->dirty && !s->created && s->forward < 0 && s->absorb_into < 0)
		{
			u.idx[u.n++] = i;
			claims |= s->set_identity;
		}
	}
	if (u.n == 0)
		return;
	qsort_arg(u.idx, u.n, sizeof(int), ct_cmp_slot_ctid, im->slots);
	batch = AllocSetContextCreate(CurrentMemoryContext, "ctaudience profile batch",
								  ALLOCSET_DEFAULT_SIZES);
	for (int start = 0; start < u.n; start += CT_WRITE_BATCH)
	{
		CtProfileUpdate b = {im, u.idx + start, Min(CT_WRITE_BATCH, u.n - start)};
		MemoryContext old = MemoryContextSwitchTo(batch);

		if (!claims)
			ct_run_profile_update(&b);
		else if (!ct_subxact_unless_unique(ct_run_profile_update, &b))
			ct_claim_taken();
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
	}
	MemoryContextDelete(batch);
	pfree(u.idx);
}
