/*
 * preview.c
 *	  ct_preview_import(): a dry run of an import, to see what a large
 *	  audience would do before importing it.
 *
 * It runs the import's own steps (parse, authenticate, resolve, look up,
 * merge) with dry_run set, so nothing is written: segments are only looked
 * up, profiles only resolved.  Then, for each (user, audience) entry, it
 * reports the resolution and the change the import would make, by the
 * import's own rules: its membership statements (ct_member_statements),
 * the change each makes to the stored row (ct_member_change), and which
 * attribute operations apply (ct_attr_op_final, ct_attr_op_stale).
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "args.h"
#include "auth.h"
#include "import.h"
#include "members.h"

PG_FUNCTION_INFO_V1(ct_preview_import);

#define PREVIEW_COLS 13

/* What the dry run knows besides the import's state. */
typedef struct CtPreview
{
	CtImport   *im;
	bool		duplicate;		/* the message was processed already */
	CtStrMap	stored;			/* "segment_id/ct_id" -> index into rows */
	CtStoredMember *rows;
	bool	   *superseded;		/* per entry */
	int		   *absorbed;		/* per slot: the next slot merged into the
								 * same profile (-1: none) */
	int		   *first_absorbed; /* per slot: the first merged into it (-1) */
} CtPreview;

/* The key of a (segment, profile) pair in the map of stored memberships. */
static char *
ct_member_key(int64 segment_id, const char *ct_id)
{
	return psprintf(INT64_FORMAT "/%s", segment_id, ct_id);
}

/* Append a problem to a "; "-separated list. */
static void
ct_problem(StringInfo buf, const char *problem)
{
	if (buf->len > 0)
		appendStringInfoString(buf, "; ");
	appendStringInfoString(buf, problem);
}

/* The identity problems of a resolution, in words. */
static void
ct_identity_problems(StringInfo buf, unsigned problems)
{
	if (problems & CT_IDP_FORBIDDEN)
		ct_problem(buf, "forbidden identity value ignored");
	if (problems & CT_IDP_TOO_LONG)
		ct_problem(buf, "identity of 1024 characters or more ignored");
	if (problems & CT_IDP_BAD_CTID)
		ct_problem(buf, "partner id is not a valid CleverTap ID");
	if (problems & CT_IDP_CONFLICT)
		ct_problem(buf, "Customer ID belongs to another profile: not merged");
}

/*
 * The stored memberships the message's statements would meet, and which
 * statements a later one of the message supersedes.
 */
