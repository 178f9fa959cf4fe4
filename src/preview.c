/*
 * preview.c
 *	  ct_preview_import(): a dry run of an import, to see what a large
 *	  audience would do before importing it.
 *
 * It runs the import's own steps (parse, authenticate, resolve, look up,
 * merge) with dry_run set, so nothing is written: segments are only looked
 * up, profiles only resolved.  Then, for each (user, audience) entry, it
 * reports the resolution and the membership change the import would make,
 * judged against the stored memberships exactly as the upsert judges them.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "auth.h"
#include "args.h"
#include "firehose.h"
#include "import.h"
#include "importstate.h"
#include "store.h"
#include "strmap.h"

PG_FUNCTION_INFO_V1(ct_preview_import);

#define PREVIEW_COLS 13

/* A stored membership, keyed by "segment_id/ct_id". */
typedef struct CtStoredMember
{
	bool		is_member;
	TimestampTz stated_at;
} CtStoredMember;

/* The key of a (segment, profile) pair in the map. */
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

/* SQL: ct_preview_import(request jsonb) returns setof record; see the header. */
Datum
ct_preview_import(PG_FUNCTION_ARGS)
{
	Jsonb	   *request;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext outer;
	MemoryContext work;
	MemoryContext spi;
	CtImport   *im;
	CtMembershipMessage *msg;
	bool		duplicate;
	CtStrMap	stored;
	CtStoredMember *rows = NULL;
	bool	   *superseded;

	ct_require_message(fcinfo);
	request = PG_GETARG_JSONB_P(0);
	InitMaterializedSRF(fcinfo, 0);
	outer = CurrentMemoryContext;
	work = AllocSetContextCreate(outer, "ctaudience preview", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(work);

	im = palloc0(sizeof(CtImport));
	im->dry_run = true;
	im->started = GetCurrentTimestamp();
	ct_import_parse(im, request);
	msg = &im->msg;

	ct_store_connect();
	spi = CurrentMemoryContext;
	ct_authenticate(&msg->cred, &im->project, work, NULL);
	duplicate = (ct_find_processed(im->project.project_id, &im->env.id) != NULL);
	if (msg->has_profiles)
		ct_import_prepare(im);

	/* the stored memberships the entries would meet */
	ct_map_init(&stored, msg->nentries);
	if (msg->nentries > 0)
	{
		CtArr		seg,
					ctid;
		Datum		values[3];
		uint64		n;

		ct_arr_for(&seg, CT_Q_MEMBERS, 2, msg->nentries);
		ct_arr_for(&ctid, CT_Q_MEMBERS, 3, msg->nentries);
		for (int i = 0; i < msg->nentries; i++)
		{
			CtAudienceEntry *e = &msg->entries[i];
			int			si = ct_slot_final(im, im->res[im->entry_res[i]].slot);

			if (si < 0 || !im->slots[si].exists || im->segments[e->audience].segment_id == 0)
				continue;
			ct_arr_add(&seg, Int64GetDatum(im->segments[e->audience].segment_id), false);
			ct_arr_add(&ctid, CStringGetTextDatum(im->slots[si].ct_id), false);
		}
		if (seg.n > 0)
		{
			values[0] = CStringGetTextDatum(im->project.project_id);
			values[1] = ct_arr_datum(&seg);
			values[2] = ct_arr_datum(&ctid);
			n = ct_store_exec(CT_Q_MEMBERS, values, NULL, true);
			rows = palloc(sizeof(CtStoredMember) * Max(n, 1));
			for (uint64 r = 0; r < n; r++)
			{
				bool		isnull;
				char	   *key = ct_member_key(DatumGetInt64(ct_store_get(r, 1, &isnull)),
												ct_store_get_text(r, 2));

				rows[r].is_member = DatumGetBool(ct_store_get(r, 3, &isnull));
				rows[r].stated_at = DatumGetTimestampTz(ct_store_get(r, 4, &isnull));
				ct_map_put(&stored, key, strlen(key), (int) r);
			}
			SPI_freetuptable(SPI_tuptable);
		}
	}

	/* within one message the last entry for a (segment, profile) wins */
	superseded = palloc0(sizeof(bool) * Max(msg->nentries, 1));
	{
		CtStrMap	seen;

		ct_map_init(&seen, msg->nentries);
		for (int i = msg->nentries - 1; i >= 0; i--)
		{
			CtAudienceEntry *e = &msg->entries[i];
			int			si = ct_slot_final(im, im->res[im->entry_res[i]].slot);
			char	   *key;

			if (si < 0 || e->action == CT_ACTION_ATTRIBUTE_UPDATE)
				continue;
			key = psprintf("%d/%s", e->audience, im->slots[si].ct_id);
			if (ct_map_get(&seen, key, strlen(key)) >= 0)
				superseded[i] = true;
			else
				ct_map_put(&seen, key, strlen(key), 1);
		}
	}

	for (int pi = 0; pi < msg->nprofiles; pi++)
	{
		CtUserProfile *p = &msg->profiles[pi];
		CtContact  *c = &im->contacts[pi];

		if (c->phone_state == CT_C_UNCHECKED)
			ct_contact_phone(c, NULL);

		for (int k = 0; k < Max(p->nentries, 1); k++)
		{
			int			ei = p->nentries > 0 ? p->first_entry + k : -1;
			CtAudienceEntry *e = ei >= 0 ? &msg->entries[ei] : NULL;
			CtRes	   *res = &im->res[ei >= 0 ? im->entry_res[ei] : im->profile_res[pi]];
			int			si = ct_slot_final(im, res->slot);
			CtSlot	   *s = si >= 0 ? &im->slots[si] : NULL;
			Datum		values[PREVIEW_COLS];
			bool		nulls[PREVIEW_COLS];
			StringInfoData problem;
			const char *change;

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

			if (c->email_state == CT_C_INVALID)
				ct_problem(&problem, "invalid email not merged");
			if (c->phone_state == CT_C_INVALID)
				ct_problem(&problem, "invalid phone not merged");
			ct_identity_problems(&problem, res->r.problems);

			if (duplicate)
			{
				change = "none";
				ct_problem(&problem, "message already processed: a redelivery changes nothing");
			}
			else if (res->refused)
			{
				change = "refused";
				ct_problem(&problem, "audience disconnected (subscription removed): not imported");
			}
			else if (s == NULL)
			{
				change = "anonymous";
				ct_problem(&problem, (res->r.problems & CT_IDP_HASHED_ONLY) ?
						   "only hashed identities: not imported" :
						   "no Partner ID, Customer ID, or mParticle ID with a valid email or phone: not imported");
			}
			else if (e == NULL)
				change = "none";
			else if (im->segments[e->audience].disconnected)
			{
				change = "refused";
				ct_problem(&problem, "audience disconnected (subscription removed)");
			}
			else if (e->action == CT_ACTION_ATTRIBUTE_UPDATE)
			{
				int			stale = 0,
							applied = 0;

				for (int a = 0; a < e->nattrs; a++)
				{
					if (e->attrs[a].invalid)
					{
						ct_problem(&problem, "user attribute over 512 bytes dropped");
						break;
					}
				}
				/* the entry's operations that count (the last on their key), stale or not */
				for (int k = 0; k < s->nops; k++)
				{
					if (s->op_entry[k] != ei || !ct_attr_op_final(s, k))
						continue;
					if (ct_attr_op_stale(im, s, k))
					{
						stale++;
						ct_problem(&problem, psprintf("user attribute \"%.*s\" is older than the stored one: stale",
													  Min(s->ops[k]->key.len, 64), s->ops[k]->key.s));
					}
					else
						applied++;
				}
				change = (stale > 0 && applied == 0) ? "stale" : "none";
			}
			else if (superseded[ei])
			{
				change = "none";
				ct_problem(&problem, "superseded by a later entry of the message");
			}
			else
			{
				bool		target = (e->action == CT_ACTION_ADD);
				int			r = -1;

				if (s->exists && im->segments[e->audience].segment_id != 0)
				{
					char	   *key = ct_member_key(im->segments[e->audience].segment_id, s->ct_id);

					r = ct_map_get(&stored, key, strlen(key));
				}
				if (r < 0)
					change = target ? "add" : "none";
				else if (rows[r].stated_at > msg->ts)
				{
					change = "stale";
					ct_problem(&problem, "a newer statement of this membership is stored");
				}
				else if (rows[r].is_member == target)
					change = "none";
				else
					change = target ? "add" : "remove";
			}
			values[11] = CStringGetTextDatum(change);
			if (problem.len > 0)
				values[12] = CStringGetTextDatum(problem.data);
			else
				nulls[12] = true;

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	}

	MemoryContextSwitchTo(spi);
	ct_store_finish();
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(work);
	return (Datum) 0;
}
