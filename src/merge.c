/*
 * merge.c
 *	  The import step that gives every resolved user a profile slot (new
 *	  profiles get a CleverTap ID) and merges what the users bring into
 *	  their slots; and, after an insert race was lost, the merge of a slot
 *	  into the profile that won it.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "importstate.h"
#include "merge.h"
#include "normalize.h"

/*
 * A fresh CleverTap ID: 32 lowercase hex characters, laid out like a UUIDv7
 * (RFC 9562): 12 of the time in milliseconds since 1970, then 20 from 10
 * random bytes.  IDs made later sort later, so the new rows of an import
 * land at the right-hand end of every index that leads with ct_id (the
 * profiles', the memberships' by profile, the events') instead of on a
 * random leaf page of each: at a million profiles those indexes no longer
 * fit in the CPU's caches, and random inserts into them were most of an
 * import's time.  80 random bits per millisecond keep IDs unguessable
 * enough and collisions out of reach; the time prefix says when a profile
 * was created, which created_at says anyway.  The random bytes come from
 * pg_strong_random() in blocks of 4,000 bytes kept for the backend (OpenSSL
 * costs something per call); each is used once.
 */
#define CT_RANDOM_POOL 4000

static char *
ct_generate_ctid(void)
{
	static const char hex[] = "0123456789abcdef";
	static uint8 pool[CT_RANDOM_POOL];
	static int	pool_used = CT_RANDOM_POOL;
	uint8	   *rnd;
	char	   *out = palloc(33);
	uint64		ms;

	if (pool_used + 10 > CT_RANDOM_POOL)
	{
		if (!pg_strong_random(pool, sizeof(pool)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random CleverTap ID")));
		pool_used = 0;
	}
	rnd = pool + pool_used;
	pool_used += 10;
	ms = (uint64) ((GetCurrentTimestamp() +
					(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * (int64) USECS_PER_DAY) / 1000);
	for (int i = 0; i < 12; i++)
		out[i] = hex[(ms >> (44 - 4 * i)) & 0x0f];
	for (int i = 0; i < 10; i++)
	{
		out[12 + 2 * i] = hex[rnd[i] >> 4];
		out[12 + 2 * i + 1] = hex[rnd[i] & 0x0f];
	}
	out[32] = '\0';
	return out;
}

/*
 * Whether the claim of slot si, made by this message, wins over the one by
 * which the Partner ID profile h holds the Identity: the newer message
 * wins, and between equal times the smaller CleverTap ID.  A claim made by
 * this message too has its time.
 */
static bool
ct_claim_wins(CtImport *im, int si, const CtSlot *h)
{
	bool		stored = h->exists && !h->set_identity && !h->identity_deferred;
	TimestampTz held = stored ? h->st_identity_ts : im->msg.ts;

	if (stored && h->st_identity_ts_null)
		return true;			/* a claim of unknown time: older than any */
	if (im->msg.ts != held)
		return im->msg.ts > held;
	return strcmp(im->slots[si].ct_id, h->ct_id) < 0;
}

/*
 * Give the slot of a Partner ID (rule 1) the Identity it claims.  Held by
 * no profile: it takes it.  Held by a profile whose CleverTap ID was
 * generated here: that profile is merged into this one (absorb.c) and the
 * Identity follows.  Held by another Partner ID's profile: the newer claim
 * wins (ct_claim_wins); the other profile loses the Identity, or this claim
 * is refused; either is counted as a conflict.  A profile that has an
 * Identity keeps it.
 */
static bool
ct_claim_identity(CtImport *im, int si, const char *claim, int len, int profile)
{
	CtSlot	   *s = &im->slots[si];
	int			holder;

	if (s->identity != NULL)
		return true;
	holder = ct_slot_final(im, ct_map_get(&im->by_identity, claim, len));
	if (holder >= 0 && holder != si)
	{
		CtSlot	   *h = &im->slots[holder];

		if (!h->named && !h->st_named)
		{
			/* a generated profile: merged into this one */
			h->absorb_into = si;
			if (h->exists)
			{
				s->identity_deferred = true;
				s->absorbs = true;
				im->counts.merged_profiles++;
			}
		}
		else if (ct_claim_wins(im, si, h))
		{
			/* another Partner ID's claim, older: it gives the Identity up */
			if (h->exists && !h->set_identity && !h->identity_deferred)
			{
				h->release_identity = true;
				s->identity_deferred = true;
			}
			h->identity = NULL;
			h->set_identity = false;
			h->identity_deferred = false;
			h->claimed = false;
			im->counts.identity_conflicts++;
			ct_import_sample(im, "identity_conflict", h->claim_profile, -1);
		}
		else
		{
			im->counts.identity_conflicts++;
			ct_import_sample(im, "identity_conflict", profile, -1);
			return false;
		}
	}
	s->identity = pnstrdup(claim, len);
	s->claim_profile = profile;
	ct_map_put(&im->by_identity, s->identity, len, si);
	if (s->identity_deferred)
		s->dirty |= s->exists;	/* the Identity is written after the merge */
	else if (s->exists)
	{
		s->set_identity = true;
		s->dirty = true;
	}
	else
		s->claimed = true;
	return true;
}

/* Map every resolution to a slot, creating slots for new profiles. */
void
ct_assign_slots(CtImport *im)
{
	for (int i = 0; i < im->nres; i++)
	{
		CtRes	   *res = &im->res[i];
		CtIdentityResult *r = &res->r;
		int			si;

		if (r->rule == CT_RULE_ANONYMOUS || res->refused)
			continue;
		if (r->rule == CT_RULE_PARTNER_ID)
		{
			si = ct_slot_final(im, ct_map_get(&im->by_ctid, r->key, r->key_len));
			if (si < 0)
			{
				si = ct_new_slot(im);
				im->slots[si].ct_id = pnstrdup(r->key, r->key_len);
				ct_map_put(&im->by_ctid, im->slots[si].ct_id, r->key_len, si);
			}
			/* a Partner ID names the profile from now on */
			im->slots[si].named = true;
			if (im->slots[si].exists && !im->slots[si].st_named && !im->slots[si].set_named)
			{
				im->slots[si].set_named = true;
				im->slots[si].dirty = true;
			}
			if (r->claim != NULL &&
				!ct_claim_identity(im, si, r->claim, r->claim_len, res->profile))
				r->problems |= CT_IDP_CONFLICT;
		}
		else
		{
			si = ct_map_get(&im->by_identity, r->key, r->key_len);
			if (si < 0)
			{
				CtSlot	   *s;

				si = ct_new_slot(im);
				s = &im->slots[si];
				s->ct_id = ct_generate_ctid();
				s->identity = pnstrdup(r->key, r->key_len);
				ct_map_put(&im->by_ctid, s->ct_id, 32, si);
				ct_map_put(&im->by_identity, s->identity, r->key_len, si);
			}
		}
		res->slot = si;
	}
}

/*
 * Whether a valid email of a message of time ts changes a profile's stored
 * one (the rule of CT_Q_UPDATE_PROFILES): the newest wins, and on equal
 * times the smaller address, byte by byte, so that the order messages
 * arrive in does not matter; the same address at the same time changes
 * nothing.
 */
static bool
ct_email_wins(const CtSlot *s, const text *email, TimestampTz ts)
{
	int			c;

	if (s->st_email_ts_null || s->st_email_ts < ts)
		return true;
	if (s->st_email_ts > ts)
		return false;
	if (s->st_email == NULL)
		return true;
	c = memcmp(VARDATA_ANY(email), VARDATA_ANY(s->st_email),
			   Min(VARSIZE_ANY_EXHDR(email), VARSIZE_ANY_EXHDR(s->st_email)));
	return c < 0 || (c == 0 && VARSIZE_ANY_EXHDR(email) < VARSIZE_ANY_EXHDR(s->st_email));
}

/* The same for a phone (the smaller number on equal times). */
static bool
ct_phone_wins(const CtSlot *s, int64 phone, TimestampTz ts)
{
	if (s->st_phone_ts_null || s->st_phone_ts < ts)
		return true;
	if (s->st_phone_ts > ts)
		return false;
	return s->st_phone_null || phone < s->st_phone;
}

/*
 * Merge one user's email, phone and mpid into a slot (newest message wins,
 * the smaller value on equal times).
 */
static void
ct_merge_contact(CtImport *im, CtSlot *s, CtContact *c, const CtUserProfile *p)
{
	TimestampTz ts = im->msg.ts;

	if (c->email_state == CT_C_VALID)
	{
		s->new_email = c->email;
		if (s->exists && ct_email_wins(s, c->email, ts))
			s->dirty = true;
	}
	if (c->phone_state == CT_C_UNCHECKED)
		ct_contact_phone(c, s->st_phone_null ? NULL : &s->st_phone);
	if (c->phone_state == CT_C_VALID)
	{
		s->has_new_phone = true;
		s->new_phone = c->phone;
		if (s->exists && ct_phone_wins(s, c->phone, ts))
			s->dirty = true;
	}
	if (p->mpid.s != NULL && ct_identity_check(p->mpid.s, p->mpid.len) == CT_IDENTITY_OK)
	{
		s->mpid = p->mpid;
		if (s->exists &&
			(s->st_mpid == NULL || strlen(s->st_mpid) != (size_t) p->mpid.len ||
			 memcmp(s->st_mpid, p->mpid.s, p->mpid.len) != 0))
			s->dirty = true;
	}
}

/* Append the attribute operations of an attribute_update entry to a slot. */
static void
ct_merge_attributes(CtImport *im, CtSlot *s, CtAudienceEntry *e, int entry)
{
	for (int k = 0; k < e->nattrs; k++)
	{
		CtAttrOp   *op = &e->attrs[k];

		if (op->invalid)
		{
			im->counts.invalid_attributes++;
			im->counts.rejected++;
			ct_import_sample(im, "invalid_attribute", e->profile, entry);
			continue;
		}
		ct_slot_add_op(s, op, entry);
		if (s->exists)
			s->dirty = true;
	}
}

/* Merge everything the users bring into their slots, in message order. */
void
ct_merge_all(CtImport *im)
{
	CtMembershipMessage *msg = &im->msg;

	for (int pi = 0; pi < msg->nprofiles; pi++)
	{
		CtUserProfile *p = &msg->profiles[pi];
		int			last = -1;

		for (int ri = im->profile_res[pi]; ri < im->nres && im->res[ri].profile == pi; ri++)
		{
			int			si = ct_slot_final(im, im->res[ri].slot);

			if (si < 0 || si == last)
				continue;
			ct_merge_contact(im, &im->slots[si], &im->contacts[pi], p);
			last = si;
		}
		if (im->contacts[pi].phone_state == CT_C_INVALID)
		{
			im->counts.invalid_phone++;
			ct_import_sample(im, "invalid_phone", pi, -1);
		}

		for (int k = 0; k < p->nentries; k++)
		{
			CtAudienceEntry *e = &msg->entries[p->first_entry + k];
			int			si = ct_slot_final(im, im->res[im->entry_res[p->first_entry + k]].slot);

			if (si < 0 || e->action != CT_ACTION_ATTRIBUTE_UPDATE)
				continue;
			if (im->segments[e->audience].disconnected)
			{
				im->counts.refused++;
				ct_import_sample(im, "refused", pi, p->first_entry + k);
				continue;
			}
			ct_merge_attributes(im, &im->slots[si], e, p->first_entry + k);
		}
	}
}

/*
 * Re-resolve slots whose insert lost a race with a concurrent import that
 * committed the same CleverTap ID or Identity first.  Each becomes the
 * profile that now exists; when only its claimed Identity was taken, the
 * message is a serialization failure (retried, it merges as rule 1 says).
 */
void
ct_resolve_lost_inserts(CtImport *im, int *lost, int nlost)
{
	CtArr		keys;
	Datum		values[2];
	uint64		n;
	bool	   *done = palloc0(sizeof(bool) * nlost);

	values[0] = CStringGetTextDatum(im->project.project_id);

	ct_arr_for(&keys, CT_Q_PROFILES_BY_CTID, 2, nlost);
	for (int i = 0; i < nlost; i++)
		ct_arr_add(&keys, CStringGetTextDatum(im->slots[lost[i]].ct_id), false);
	values[1] = ct_arr_datum(&keys);
	n = ct_store_exec(CT_Q_PROFILES_BY_CTID, values, NULL, false);
	for (uint64 r = 0; r < n; r++)
	{
		char	   *ct_id = ct_store_get_text(r, 1);

		for (int i = 0; i < nlost; i++)
		{
			if (!done[i] && strcmp(im->slots[lost[i]].ct_id, ct_id) == 0)
			{
				ct_slot_adopt(im, lost[i], r);
				done[i] = true;
			}
		}
	}
	SPI_freetuptable(SPI_tuptable);

	ct_arr_for(&keys, CT_Q_PROFILES_BY_IDENTITY, 2, nlost);
	for (int i = 0; i < nlost; i++)
	{
		if (!done[i] && im->slots[lost[i]].identity != NULL)
			ct_arr_add(&keys, CStringGetTextDatum(im->slots[lost[i]].identity), false);
	}
	if (keys.n > 0)
	{
		values[1] = ct_arr_datum(&keys);
		n = ct_store_exec(CT_Q_PROFILES_BY_IDENTITY, values, NULL, false);
		for (uint64 r = 0; r < n; r++)
		{
			char	   *identity = ct_store_get_text(r, 2);

			for (int i = 0; i < nlost; i++)
			{
				CtSlot	   *l = &im->slots[lost[i]];

				if (done[i] || l->identity == NULL || strcmp(l->identity, identity) != 0)
					continue;

				/*
				 * A claimed Customer ID another profile holds now: rule 1
				 * merges or weighs that profile, which this import did not
				 * look up, so the message is retried.
				 */
				if (l->claimed)
					ct_claim_taken();
				ct_slot_adopt(im, lost[i], r);
				done[i] = true;
			}
		}
		SPI_freetuptable(SPI_tuptable);
	}

	for (int i = 0; i < nlost; i++)
	{
		if (!done[i])
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to a concurrent import of the same profile"),
					 errhint("Retry the message.")));
	}
	pfree(done);
}