static void
ct_preview_members(CtPreview *pv)
{
	CtImport   *im = pv->im;
	int			n;
	CtMember   *m = ct_member_statements(im, &n);
	CtArr		seg,
				ctid;
	int			nabsorbed = 0;

	pv->superseded = palloc0(sizeof(bool) * Max(im->msg.nentries, 1));
	/* the stored profiles each profile absorbs (identity rule 1) */
	pv->absorbed = palloc(sizeof(int) * Max(im->nslots, 1));
	pv->first_absorbed = palloc(sizeof(int) * Max(im->nslots, 1));
	for (int i = 0; i < im->nslots; i++)
		pv->absorbed[i] = pv->first_absorbed[i] = -1;
	for (int i = 0; i < im->nslots; i++)
	{
		int			into = ct_slot_final(im, i);

		if (im->slots[i].absorb_into < 0 || !im->slots[i].exists)
			continue;
		pv->absorbed[i] = pv->first_absorbed[into];
		pv->first_absorbed[into] = i;
		nabsorbed++;
	}
	ct_map_init(&pv->stored, n);
	ct_arr_for(&seg, CT_Q_MEMBERS, 2, n * (1 + nabsorbed));
	ct_arr_for(&ctid, CT_Q_MEMBERS, 3, n * (1 + nabsorbed));
	for (int i = 0; i < n; i++)
	{
		int			si = ct_map_get(&im->by_ctid, m[i].ct_id, strlen(m[i].ct_id));

		pv->superseded[m[i].order] = m[i].superseded;
		if (m[i].segment_id == 0 || m[i].superseded)
			continue;
		if (!m[i].created)
		{
			ct_arr_add(&seg, Int64GetDatum(m[i].segment_id), false);
			ct_arr_add(&ctid, CStringGetTextDatum(m[i].ct_id), false);
		}
		for (int a = si >= 0 ? pv->first_absorbed[si] : -1; a >= 0; a = pv->absorbed[a])
		{
			ct_arr_add(&seg, Int64GetDatum(m[i].segment_id), false);
			ct_arr_add(&ctid, CStringGetTextDatum(im->slots[a].ct_id), false);
		}
	}
	if (seg.n > 0)
	{
		Datum		values[3];
		uint64		rows;

		values[0] = CStringGetTextDatum(im->project.project_id);
		values[1] = ct_arr_datum(&seg);
		values[2] = ct_arr_datum(&ctid);
		rows = ct_store_exec(CT_Q_MEMBERS, values, NULL, true);
		pv->rows = palloc(sizeof(CtStoredMember) * Max(rows, 1));
		for (uint64 r = 0; r < rows; r++)
		{
			bool		isnull;
			char	   *key = ct_member_key(DatumGetInt64(ct_store_get(r, 1, &isnull)),
											ct_store_get_text(r, 2));

			pv->rows[r].is_member = DatumGetBool(ct_store_get(r, 3, &isnull));
			pv->rows[r].stated_at = DatumGetTimestampTz(ct_store_get(r, 4, &isnull));
			ct_map_put(&pv->stored, key, strlen(key), (int) r);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	pfree(m);
}

/* The change of an attribute_update entry ei of slot s: "stale" when all that counts of it is. */
static const char *
ct_preview_attributes(CtPreview *pv, CtSlot *s, int ei, StringInfo problem)
{
	CtAudienceEntry *e = &pv->im->msg.entries[ei];
	int			stale = 0,
				applied = 0;

	for (int a = 0; a < e->nattrs; a++)
	{
		if (e->attrs[a].invalid)
		{
			ct_problem(problem, "user attribute over 512 bytes dropped");
			break;
		}
	}
	/* the entry's operations that count (the last on their key), stale or not */
	for (int k = 0; k < s->nops; k++)
	{
		if (s->op_entry[k] != ei || !ct_attr_op_final(s, k))
			continue;
		if (ct_attr_op_stale(pv->im, s, k))
		{
			stale++;
			ct_problem(problem, psprintf("user attribute \"%.*s\" is older than the stored one: stale",
										 Min(s->ops[k]->key.len, 64), s->ops[k]->key.s));
		}
		else
			applied++;
	}
	return (stale > 0 && applied == 0) ? "stale" : "none";
}

/* The change of the add or delete entry ei of slot s. */
static const char *
ct_preview_membership(CtPreview *pv, CtSlot *s, int ei, StringInfo problem)
{
	CtImport   *im = pv->im;
	CtAudienceEntry *e = &im->msg.entries[ei];
	int64		segment_id = im->segments[e->audience].segment_id;
	int			r = -1;

	if (pv->superseded[ei])
	{
		ct_problem(problem, "superseded by a later entry of the message");
		return "none";
	}
	if (segment_id != 0)
	{
		char	   *key = ct_member_key(segment_id, s->ct_id);

		r = s->exists ? ct_map_get(&pv->stored, key, strlen(key)) : -1;

		/*
		 * a profile merged into this one brings its statement: the newest
		 * stays, a removal on equal times (as CT_Q_ABSORB_MEMBERS)
		 */
		for (int a = pv->first_absorbed[s - im->slots]; a >= 0; a = pv->absorbed[a])
		{
			int			ra;

			key = ct_member_key(segment_id, im->slots[a].ct_id);
			ra = ct_map_get(&pv->stored, key, strlen(key));
			if (ra >= 0 && (r < 0 || pv->rows[ra].stated_at > pv->rows[r].stated_at ||
							(pv->rows[ra].stated_at == pv->rows[r].stated_at &&
							 pv->rows[r].is_member && !pv->rows[ra].is_member)))
				r = ra;
		}
	}
	switch (ct_member_change(r >= 0 ? &pv->rows[r] : NULL, e->action == CT_ACTION_ADD, im->msg.ts))
	{
		case CT_CHANGE_ADD:
			return "add";
		case CT_CHANGE_REMOVE:
			return "remove";
		case CT_CHANGE_STALE:
			ct_problem(problem, pv->rows[r].stated_at == im->msg.ts ?
					   "a removal of this membership at the same time is stored (a removal wins)" :
					   "a newer statement of this membership is stored");
			return "stale";
		case CT_CHANGE_NONE:
			break;
	}
	return "none";
}

/* What the import would do with entry ei (-1: a user without entries) of a resolution. */
static const char *
ct_preview_change(CtPreview *pv, CtRes *res, CtSlot *s, int ei, StringInfo problem)
{
	CtAudienceEntry *e = ei >= 0 ? &pv->im->msg.entries[ei] : NULL;

	if (pv->duplicate)
	{
		ct_problem(problem, "message already processed: a redelivery changes nothing");
		return "none";
	}
	if (res->refused)
	{
		ct_problem(problem, "audience disconnected (subscription removed): not imported");
		return "refused";
	}
	if (s == NULL)
	{
		ct_problem(problem, (res->r.problems & CT_IDP_HASHED_ONLY) ?
				   "only hashed identities: not imported" :
				   "no Partner ID, Customer ID, or mParticle ID with a valid email or phone: not imported");
		return "anonymous";
	}
	if (e == NULL)
		return "none";
	if (pv->im->segments[e->audience].disconnected)
	{
		ct_problem(problem, "audience disconnected (subscription removed)");
		return "refused";
	}
	if (e->action == CT_ACTION_ATTRIBUTE_UPDATE)
		return ct_preview_attributes(pv, s, ei, problem);
	return ct_preview_membership(pv, s, ei, problem);
}

/* The row of entry ei (-1: a user without entries) of user pi. */
static void
ct_preview_row(CtPreview *pv, ReturnSetInfo *rsinfo, int pi, int ei)
{
	CtImport   *im = pv->im;
	CtUserProfile *p = &im->msg.profiles[pi];
	CtContact  *c = &im->contacts[pi];
	CtAudienceEntry *e = ei >= 0 ? &im->msg.entries[ei] : NULL;
	CtRes	   *res = &im->res[ei >= 0 ? im->entry_res[ei] : im->profile_res[pi]];
	int			si = ct_slot_final(im, res->slot);
	CtSlot	   *s = si >= 0 ? &im->slots[si] : NULL;
	Datum		values[PREVIEW_COLS];
	bool		nulls[PREVIEW_COLS];
	StringInfoData problem;

	memset(nulls, 0, sizeof(nulls));
	initStringInfo(&problem);

	values[0] = Int32GetDatum(pi);
	if (p->mpid.s != NULL)
		values[1] = PointerGetDatum(cstring_to_text_with_len(p->mpid.s, p->mpid.len));
	else
		nulls[1] = true;
	if (e != NULL)
	{
		values[2] = Int32GetDatum(e->index);
		values[3] = Int64GetDatum(e->audience_id);
		values[4] = CStringGetTextDatum(e->action == CT_ACTION_ADD ? "add" :
										e->action == CT_ACTION_DELETE ? "delete" :
										"attribute_update");
	}
	else
		nulls[2] = nulls[3] = nulls[4] = true;
	values[5] = CStringGetTextDatum(ct_rule_name(res->r.rule));
	if (res->r.key != NULL)
		values[6] = PointerGetDatum(cstring_to_text_with_len(res->r.key, res->r.key_len));
	else
		nulls[6] = true;
	if (s != NULL && s->exists)
		values[7] = CStringGetTextDatum(s->ct_id);
	else
		nulls[7] = true;
	values[8] = BoolGetDatum(s != NULL && !s->exists);
	if (c->email_state == CT_C_VALID)
		values[9] = PointerGetDatum(c->email);
	else
		nulls[9] = true;
	values[10] = Int64GetDatum(c->phone);
	nulls[10] = (c->phone_state != CT_C_VALID);

	if (s != NULL && pv->first_absorbed != NULL && pv->first_absorbed[si] >= 0)
		ct_problem(&problem, "merges the profile generated for its Customer ID into this one");
	if (c->email_state == CT_C_INVALID)
		ct_problem(&problem, "invalid email not merged");
	if (c->phone_state == CT_C_INVALID)
		ct_problem(&problem, "invalid phone not merged");
	ct_identity_problems(&problem, res->r.problems);

	values[11] = CStringGetTextDatum(ct_preview_change(pv, res, s, ei, &problem));
	if (problem.len > 0)
		values[12] = CStringGetTextDatum(problem.data);
	else
		nulls[12] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/* SQL: ct_preview_import(request jsonb) returns setof record; see the header. */
Datum
ct_preview_import(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext outer;
	MemoryContext work;
	MemoryContext spi;
	CtPreview	pv = {0};
	CtImport   *im;

	ct_require_message(fcinfo);
	InitMaterializedSRF(fcinfo, 0);
	outer = CurrentMemoryContext;
	work = AllocSetContextCreate(outer, "ctaudience preview", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);

	pv.im = im = palloc0(sizeof(CtImport));
	im->dry_run = true;
	im->started = GetCurrentTimestamp();
	ct_import_parse(im, PG_GETARG_JSONB_P(0));

	ct_store_connect();
	spi = CurrentMemoryContext;
	ct_authenticate(&im->msg.cred, &im->project, work, NULL);
	pv.duplicate = (ct_find_processed(im->project.project_id, &im->env.id) != NULL);
	if (im->msg.has_profiles)
	{
		ct_import_prepare(im);
		ct_preview_members(&pv);
	}

	for (int pi = 0; pi < im->msg.nprofiles; pi++)
	{
		CtUserProfile *p = &im->msg.profiles[pi];

		ct_contact_phone(&im->contacts[pi], NULL);
		if (p->nentries == 0)
			ct_preview_row(&pv, rsinfo, pi, -1);
		for (int k = 0; k < p->nentries; k++)
			ct_preview_row(&pv, rsinfo, pi, p->first_entry + k);
	}

	MemoryContextSwitchTo(spi);
	ct_store_finish();
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(work);
	return (Datum) 0;
}
