/*
 * import.c
 *	  ct_import_audience(): one audience_membership_change_request.
 *
 *	  authenticate -> redelivery check -> segments -> resolve identities
 *	  -> look up profiles (one query per key kind) -> create and merge
 *	  profiles -> membership upsert (the trigger raises Partner Sync)
 *	  -> log and respond
 *
 * Everything is set-wise: each step is one statement for the whole message,
 * fed with arrays, so the cost per user is the cost of the rows written.
 * The message is parsed and validated completely before the first write;
 * any error aborts the whole message, so a failed message writes nothing.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/resowner.h"
#include "utils/acl.h"
#include "utils/timestamp.h"

#include "args.h"
#include "auth.h"
#include "firehose.h"
#include "identity.h"
#include "import.h"
#include "normalize.h"
#include "store.h"
#include "stream.h"
#include "strmap.h"
#include "timing.h"
#include "triggers.h"
#include "types.h"

PG_FUNCTION_INFO_V1(ct_import_audience);
PG_FUNCTION_INFO_V1(ct_import_audience_text);
PG_FUNCTION_INFO_V1(ct_resolve_identity);

/* ---------------------------------------------------------------------
 * Import state
 * ---------------------------------------------------------------------
 */

/* Remember a sample for the import log (the first CT_MAX_SAMPLES only). */
void
ct_import_sample(CtImport *im, const char *reason, int profile, int entry)
{
	if (im->nsamples >= CT_MAX_SAMPLES)
		return;
	im->samples[im->nsamples].reason = reason;
	im->samples[im->nsamples].profile = profile;
	im->samples[im->nsamples].entry = entry;
	im->nsamples++;
}

/* ---------------------------------------------------------------------
 * Contact normalization
 * ---------------------------------------------------------------------
 */

static const int ct_phone_order[CT_NPHONES] = {
	CT_UID_MOBILE_NUMBER, CT_UID_PHONE_NUMBER_2, CT_UID_PHONE_NUMBER_3
};

/* Normalize the email now (cheap); note whether phones came. */
static void
ct_contact_init(CtContact *c, const CtUserProfile *p, const char *region)
{
	memset(c, 0, sizeof(*c));
	c->profile = p;
	c->project_region = region;
	if (ct_uid(p, CT_UID_EMAIL).s != NULL)
	{
		CtStr		email = ct_uid(p, CT_UID_EMAIL);

		c->email = ct_email_make(email.s, email.len);
		c->email_state = c->email ? CT_C_VALID : CT_C_INVALID;
	}
	for (int i = 0; i < CT_NPHONES; i++)
	{
		if (ct_uid(p, ct_phone_order[i]).s != NULL)
			c->phone_state = CT_C_UNCHECKED;
	}
}

/*
 * Parse the phone: mobile_number, else phone_number_2, else
 * phone_number_3; the first valid one wins.  When known is given and one
 * of the raw values already reads as exactly that E.164 number, it is
 * taken without calling libphonenumber.
 */
void
ct_contact_phone(CtContact *c, const int64 *known)
{
	if (c->phone_state != CT_C_UNCHECKED)
		return;
	if (known != NULL)
	{
		char		buf[CT_PHONE_E164_BUFSIZE];
		int			n = ct_phone_format(*known, buf);

		for (int i = 0; i < CT_NPHONES; i++)
		{
			CtStr		raw = ct_uid(c->profile, ct_phone_order[i]);

			if (raw.s != NULL && raw.len == n && memcmp(raw.s, buf, n) == 0)
			{
				c->phone = *known;
				c->phone_state = CT_C_VALID;
				return;
			}
			if (raw.s != NULL)
				break;			/* an earlier candidate must be parsed first */
		}
	}
	for (int i = 0; i < CT_NPHONES; i++)
	{
		CtStr		raw = ct_uid(c->profile, ct_phone_order[i]);

		if (raw.s == NULL)
			continue;
		if (ct_phone_parse(raw.s, raw.len, c->project_region, &c->phone) == CT_PHONE_OK)
		{
			c->phone_state = CT_C_VALID;
			return;
		}
	}
	c->phone_state = CT_C_INVALID;
}

/* Callback for the identity rules: a valid raw email or phone? */
static bool
ct_contact_present(void *arg)
{
	CtContact  *c = (CtContact *) arg;

	if (c->email_state == CT_C_VALID)
		return true;
	ct_contact_phone(c, NULL);
	return c->phone_state == CT_C_VALID;
}

/* ---------------------------------------------------------------------
 * Steps
 * ---------------------------------------------------------------------
 */

/* Look up, create and rename the message's segments. */
static void
ct_sync_segments(CtImport *im)
{
	CtMembershipMessage *msg = &im->msg;
	Datum		values[4];
	CtArr		ids,
				names;
	uint64		n;
	bool	   *found;
	int			missing = 0;
	int			renames = 0;

	im->segments = palloc0(sizeof(CtSegmentInfo) * Max(msg->naudiences, 1));
	if (msg->naudiences == 0)
		return;
	found = palloc0(sizeof(bool) * msg->naudiences);

	for (int pass = 0; pass < 2; pass++)
	{
		ct_arr_init(&ids, msg->naudiences, INT8OID);
		for (int i = 0; i < msg->naudiences; i++)
			ct_arr_add(&ids, Int64GetDatum(msg->audiences[i].audience_id), false);
		values[0] = CStringGetTextDatum(im->project.project_id);
		values[1] = ct_arr_datum(&ids);
		n = ct_store_exec(CT_Q_SEGMENTS, values, NULL, false);

		missing = msg->naudiences;
		renames = 0;
		ct_arr_init(&ids, msg->naudiences, INT8OID);
		ct_arr_init(&names, msg->naudiences, TEXTOID);
		for (uint64 r = 0; r < n; r++)
		{
			bool		isnull;
			int64		aid = DatumGetInt64(ct_store_get(r, 1, &isnull));
			int64		sid = DatumGetInt64(ct_store_get(r, 2, &isnull));
			char	   *name = ct_store_get_text(r, 3);
			Datum		name_ts = ct_store_get(r, 4, &isnull);
			char	   *status = ct_store_get_text(r, 5);
			char	   *field = ct_store_get_text(r, 6);

			for (int i = 0; i < msg->naudiences; i++)
			{
				CtAudienceRef *a = &msg->audiences[i];

				if (a->audience_id != aid)
					continue;
				found[i] = true;
				missing--;
				im->segments[i].segment_id = sid;
				im->segments[i].disconnected = (strcmp(status, "active") != 0);
				im->segments[i].user_id_field = -1;
				if (field != NULL)
				{
					CtStr		f = {field, strlen(field)};

					im->segments[i].user_id_field = ct_user_id_field_from_name(f);
				}
				if (!(a->name.len == (int) strlen(name) &&
					  memcmp(a->name.s, name, a->name.len) == 0) &&
					(isnull || DatumGetTimestampTz(name_ts) <= msg->ts))
				{
					ct_arr_add(&ids, Int64GetDatum(aid), false);
					ct_arr_add(&names, PointerGetDatum(cstring_to_text_with_len(a->name.s, a->name.len)), false);
					renames++;
				}
				break;
			}
		}
		SPI_freetuptable(SPI_tuptable);

		if (renames > 0 && !im->dry_run)
		{
			values[1] = ct_arr_datum(&ids);
			values[2] = ct_arr_datum(&names);
			values[3] = TimestampTzGetDatum(msg->ts);
			ct_store_exec(CT_Q_RENAME_SEGMENTS, values, NULL, false);
		}
		if (missing == 0)
			break;
		if (im->dry_run)
		{
			/* the dry run only reports what would be created */
			for (int i = 0; i < msg->naudiences; i++)
			{
				if (!found[i])
				{
					im->segments[i].segment_id = 0;
					im->segments[i].user_id_field = -1;
				}
			}
			break;
		}
		if (pass == 1)
			elog(ERROR, "segments of the message could not be created");

		/* create the missing ones, then read them back */
		ct_arr_init(&ids, missing, INT8OID);
		ct_arr_init(&names, missing, TEXTOID);
		for (int i = 0; i < msg->naudiences; i++)
		{
			if (found[i])
				continue;
			ct_arr_add(&ids, Int64GetDatum(msg->audiences[i].audience_id), false);
			ct_arr_add(&names, PointerGetDatum(cstring_to_text_with_len(msg->audiences[i].name.s,
																	 msg->audiences[i].name.len)), false);
		}
		values[1] = ct_arr_datum(&ids);
		values[2] = ct_arr_datum(&names);
		values[3] = TimestampTzGetDatum(msg->ts);
		ct_store_exec(CT_Q_CREATE_SEGMENTS, values, NULL, false);
		memset(found, 0, sizeof(bool) * msg->naudiences);
	}
}

/* The userIdField that applies to an entry. */
static int
ct_entry_field(CtImport *im, const CtAudienceEntry *e)
{
	if (e->user_id_field >= 0)
		return e->user_id_field;
	if (im->segments[e->audience].user_id_field >= 0)
		return im->segments[e->audience].user_id_field;
	return CT_UID_CUSTOMER;
}

/* Apply the identity rules to one user under one userIdField. */
static void
ct_resolve_one(CtImport *im, int pi, int field, CtRes *res)
{
	const CtUserProfile *p = &im->msg.profiles[pi];
	CtContact  *c = &im->contacts[pi];
	CtIdentityInput in;

	memset(&in, 0, sizeof(in));
	res->profile = pi;
	res->field = field;
	res->slot = -1;
	if (p->partner_id.s != NULL)
	{
		in.partner_id = p->partner_id.s;
		in.partner_len = p->partner_id.len;
	}
	if (field == CT_UID_EMAIL)
	{
		/* the email as User ID is the normalized address */
		if (c->email_state == CT_C_VALID)
		{
			in.user_id = VARDATA_ANY(c->email);
			in.user_id_len = VARSIZE_ANY_EXHDR(c->email);
		}
	}
	else if (field >= 0 && field < CT_UID_NTYPES && ct_uid(p, field).s != NULL)
	{
		in.user_id = ct_uid(p, field).s;
		in.user_id_len = ct_uid(p, field).len;
	}
	if (p->mpid.s != NULL)
	{
		in.mpid = p->mpid.s;
		in.mpid_len = p->mpid.len;
	}
	in.any_hashed = p->any_hashed;
	in.has_contact = ct_contact_present;
	in.has_contact_arg = c;
	ct_identity_resolve(&in, &res->r);
}

/* Resolve every user; count anonymous users and identity problems. */
static void
ct_resolve_all(CtImport *im)
{
	CtMembershipMessage *msg = &im->msg;
	int			cap = msg->nprofiles + 8;

	im->contacts = palloc(sizeof(CtContact) * Max(msg->nprofiles, 1));
	im->res = palloc(sizeof(CtRes) * cap);
	im->nres = 0;
	im->entry_res = palloc(sizeof(int) * Max(msg->nentries, 1));
	im->profile_res = palloc(sizeof(int) * Max(msg->nprofiles, 1));

	for (int pi = 0; pi < msg->nprofiles; pi++)
	{
		CtUserProfile *p = &msg->profiles[pi];
		int			first = im->nres;
		bool		any_resolved = false;
		bool		refused = (p->nentries > 0);
		unsigned	problems = 0;

		/* a user whose every audience is disconnected is refused, not imported */
		for (int k = 0; k < p->nentries && refused; k++)
		{
			if (!im->segments[msg->entries[p->first_entry + k].audience].disconnected)
				refused = false;
		}

		ct_contact_init(&im->contacts[pi], p, im->project.default_country);

		/* one resolution per distinct userIdField among the entries */
		for (int k = 0; k < Max(p->nentries, 1); k++)
		{
			int			field;
			int			ri = -1;

			if (p->nentries == 0)
				field = CT_UID_CUSTOMER;
			else
				field = ct_entry_field(im, &msg->entries[p->first_entry + k]);
			for (int j = first; j < im->nres; j++)
			{
				if (im->res[j].field == field)
					ri = j;
			}
			if (ri < 0)
			{
				if (im->nres >= cap)
				{
					cap *= 2;
					im->res = repalloc(im->res, sizeof(CtRes) * cap);
				}
				ri = im->nres++;
				ct_resolve_one(im, pi, field, &im->res[ri]);
				im->res[ri].refused = refused;
				problems |= im->res[ri].r.problems;
				if (im->res[ri].r.rule != CT_RULE_ANONYMOUS)
					any_resolved = true;
			}
			if (p->nentries > 0)
				im->entry_res[p->first_entry + k] = ri;
		}
		im->profile_res[pi] = first;

		if (refused)
		{
			im->counts.refused += p->nentries;
			ct_import_sample(im, "refused", pi, p->first_entry);
			continue;
		}
		if (im->contacts[pi].email_state == CT_C_INVALID)
		{
			im->counts.invalid_email++;
			ct_import_sample(im, "invalid_email", pi, -1);
		}
		if (problems & CT_IDP_FORBIDDEN)
			ct_import_sample(im, "forbidden_identity", pi, -1);
		if (problems & CT_IDP_TOO_LONG)
			ct_import_sample(im, "identity_too_long", pi, -1);
		if (problems & CT_IDP_BAD_CTID)
			ct_import_sample(im, "invalid_ctid", pi, -1);
		if (!any_resolved)
		{
			im->counts.anonymous++;
			if (problems & CT_IDP_HASHED_ONLY)
				im->counts.hashed_only++;
			ct_import_sample(im, (problems & CT_IDP_HASHED_ONLY) ? "hashed_only" : "anonymous", pi, -1);
		}
		if (problems & (CT_IDP_FORBIDDEN | CT_IDP_TOO_LONG | CT_IDP_BAD_CTID))
		{
			im->counts.rejected++;
			if (problems & CT_IDP_FORBIDDEN)
				im->counts.forbidden_identity++;
		}
	}
}

/* A new slot. */
static int
ct_new_slot(CtImport *im)
{
	CtSlot	   *s;

	if (im->nslots >= im->capslots)
	{
		im->capslots = Max(im->capslots * 2, 64);
		im->slots = im->slots ? repalloc(im->slots, sizeof(CtSlot) * im->capslots)
			: palloc(sizeof(CtSlot) * im->capslots);
	}
	s = &im->slots[im->nslots];
	memset(s, 0, sizeof(*s));
	s->forward = -1;
	s->st_email_ts_null = true;
	s->st_phone_null = true;
	s->st_phone_ts_null = true;
	return im->nslots++;
}

/* Follow the forward chain of a slot that lost an insert race. */
int
ct_slot_final(CtImport *im, int s)
{
	while (s >= 0 && im->slots[s].forward >= 0)
		s = im->slots[s].forward;
	return s;
}

/*
 * Fill a slot's stored values from a profile row: ct_id, identity, email,
 * phone, email_ts, phone_ts, mparticle_id, properties_ts (copied; only when
 * the message updates attributes) and its TID.
 */
static void
ct_slot_fill(CtImport *im, CtSlot *s, Datum *v, bool *isnull, ItemPointer tid)
{
	s->exists = true;
	s->ct_id = TextDatumGetCString(v[0]);
	s->identity = isnull[1] ? NULL : TextDatumGetCString(v[1]);
	s->st_email = isnull[2] ? NULL : DatumGetTextPCopy(v[2]);
	s->st_phone_null = isnull[3];
	s->st_phone = isnull[3] ? 0 : DatumGetInt64(v[3]);
	s->st_email_ts_null = isnull[4];
	s->st_email_ts = isnull[4] ? 0 : DatumGetTimestampTz(v[4]);
	s->st_phone_ts_null = isnull[5];
	s->st_phone_ts = isnull[5] ? 0 : DatumGetTimestampTz(v[5]);
	s->st_mpid = isnull[6] ? NULL : TextDatumGetCString(v[6]);
	s->st_attr_ts = (isnull[7] || !im->attr_ops) ? NULL : DatumGetJsonbPCopy(v[7]);
	ItemPointerCopy(tid, &s->tid);
}

/*
 * The columns of row r of SPI_tuptable (a profile lookup: ct_id, identity,
 * email, phone, email_ts, phone_ts, mparticle_id, properties_ts, ctid), as
 * ct_slot_fill takes them; returns the TID.
 */
static ItemPointer
ct_spi_profile_row(uint64 r, Datum *v, bool *isnull)
{
	bool		tidnull;

	for (int c = 0; c < CT_PROFILE_LOOKUP_COLS; c++)
		v[c] = ct_store_get(r, c + 1, &isnull[c]);
	return (ItemPointer) DatumGetPointer(ct_store_get(r, CT_PROFILE_LOOKUP_COLS + 1, &tidnull));
}

/* Fill a slot's stored values from row r of SPI_tuptable (a profile lookup). */
static void
ct_slot_read_row(CtImport *im, CtSlot *s, uint64 r)
{
	Datum		v[CT_PROFILE_LOOKUP_COLS];
	bool		isnull[CT_PROFILE_LOOKUP_COLS];
	ItemPointer tid = ct_spi_profile_row(r, v, isnull);

	ct_slot_fill(im, s, v, isnull, tid);
}

/* A profile found by a lookup becomes a slot, unless it is one already. */
static void
ct_profile_found(void *arg, Datum *v, bool *isnull, ItemPointer tid)
{
	CtImport   *im = arg;
	text	   *ct_id = DatumGetTextPP(v[0]);
	int			si;
	CtSlot	   *s;

	if (ct_map_get(&im->by_ctid, VARDATA_ANY(ct_id), VARSIZE_ANY_EXHDR(ct_id)) >= 0)
		return;					/* found by both keys */
	si = ct_new_slot(im);
	s = &im->slots[si];
	ct_slot_fill(im, s, v, isnull, tid);
	ct_map_put(&im->by_ctid, s->ct_id, strlen(s->ct_id), si);
	if (s->identity != NULL)
		ct_map_put(&im->by_identity, s->identity, strlen(s->identity), si);
}

/*
 * Run one profile lookup over keys: direct index probes, or the SQL
 * statement where ct_store_lookup_profiles cannot.
 */
static void
ct_lookup_profiles(CtImport *im, bool by_identity, CtArr *keys)
{
	Datum		values[2];
	uint64		n;

	if (keys->n == 0)
		return;
	values[0] = CStringGetTextDatum(im->project.project_id);
	if (ct_store_lookup_profiles(values[0], by_identity, keys, false, ct_profile_found, im))
		return;
	values[1] = ct_arr_datum(keys);
	n = ct_store_exec(by_identity ? CT_Q_PROFILES_BY_IDENTITY : CT_Q_PROFILES_BY_CTID,
					  values, NULL, false);
	for (uint64 r = 0; r < n; r++)
	{
		Datum		v[CT_PROFILE_LOOKUP_COLS];
		bool		isnull[CT_PROFILE_LOOKUP_COLS];
		ItemPointer tid = ct_spi_profile_row(r, v, isnull);

		ct_profile_found(im, v, isnull, tid);
	}
	SPI_freetuptable(SPI_tuptable);
}

/* Look up every profile the resolutions name, by CleverTap ID and by Identity. */
static void
ct_lookup_all(CtImport *im)
{
	CtArr		ctids,
				idents;
	CtStrMap	seen_c,
				seen_i;
	MemoryContext keys = AllocSetContextCreate(CurrentMemoryContext, "ctaudience lookup keys",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(keys);

	/* the keys, deduplicated, in a context of their own freed after the lookups */
	ct_arr_init(&ctids, im->nres, TEXTOID);
	ct_arr_init(&idents, im->nres * 2, TEXTOID);
	ct_map_init(&seen_c, 64);
	ct_map_init(&seen_i, 64);
	for (int i = 0; i < im->nres; i++)
	{
		CtIdentityResult *r = &im->res[i].r;

		if (im->res[i].refused)
			continue;
		if (r->rule == CT_RULE_PARTNER_ID)
		{
			if (ct_map_get(&seen_c, r->key, r->key_len) < 0)
			{
				ct_map_put(&seen_c, r->key, r->key_len, 1);
				ct_arr_add(&ctids, PointerGetDatum(cstring_to_text_with_len(r->key, r->key_len)), false);
			}
			if (r->claim != NULL && ct_map_get(&seen_i, r->claim, r->claim_len) < 0)
			{
				ct_map_put(&seen_i, r->claim, r->claim_len, 1);
				ct_arr_add(&idents, PointerGetDatum(cstring_to_text_with_len(r->claim, r->claim_len)), false);
			}
		}
		else if (r->rule != CT_RULE_ANONYMOUS)
		{
			if (ct_map_get(&seen_i, r->key, r->key_len) < 0)
			{
				ct_map_put(&seen_i, r->key, r->key_len, 1);
				ct_arr_add(&idents, PointerGetDatum(cstring_to_text_with_len(r->key, r->key_len)), false);
			}
		}
	}
	MemoryContextSwitchTo(old);
	ct_map_init(&im->by_ctid, im->nres);
	ct_map_init(&im->by_identity, im->nres);
	ct_lookup_profiles(im, false, &ctids);
	ct_lookup_profiles(im, true, &idents);
	MemoryContextDelete(keys);
}

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
 * pg_strong_random() in blocks of 4,000 bytes kept for the backend (OpenSSL's
 * per-call overhead was 1.6% of an import's time); each is used once.
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

/* Give the slot an Identity it claims (rule 1), unless another profile has it. */
static bool
ct_claim_identity(CtImport *im, int si, const char *claim, int len, int profile)
{
	CtSlot	   *s = &im->slots[si];
	int			holder;

	if (s->identity != NULL)
		return true;
	holder = ct_map_get(&im->by_identity, claim, len);
	if (holder >= 0 && ct_slot_final(im, holder) != si)
	{
		im->counts.identity_conflicts++;
		ct_import_sample(im, "identity_conflict", profile, -1);
		return false;
	}
	s->identity = pnstrdup(claim, len);
	s->claim_profile = profile;
	ct_map_put(&im->by_identity, s->identity, len, si);
	if (s->exists)
	{
		s->set_identity = true;
		s->dirty = true;
	}
	else
		s->claimed = true;
	return true;
}

/* Map every resolution to a slot, creating slots for new profiles. */
static void
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
			si = ct_map_get(&im->by_ctid, r->key, r->key_len);
			if (si < 0)
			{
				si = ct_new_slot(im);
				im->slots[si].ct_id = pnstrdup(r->key, r->key_len);
				ct_map_put(&im->by_ctid, im->slots[si].ct_id, r->key_len, si);
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

/* Merge one user's email, phone and mpid into a slot (newest message wins). */
static void
ct_merge_contact(CtImport *im, CtSlot *s, CtContact *c, const CtUserProfile *p)
{
	TimestampTz ts = im->msg.ts;

	if (c->email_state == CT_C_VALID)
	{
		s->new_email = c->email;
		if (s->exists &&
			(s->st_email_ts_null || s->st_email_ts <= ts) &&
			(s->st_email == NULL || s->st_email_ts_null || s->st_email_ts != ts ||
			 VARSIZE_ANY(s->st_email) != VARSIZE_ANY(c->email) ||
			 memcmp(VARDATA_ANY(s->st_email), VARDATA_ANY(c->email),
					VARSIZE_ANY_EXHDR(c->email)) != 0))
			s->dirty = true;
	}
	if (c->phone_state == CT_C_UNCHECKED)
		ct_contact_phone(c, s->st_phone_null ? NULL : &s->st_phone);
	if (c->phone_state == CT_C_VALID)
	{
		s->has_new_phone = true;
		s->new_phone = c->phone;
		if (s->exists &&
			(s->st_phone_ts_null || s->st_phone_ts <= ts) &&
			(s->st_phone_null || s->st_phone != c->phone ||
			 s->st_phone_ts_null || s->st_phone_ts != ts))
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

/* Append one attribute operation (of message entry entry) to a slot. */
static void
ct_slot_add_op(CtSlot *s, CtAttrOp *op, int entry)
{
	if (s->nops >= s->capops)
	{
		s->capops = Max(s->capops * 2, 4);
		s->ops = s->ops ? repalloc(s->ops, sizeof(CtAttrOp *) * s->capops)
			: palloc(sizeof(CtAttrOp *) * s->capops);
		s->op_entry = s->op_entry ? repalloc(s->op_entry, sizeof(int) * s->capops)
			: palloc(sizeof(int) * s->capops);
	}
	s->ops[s->nops] = op;
	s->op_entry[s->nops] = entry;
	s->nops++;
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
static void
ct_merge_all(CtImport *im)
{
	CtMembershipMessage *msg = &im->msg;

	for (int pi = 0; pi < msg->nprofiles; pi++)
	{
		CtUserProfile *p = &msg->profiles[pi];
		int			last = -1;

		for (int ri = im->profile_res[pi]; ri < im->nres && im->res[ri].profile == pi; ri++)
		{
			int			si = im->res[ri].slot;

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
			int			si = im->res[im->entry_res[p->first_entry + k]].slot;

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

/* Whether attribute operation k of a slot is the message's last on its key. */
bool
ct_attr_op_final(const CtSlot *s, int k)
{
	const CtAttrOp *op = s->ops[k];

	for (int j = k + 1; j < s->nops; j++)
	{
		if (s->ops[j]->key.len == op->key.len &&
			memcmp(s->ops[j]->key.s, op->key.s, op->key.len) == 0)
			return false;
	}
	return true;
}

/*
 * Whether attribute operation k of a slot is stale: the profile holds a
 * newer time for its key (properties_ts) than the message's.  Attributes
 * follow the rule of memberships, emails and phones: the newest message
 * wins, key by key, and an equal time applies.
 */
bool
ct_attr_op_stale(CtImport *im, const CtSlot *s, int k)
{
	JsonbValue *v;

	if (s->st_attr_ts == NULL || !s->exists || s->created)
		return false;
	v = getKeyJsonValueFromContainer(&s->st_attr_ts->root, s->ops[k]->key.s,
									 s->ops[k]->key.len, NULL);
	if (v == NULL || v->type != jbvNumeric)
		return false;
	if (im->msg_ms_numeric == NULL)
		im->msg_ms_numeric = int64_to_numeric(im->msg.timestamp_ms);
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v->val.numeric),
											 NumericGetDatum(im->msg_ms_numeric))) > 0;
}

/*
 * The attribute patch of a slot: {"set": {...}, "delete": [...], "ts":
 * {...}}: the last operation on each key, unless stale; "ts" gives each
 * applied key (upserted or deleted) the message time, so that an older
 * message cannot bring back a value or a key deleted since.  Applied as
 * properties = (properties - delete) || set, properties_ts = properties_ts
 * || ts.
 */
static Jsonb *
ct_attribute_patch(CtImport *im, CtSlot *s)
{
	CtJsonBuilder b;
	bool	   *apply = palloc(sizeof(bool) * s->nops);
	JsonbValue	ms;

	for (int i = 0; i < s->nops; i++)
		apply[i] = ct_attr_op_final(s, i) && !ct_attr_op_stale(im, s, i);
	ct_jb_begin(&b);
	ct_jb_begin_object(&b, "set");
	for (int i = 0; i < s->nops; i++)
	{
		JsonbValue	k;
		JsonbValue	v;

		if (!apply[i] || s->ops[i]->is_delete)
			continue;
		k.type = jbvString;
		k.val.string.val = (char *) s->ops[i]->key.s;
		k.val.string.len = s->ops[i]->key.len;
		pushJsonbValue(&b.state, WJB_KEY, &k);
		v = s->ops[i]->value;
		pushJsonbValue(&b.state, WJB_VALUE, &v);
	}
	ct_jb_end_object(&b);
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
static void
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

/* qsort comparator: slots by ct_id, so every import locks rows in one order. */
static CtSlot *ct_sort_slots;

static int
ct_cmp_slot_ctid(const void *a, const void *b)
{
	return strcmp(ct_sort_slots[*(const int *) a].ct_id,
				  ct_sort_slots[*(const int *) b].ct_id);
}

/*
 * qsort comparator for new profiles: by identity (none last), then ct_id.
 * Two imports creating some of the same profiles wait for each other on
 * the identity key (a new profile's ct_id is generated, unless a Partner ID
 * gave it, so two sessions' ct_id orders say nothing about identities):
 * inserting in identity order, the second waits at the first shared
 * identity and holds none the first still needs, so they do not deadlock
 * as they did in ct_id order.  Left: the same Partner IDs arriving with an
 * identity in one message and without in the other can still deadlock
 * (40P01, retried), as one order cannot serve both unique keys.
 */
static int
ct_cmp_slot_identity(const void *a, const void *b)
{
	const CtSlot *x = &ct_sort_slots[*(const int *) a];
	const CtSlot *y = &ct_sort_slots[*(const int *) b];

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

/* The columns of the profiles idx[0..n-1] for the insert/update statements. */
static void
ct_profile_cols(CtImport *im, int *idx, int n, CtProfileCols *c, bool for_update)
{
	ct_arr_init(&c->ct_id, n, TEXTOID);
	ct_arr_init(&c->identity, n, TEXTOID);
	ct_arr_init(&c->email, n, ct_email_type_oid());
	ct_arr_init(&c->phone, n, ct_phone_type_oid());
	ct_arr_init(&c->mpid, n, TEXTOID);
	ct_arr_init(&c->props, n, JSONBOID);
	ct_arr_init(&c->props_ts, n, JSONBOID);
	for (int i = 0; i < n; i++)
	{
		CtSlot	   *s = &im->slots[idx[i]];
		bool		with_identity = for_update ? s->set_identity : (s->identity != NULL);

		ct_arr_add(&c->ct_id, CStringGetTextDatum(s->ct_id), false);
		ct_arr_add(&c->identity, with_identity ? CStringGetTextDatum(s->identity) : (Datum) 0, !with_identity);
		ct_arr_add(&c->email, PointerGetDatum(s->new_email), s->new_email == NULL);
		ct_arr_add(&c->phone, Int64GetDatum(s->new_phone), !s->has_new_phone);
		ct_arr_add(&c->mpid, s->mpid.s ? PointerGetDatum(cstring_to_text_with_len(s->mpid.s, s->mpid.len)) : (Datum) 0,
				   s->mpid.s == NULL);
		if (s->nops > 0)
		{
			Jsonb	   *patch = ct_attribute_patch(im, s);

			if (!for_update)
			{
				/* a new profile: its properties and their times are the "set" and "ts" parts */
				JsonbValue	v;

				getKeyJsonValueFromContainer(&patch->root, "ts", 2, &v);
				ct_arr_add(&c->props_ts, JsonbPGetDatum(JsonbValueToJsonb(&v)), false);
				getKeyJsonValueFromContainer(&patch->root, "set", 3, &v);
				patch = JsonbValueToJsonb(&v);
			}
			ct_arr_add(&c->props, JsonbPGetDatum(patch), false);
		}
		else
			ct_arr_add(&c->props, (Datum) 0, true);
		if (for_update || s->nops == 0)
			ct_arr_add(&c->props_ts, (Datum) 0, true);
	}
}

static void ct_profile_datums(CtImport *im, CtProfileCols *c, Datum *values);

/* The parameters of the insert/update statements from ct_profile_cols. */
static void
ct_profile_arrays(CtImport *im, int *idx, int n, Datum *values, bool for_update)
{
	CtProfileCols c;

	ct_profile_cols(im, idx, n, &c, for_update);
	ct_profile_datums(im, &c, values);
	if (for_update)
	{
		CtArr		tids;

		ct_arr_init(&tids, n, TIDOID);
		for (int i = 0; i < n; i++)
			ct_arr_add(&tids, PointerGetDatum(&im->slots[idx[i]].tid), false);
		values[8] = ct_arr_datum(&tids);
	}
}

/* The first eight parameters of the insert/update statements. */
static void
ct_profile_datums(CtImport *im, CtProfileCols *c, Datum *values)
{
	values[0] = CStringGetTextDatum(im->project.project_id);
	values[1] = ct_arr_datum(&c->ct_id);
	values[2] = ct_arr_datum(&c->identity);
	values[3] = ct_arr_datum(&c->email);
	values[4] = ct_arr_datum(&c->phone);
	values[5] = ct_arr_datum(&c->mpid);
	values[6] = ct_arr_datum(&c->props);
	values[7] = TimestampTzGetDatum(im->msg.ts);
}

/*
 * A slot whose insert lost a race becomes the profile that won it: the
 * incoming values move to that profile's slot, which is then updated.
 */
static void
ct_adopt_row(CtImport *im, int lost, uint64 r)
{
	char	   *ct_id = ct_store_get_text(r, 1);
	int			target = ct_map_get(&im->by_ctid, ct_id, strlen(ct_id));
	CtSlot	   *l;
	CtSlot	   *t;

	if (target < 0 || target == lost || !im->slots[target].exists)
	{
		target = ct_new_slot(im);
		ct_slot_read_row(im, &im->slots[target], r);
		ct_map_put(&im->by_ctid, im->slots[target].ct_id, strlen(im->slots[target].ct_id), target);
		if (im->slots[target].identity != NULL)
			ct_map_put(&im->by_identity, im->slots[target].identity,
					strlen(im->slots[target].identity), target);
	}
	l = &im->slots[lost];
	t = &im->slots[target];
	if (l->new_email != NULL)
		t->new_email = l->new_email;
	if (l->has_new_phone)
	{
		t->has_new_phone = true;
		t->new_phone = l->new_phone;
	}
	if (l->mpid.s != NULL)
		t->mpid = l->mpid;
	for (int k = 0; k < l->nops; k++)
		ct_slot_add_op(t, l->ops[k], l->op_entry[k]);
	if (l->claimed && t->identity == NULL)
	{
		t->identity = l->identity;
		t->set_identity = true;
	}
	t->dirty = true;
	l->forward = target;
}

/*
 * Re-resolve slots whose insert lost a race with a concurrent import that
 * committed the same CleverTap ID or Identity first.  Each becomes the
 * profile that now exists, or, when only its claimed Identity was taken,
 * gives the claim up (counted) and is inserted without it.
 */
static void
ct_resolve_lost_inserts(CtImport *im, int *lost, int nlost)
{
	CtArr		keys;
	Datum		values[2];
	uint64		n;
	bool	   *done = palloc0(sizeof(bool) * nlost);

	values[0] = CStringGetTextDatum(im->project.project_id);

	ct_arr_init(&keys, nlost, TEXTOID);
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
				ct_adopt_row(im, lost[i], r);
				done[i] = true;
			}
		}
	}
	SPI_freetuptable(SPI_tuptable);

	ct_arr_init(&keys, nlost, TEXTOID);
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
				if (l->claimed)
				{
					/* rule 1: another profile holds the Customer ID now */
					l->identity = NULL;
					l->claimed = false;
					im->counts.identity_conflicts++;
				}
				else
					ct_adopt_row(im, lost[i], r);
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

/*
 * Run fn(arg) in a subtransaction.  True when it returned true.  False when
 * it returned false (having written nothing, by its contract) or raised a
 * unique violation, which a concurrent import inserting the same key first
 * raises: then nothing of it remains.  Other errors propagate.
 */
static bool
ct_subxact_unless_unique(bool (*fn) (void *arg), void *arg)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	volatile bool ok = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		ok = fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
			ReThrowError(edata);
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

typedef struct CtNewProfiles
{
	CtImport   *im;
	CtProfileCols *cols;
} CtNewProfiles;

/*
 * Write new profiles (looked up and absent): directly, as COPY would, where
 * ct_store_insert_profiles can, else with the plain SQL INSERT.  Always
 * true; a profile inserted meanwhile raises a unique violation.
 */
static bool
ct_write_new_profiles(void *arg)
{
	CtNewProfiles *np = arg;
	CtImport   *im = np->im;
	CtProfileCols *c = np->cols;
	Datum		project_id = CStringGetTextDatum(im->project.project_id);

	if (ct_store_insert_profiles(project_id, c, im->msg.ts))
		ct_profiles_inserted(im->project.project_id, c->ct_id.n, c->email.nulls,
							 c->phone.nulls, im->msg.ts);
	else
	{
		Datum		values[9];

		ct_profile_datums(im, c, values);
		values[8] = ct_arr_datum(&c->props_ts);
		ct_store_exec(CT_Q_INSERT_PROFILES_PLAIN, values, NULL, false);
	}
	return true;
}

/*
 * Create the new profiles idx[0..n-1] (in Identity order); add those whose
 * insert lost a race to lost[*nlost].
 */
static void
ct_insert_profile_batch(CtImport *im, int *idx, int n, int *lost, int *nlost)
{
	Datum		values[9];
	uint64		got;
	CtStrMap	inserted;
	CtProfileCols cols;
	CtNewProfiles np;

	ct_profile_cols(im, idx, n, &cols, false);

	/*
	 * The keys were looked up and are absent, so they are inserted as they
	 * are (cheaper than ON CONFLICT's speculative insertion); only when a
	 * concurrent import committed one of them meanwhile is that rolled back
	 * and done again with ON CONFLICT DO NOTHING, whose losers are
	 * re-resolved.
	 */
	np.im = im;
	np.cols = &cols;
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
	ct_profile_datums(im, &cols, values);
	values[8] = ct_arr_datum(&cols.props_ts);
	got = ct_store_exec(CT_Q_INSERT_PROFILES, values, NULL, false);

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
static int
ct_insert_new_profiles(CtImport *im, int *lost)
{
	int		   *idx = palloc(sizeof(int) * Max(im->nslots, 1));
	int			n = 0;
	int			nlost = 0;
	MemoryContext batch;

	for (int i = 0; i < im->nslots; i++)
	{
		if (!im->slots[i].exists && !im->slots[i].created && im->slots[i].forward < 0)
			idx[n++] = i;
	}
	if (n == 0)
		return 0;
	ct_sort_slots = im->slots;
	qsort(idx, n, sizeof(int), ct_cmp_slot_identity);
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
	int			si = ct_slot_final(im, ct_map_get(&im->by_ctid, VARDATA_ANY(ct_id),
												  VARSIZE_ANY_EXHDR(ct_id)));
	CtSlot	   *s;
	char	   *identity;

	if (si < 0)
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
	s->st_email = isnull[2] ? NULL : DatumGetTextPCopy(v[2]);
	s->st_phone_null = isnull[3];
	s->st_phone = isnull[3] ? 0 : DatumGetInt64(v[3]);
	s->st_email_ts_null = isnull[4];
	s->st_email_ts = isnull[4] ? 0 : DatumGetTimestampTz(v[4]);
	s->st_phone_ts_null = isnull[5];
	s->st_phone_ts = isnull[5] ? 0 : DatumGetTimestampTz(v[5]);
	s->st_mpid = isnull[6] ? NULL : TextDatumGetCString(v[6]);
	s->st_attr_ts = (isnull[7] || !im->attr_ops) ? NULL : DatumGetJsonbPCopy(v[7]);
	ItemPointerCopy(tid, &s->tid);
	s->dirty = true;			/* the update's own checks decide what changes */
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
 * read again.  A profile erased meanwhile makes the message a
 * serialization failure: retried, it is imported as a new one.
 */
static void
ct_lock_existing(CtImport *im)
{
	CtArr		keys;
	Datum		project_id = CStringGetTextDatum(im->project.project_id);
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "ctaudience lock keys",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(tmp);

	ct_arr_init(&keys, im->nslots, TEXTOID);
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->exists && !s->created && s->forward < 0)
			ct_arr_add(&keys, CStringGetTextDatum(s->ct_id), false);
	}
	/* the keys in tmp, what the rows bring in the import's context */
	MemoryContextSwitchTo(old);
	if (keys.n > 0 &&
		!ct_store_lookup_profiles(project_id, false, &keys, true, ct_profile_locked, im))
	{
		Datum		values[2];
		uint64		n;

		qsort(keys.values, keys.n, sizeof(Datum), ct_cmp_text_datum);
		values[0] = project_id;
		values[1] = ct_arr_datum(&keys);
		n = ct_store_exec(CT_Q_PROFILES_BY_CTID_LOCK, values, NULL, false);
		for (uint64 r = 0; r < n; r++)
		{
			Datum		v[CT_PROFILE_LOOKUP_COLS];
			bool		isnull[CT_PROFILE_LOOKUP_COLS];
			ItemPointer tid = ct_spi_profile_row(r, v, isnull);

			ct_profile_locked(im, v, isnull, tid);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	MemoryContextDelete(tmp);
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
	Datum		values[9];
	uint64		done;

	ct_profile_arrays(u->im, u->idx, u->n, values, true);
	done = ct_store_exec(CT_Q_UPDATE_PROFILES, values, NULL, false);
	SPI_freetuptable(SPI_tuptable);
	if (done != (uint64) u->n)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to concurrent updates of the same profiles"),
				 errhint("Retry the message.")));
	return true;
}

/*
 * Give up the Customer IDs claimed (rule 1) for existing profiles that
 * another profile holds now: an import that committed after this one's
 * lookup gave them to a profile it created or updated.  Counted as
 * conflicts, as a claim found taken at lookup is.
 */
static void
ct_drop_taken_claims(CtImport *im, int *idx, int n)
{
	CtArr		keys;
	Datum		values[2];
	uint64		found;

	ct_arr_init(&keys, n, TEXTOID);
	for (int i = 0; i < n; i++)
	{
		if (im->slots[idx[i]].set_identity)
			ct_arr_add(&keys, CStringGetTextDatum(im->slots[idx[i]].identity), false);
	}
	values[0] = CStringGetTextDatum(im->project.project_id);
	values[1] = ct_arr_datum(&keys);
	found = ct_store_exec(CT_Q_PROFILES_BY_IDENTITY, values, NULL, false);
	for (uint64 r = 0; r < found; r++)
	{
		char	   *ct_id = ct_store_get_text(r, 1);
		char	   *identity = ct_store_get_text(r, 2);

		for (int i = 0; i < n; i++)
		{
			CtSlot	   *s = &im->slots[idx[i]];

			if (!s->set_identity || strcmp(s->identity, identity) != 0 || strcmp(s->ct_id, ct_id) == 0)
				continue;
			s->set_identity = false;
			s->identity = NULL;
			im->counts.identity_conflicts++;
			ct_import_sample(im, "identity_conflict", s->claim_profile, -1);
		}
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * Update the existing profiles that the message changes, in ct_id order,
 * in batches of CT_WRITE_BATCH.  When the update gives a profile a claimed Customer ID that another import
 * gave to another profile since this one looked it up, it fails on the
 * unique key: it is undone, the claims taken are given up, and it is done
 * again.
 */
static void
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

		if (s->dirty && !s->created && s->forward < 0)
		{
			u.idx[u.n++] = i;
			claims |= s->set_identity;
		}
	}
	if (u.n == 0)
		return;
	ct_sort_slots = im->slots;
	qsort(u.idx, u.n, sizeof(int), ct_cmp_slot_ctid);
	batch = AllocSetContextCreate(CurrentMemoryContext, "ctaudience profile batch",
								  ALLOCSET_DEFAULT_SIZES);
	for (int start = 0; start < u.n; start += CT_WRITE_BATCH)
	{
		CtProfileUpdate b = {im, u.idx + start, Min(CT_WRITE_BATCH, u.n - start)};
		MemoryContext old = MemoryContextSwitchTo(batch);

		if (!claims)
			ct_run_profile_update(&b);
		else
		{
			for (int round = 0; !ct_subxact_unless_unique(ct_run_profile_update, &b); round++)
			{
				if (round == 2)
					ereport(ERROR,
							(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
							 errmsg("could not serialize access due to concurrent imports of the same Customer IDs"),
							 errhint("Retry the message.")));
				ct_drop_taken_claims(im, b.idx, b.n);
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
	}
	MemoryContextDelete(batch);
	pfree(u.idx);
}

/* One membership statement of the message, for sorting and dedup. */
typedef struct CtMember
{
	int64		segment_id;
	const char *ct_id;
	int			order;
	bool		is_member;
	bool		created;		/* its profile was created by this message */
	bool		superseded;		/* a later entry of the message states the same pair */
} CtMember;

static int
ct_cmp_member(const void *a, const void *b)
{
	const CtMember *x = a;
	const CtMember *y = b;
	int			c;

	if (x->segment_id != y->segment_id)
		return x->segment_id < y->segment_id ? -1 : 1;
	c = strcmp(x->ct_id, y->ct_id);
	if (c != 0)
		return c;
	return x->order - y->order;
}

/*
 * For the membership trigger: whether a profile of this import has an email
 * and a phone once the message is merged (neither can become null here).
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
	*has_email = (s->new_email != NULL || s->st_email != NULL);
	*has_phone = (s->has_new_phone || !s->st_phone_null);
	return true;
}

typedef struct CtAbsentMembers
{
	CtImport   *im;
	Datum		project_id;
	CtArr	   *seg,
			   *ctid,
			   *mem;
} CtAbsentMembers;

/*
 * Insert memberships of existing profiles that have none in their segment
 * yet (seen absent by ct_store_members_present) the way COPY does, raising
 * what the insert trigger would; false, having done nothing, when
 * ct_store_insert_members cannot.  A pair a concurrent import inserted
 * first raises a unique violation.
 */
static bool
ct_write_absent_members(void *arg)
{
	CtAbsentMembers *am = arg;

	if (!ct_store_insert_members(am->project_id, am->seg, am->ctid, am->mem, am->im->msg.ts))
		return false;
	ct_members_inserted(am->im->project.project_id, am->seg->n, am->seg->values,
						am->ctid->values, am->mem->values, am->im->msg.ts);
	return true;
}

/*
 * Upsert the memberships of existing profiles: those without a row in their
 * segment are inserted directly (ct_write_absent_members), the rest, or all
 * of them where that cannot be done, by the SQL upsert, whose WHERE leaves
 * stale statements out.  Returns how many statements were applied.
 */
static uint64
ct_upsert_members(CtImport *im, Datum *values, CtArr *seg, CtArr *ctid, CtArr *mem,
				  CtSyncCounts *sync)
{
	bool	   *present = palloc(sizeof(bool) * seg->n);
	uint64		direct = 0;

	if (ct_store_members_present(values[0], seg, ctid, present))
	{
		CtArr		aseg,
					actid,
					amem,
					pseg,
					pctid,
					pmem;
		CtAbsentMembers am = {im, values[0], &aseg, &actid, &amem};
		int64		added = sync->added;
		int64		removed = sync->removed;

		ct_arr_init(&aseg, seg->n, INT8OID);
		ct_arr_init(&actid, seg->n, TEXTOID);
		ct_arr_init(&amem, seg->n, BOOLOID);
		ct_arr_init(&pseg, seg->n, INT8OID);
		ct_arr_init(&pctid, seg->n, TEXTOID);
		ct_arr_init(&pmem, seg->n, BOOLOID);
		for (int i = 0; i < seg->n; i++)
		{
			ct_arr_add(present[i] ? &pseg : &aseg, seg->values[i], false);
			ct_arr_add(present[i] ? &pctid : &actid, ctid->values[i], false);
			ct_arr_add(present[i] ? &pmem : &amem, mem->values[i], false);
		}
		/* in a subtransaction: undone, with its counts, if a pair was taken */
		if (aseg.n > 0 && ct_subxact_unless_unique(ct_write_absent_members, &am))
		{
			direct = aseg.n;
			*seg = pseg;
			*ctid = pctid;
			*mem = pmem;
		}
		else
		{
			sync->added = added;
			sync->removed = removed;
		}
	}
	pfree(present);
	if (seg->n == 0)
		return direct;
	values[1] = ct_arr_datum(seg);
	values[2] = ct_arr_datum(ctid);
	values[3] = ct_arr_datum(mem);
	return direct + ct_store_exec(CT_Q_UPSERT_MEMBERS, values, NULL, false);
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
	CtArr		seg,
				ctid,
				mem,
				ord,
				nseg,
				nctid,
				nmem;
	Datum		values[6];
	uint64		applied = 0;
	uint64		applied_new = 0;
	int64		added = sync->added;
	int64		removed = sync->removed;

	ct_arr_init(&seg, n, INT8OID);
	ct_arr_init(&ctid, n, TEXTOID);
	ct_arr_init(&mem, n, BOOLOID);
	ct_arr_init(&ord, n, INT4OID);
	ct_arr_init(&nseg, n, INT8OID);
	ct_arr_init(&nctid, n, TEXTOID);
	ct_arr_init(&nmem, n, BOOLOID);
	for (int i = 0; i < n; i++)
	{
		if (m[i].superseded)
			continue;
		if (m[i].created)
		{
			ct_arr_add(&nseg, Int64GetDatum(m[i].segment_id), false);
			ct_arr_add(&nctid, CStringGetTextDatum(m[i].ct_id), false);
			ct_arr_add(&nmem, BoolGetDatum(m[i].is_member), false);
			continue;
		}
		ct_arr_add(&seg, Int64GetDatum(m[i].segment_id), false);
		ct_arr_add(&ctid, CStringGetTextDatum(m[i].ct_id), false);
		ct_arr_add(&mem, BoolGetDatum(m[i].is_member), false);
		ct_arr_add(&ord, Int32GetDatum(m[i].order), false);
		kept++;
	}
	values[0] = CStringGetTextDatum(im->project.project_id);
	values[4] = TimestampTzGetDatum(msg->ts);

	if (nseg.n > 0 &&
		ct_store_insert_members(values[0], &nseg, &nctid, &nmem, msg->ts))
	{
		ct_members_inserted(im->project.project_id, nseg.n, nseg.values,
							nctid.values, nmem.values, msg->ts);
		applied_new = nseg.n;
	}
	else if (nseg.n > 0)
	{
		values[1] = ct_arr_datum(&nseg);
		values[2] = ct_arr_datum(&nctid);
		values[3] = ct_arr_datum(&nmem);
		applied_new = ct_store_exec(CT_Q_INSERT_MEMBERS, values, NULL, false);
	}
	if (seg.n > 0)
	{
		CtArr		useg = seg,
					uctid = ctid,
					umem = mem;

		applied = ct_upsert_members(im, values, &useg, &uctid, &umem, sync);
	}

	im->counts.unchanged += (int64) (applied + applied_new) -
		(sync->added - added) - (sync->removed - removed);
	im->counts.stale += kept - (int64) applied;

	/* which statements were stale, for the import log's samples */
	if (kept > (int64) applied && im->nsamples < CT_MAX_SAMPLES)
	{
		uint64		nstale;

		values[1] = ct_arr_datum(&seg);
		values[2] = ct_arr_datum(&ctid);
		values[3] = ct_arr_datum(&ord);
		values[5] = Int32GetDatum(CT_MAX_SAMPLES - im->nsamples);
		nstale = ct_store_exec(CT_Q_STALE_ENTRIES, values, NULL, true);
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
static void
ct_apply_memberships(CtImport *im)
{
	CtMembershipMessage *msg = &im->msg;
	CtMember   *m = palloc(sizeof(CtMember) * Max(msg->nentries, 1));
	int			n = 0;
	CtSyncCounts sync = {0, 0, ct_import_contact, im};
	MemoryContext batch;
	MemoryContext old;

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
		m[n].ct_id = im->slots[si].ct_id;
		m[n].order = i;
		m[n].is_member = (e->action == CT_ACTION_ADD);
		m[n].created = im->slots[si].created;
		m[n].superseded = false;
		n++;
	}
	if (n == 0)
		return;
	qsort(m, n, sizeof(CtMember), ct_cmp_member);
	for (int i = 0; i + 1 < n; i++)
	{
		if (m[i + 1].segment_id == m[i].segment_id && strcmp(m[i + 1].ct_id, m[i].ct_id) == 0)
		{
			m[i].superseded = true;
			im->counts.unchanged++;
		}
	}

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

/* Write the samples of the import log. */
static void
ct_log_samples(CtImport *im)
{
	CtArr		n,
				reason,
				profile,
				audience,
				mpid,
				path;
	Datum		values[8];

	if (im->nsamples == 0)
		return;
	ct_arr_init(&n, im->nsamples, INT4OID);
	ct_arr_init(&reason, im->nsamples, TEXTOID);
	ct_arr_init(&profile, im->nsamples, INT4OID);
	ct_arr_init(&audience, im->nsamples, INT8OID);
	ct_arr_init(&mpid, im->nsamples, TEXTOID);
	ct_arr_init(&path, im->nsamples, TEXTOID);
	for (int i = 0; i < im->nsamples; i++)
	{
		CtSample   *smp = &im->samples[i];
		CtUserProfile *p = &im->msg.profiles[smp->profile];
		bool		mpid_ok = p->mpid.s != NULL &&
			ct_identity_check(p->mpid.s, p->mpid.len) == CT_IDENTITY_OK && p->mpid.len <= 64;
		char	   *where;

		if (smp->entry >= 0)
		{
			CtAudienceEntry *e = &im->msg.entries[smp->entry];

			where = psprintf("user_profiles[%d].%s[%d]", smp->profile, e->list, e->index);
			ct_arr_add(&audience, Int64GetDatum(e->audience_id), false);
		}
		else
		{
			where = psprintf("user_profiles[%d]", smp->profile);
			ct_arr_add(&audience, (Datum) 0, true);
		}
		ct_arr_add(&n, Int32GetDatum(i + 1), false);
		ct_arr_add(&reason, CStringGetTextDatum(smp->reason), false);
		ct_arr_add(&profile, Int32GetDatum(smp->profile), false);
		ct_arr_add(&mpid, mpid_ok ? PointerGetDatum(cstring_to_text_with_len(p->mpid.s, p->mpid.len)) : (Datum) 0,
				   !mpid_ok);
		ct_arr_add(&path, CStringGetTextDatum(where), false);
	}
	values[0] = CStringGetTextDatum(im->project.project_id);
	values[1] = UUIDPGetDatum(&im->msg.id);
	values[2] = ct_arr_datum(&n);
	values[3] = ct_arr_datum(&reason);
	values[4] = ct_arr_datum(&profile);
	values[5] = ct_arr_datum(&audience);
	values[6] = ct_arr_datum(&mpid);
	values[7] = ct_arr_datum(&path);
	ct_store_exec(CT_Q_LOG_SAMPLES, values, NULL, false);
}

/* The count members, in the order the documentation lists them. */
static void
ct_counts_members(CtJsonBuilder *b, const CtImportCounts *c)
{
	ct_jb_int(b, "profiles", c->profiles);
	ct_jb_int(b, "added", c->added);
	ct_jb_int(b, "removed", c->removed);
	ct_jb_int(b, "unchanged", c->unchanged);
	ct_jb_int(b, "stale", c->stale);
	ct_jb_int(b, "anonymous", c->anonymous);
	ct_jb_int(b, "created_profiles", c->created_profiles);
	ct_jb_int(b, "invalid_email", c->invalid_email);
	ct_jb_int(b, "invalid_phone", c->invalid_phone);
	ct_jb_int(b, "rejected", c->rejected);
	ct_jb_int(b, "duplicate_message", c->duplicate_message);
	ct_jb_int(b, "refused", c->refused);
	ct_jb_int(b, "hashed_only", c->hashed_only);
	ct_jb_int(b, "forbidden_identity", c->forbidden_identity);
	ct_jb_int(b, "invalid_attributes", c->invalid_attributes);
	ct_jb_int(b, "identity_conflicts", c->identity_conflicts);
}

/* The counts alone, as stored in ct_message.counts. */
static Jsonb *
ct_counts_jsonb(const CtImportCounts *c)
{
	CtJsonBuilder b;

	ct_jb_begin(&b);
	ct_counts_members(&b, c);
	return ct_jb_finish(&b);
}

/* The Firehose response, with the counts under "ctaudience". */
static Jsonb *
ct_membership_response(const CtEnvelope *env, const CtImportCounts *c)
{
	CtJsonBuilder b;

	ct_jb_begin(&b);
	ct_jb_response_envelope(&b, "audience_membership_change_response", env);
	ct_jb_bool(&b, "suspend_subscription", false);
	ct_jb_begin_object(&b, "ctaudience");
	ct_counts_members(&b, c);
	ct_jb_end_object(&b);
	return ct_jb_finish(&b);
}

/* See import.h. */
Jsonb *
ct_finish_message(Jsonb *response, MemoryContext outer, MemoryContext spi,
				  MemoryContext work)
{
	Jsonb	   *result = MemoryContextAlloc(outer, VARSIZE(response));

	memcpy(result, response, VARSIZE(response));
	MemoryContextSwitchTo(spi);
	ct_store_finish();
	MemoryContextSwitchTo(outer);
	MemoryContextDelete(work);
	return result;
}

/*
 * Lock a message id for the rest of the transaction, before looking it up
 * among the processed ones: a second delivery of a message that arrives
 * while the first is still being imported waits here until that one ends,
 * then finds it processed and answers as a redelivery (before, it imported
 * the whole message again and failed with 40001 when logging it).  The lock
 * is an advisory lock in a space of its own (pg_locks: locktype advisory,
 * objsubid CT_LOCK_SPACE_MESSAGE), so it cannot meet the application's
 * pg_advisory_lock() keys; two ids that share a 64-bit hash only wait for
 * each other.
 *
 * Under REPEATABLE READ or SERIALIZABLE the transaction's snapshot cannot
 * see what the first delivery committed, so the message is looked up once
 * more with the latest snapshot: found, it is a serialization failure at
 * once rather than after importing it again.  ct_process_inbox, which
 * holds each message's lock until its whole batch commits, does not wait:
 * a message another session is importing is left for its next run.
 */
bool		ct_message_busy = false;

void
ct_lock_message(const char *project_id, const pg_uuid_t *id)
{
	LOCKTAG		tag;
	uint64		h;
	Datum		values[2];

	h = hash_bytes_extended((const unsigned char *) id->data, UUID_LEN,
							hash_bytes_extended((const unsigned char *) project_id,
												strlen(project_id), 0));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (h >> 32), (uint32) h,
						 CT_LOCK_SPACE_MESSAGE);
	if (LockAcquire(&tag, ExclusiveLock, false, ct_auth_verified_project != NULL) ==
		LOCKACQUIRE_NOT_AVAIL)
	{
		ct_message_busy = true;
		ereport(ERROR,
				(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
				 errmsg("message %s is being imported by another session",
						DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(id)))),
				 errhint("The inbox tries it again in its next run.")));
	}

	if (!IsolationUsesXactSnapshot())
		return;
	values[0] = CStringGetTextDatum(project_id);
	values[1] = UUIDPGetDatum(id);
	if (ct_store_exec_latest(CT_Q_MESSAGE, values, NULL) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("message %s was processed concurrently by another session",
						DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(id)))),
				 errhint("Retry: a redelivered message is answered without effect.")));
	SPI_freetuptable(SPI_tuptable);
}

/*
 * The stored response of a message already processed, marked as a
 * duplicate, or NULL.  Needs SPI connected.
 */
Jsonb *
ct_find_processed(const char *project_id, const pg_uuid_t *id)
{
	Datum		values[2];
	bool		isnull;
	Jsonb	   *res = NULL;

	values[0] = CStringGetTextDatum(project_id);
	values[1] = UUIDPGetDatum(id);
	/* not read-only: a fresh snapshot sees what ct_lock_message waited for */
	if (ct_store_exec(CT_Q_MESSAGE, values, NULL, false) > 0)
	{
		Datum		d = ct_store_get(0, 1, &isnull);

		if (!isnull)
			res = DatumGetJsonbPCopy(d);
	}
	SPI_freetuptable(SPI_tuptable);
	return res;
}

/*
 * Record a processed message.  A concurrent delivery of the same id that
 * committed first (possible where the transaction's snapshot predates it,
 * under REPEATABLE READ or SERIALIZABLE) makes this one a serialization
 * failure: the retry then finds it and answers without effect.
 */
void
ct_log_processed(const char *project_id, const CtEnvelope *env, const char *type,
				 TimestampTz started, Jsonb *counts, Jsonb *response)
{
	Datum		values[7];

	values[0] = CStringGetTextDatum(project_id);
	values[1] = UUIDPGetDatum(&env->id);
	values[2] = CStringGetTextDatum(type);
	values[3] = TimestampTzGetDatum(env->ts);
	values[4] = TimestampTzGetDatum(started);
	values[5] = JsonbPGetDatum(counts);
	values[6] = JsonbPGetDatum(response);
	if (ct_store_exec(CT_Q_LOG_MESSAGE, values, NULL, false) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("message %.*s was processed concurrently by another session",
						env->id_text.len, env->id_text.s),
				 errhint("Retry: a redelivered message is answered without effect.")));
}

/*
 * Parse and validate a whole membership message (before SPI, before any
 * write): a shape error here leaves nothing behind.
 */
void
ct_import_parse(CtImport *im, Jsonb *request)
{
	JsonbContainer *root = ct_message_root(request);

	ct_parse_envelope(root, &im->env);
	if (!ct_str_eq(im->env.type, "audience_membership_change_request"))
	{
		CT_PATH_ROOT(path);

		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &path, "type",
					  "expected an audience_membership_change_request, not \"%.*s\"",
					  Min(im->env.type.len, 64), im->env.type.s);
	}
	ct_parse_membership(root, &im->msg);
	im->counts.profiles = im->msg.nprofiles;
}

/*
 * Segments, identity resolution, profile lookups and merging, for the
 * import and its dry run alike.  SPI is connected, the message authenticated.
 */
void
ct_import_prepare(CtImport *im)
{
	for (int i = 0; i < im->msg.nentries && !im->attr_ops; i++)
		im->attr_ops = (im->msg.entries[i].nattrs > 0);
	CT_TIMED(CT_STEP_SEGMENTS, ct_sync_segments(im));
	CT_TIMED(CT_STEP_RESOLVE, ct_resolve_all(im));
	CT_TIMED(CT_STEP_LOOKUP, ct_lookup_all(im));
	CT_TIMED(CT_STEP_MERGE, ct_assign_slots(im); ct_merge_all(im));
}

/*
 * Every CT_COMPACT_EVERY messages a backend imports, it folds the statistics
 * delta rows of the segments the message touched (under a per-segment
 * advisory lock it only tries), so their number stays small without a
 * scheduled job.
 */
#define CT_COMPACT_EVERY 32

static void
ct_maybe_compact(CtImport *im)
{
	static uint32 imports = 0;
	CtArr		segs;
	Datum		values[2];

	if (++imports % CT_COMPACT_EVERY != 0 || im->msg.naudiences == 0)
		return;
	ct_arr_init(&segs, im->msg.naudiences, INT8OID);
	for (int i = 0; i < im->msg.naudiences; i++)
	{
		if (im->segments[i].segment_id != 0)
			ct_arr_add(&segs, Int64GetDatum(im->segments[i].segment_id), false);
	}
	values[0] = CStringGetTextDatum(im->project.project_id);
	values[1] = ct_arr_datum(&segs);
	ct_store_exec(CT_Q_COMPACT_SEGMENTS, values, NULL, false);
}

/*
 * Write what the message changes: profiles, then memberships (im is the
 * CtImport; run by ct_with_triggers).
 */
static void
ct_import_write(void *arg)
{
	CtImport   *im = arg;
	int		   *lost;
	int			nlost;

	lost = palloc(sizeof(int) * Max(im->nslots, 1));
	for (int round = 0;; round++)
	{
		CT_TIMED(CT_STEP_INSERT, nlost = ct_insert_new_profiles(im, lost));
		if (nlost == 0)
			break;
		if (round == 3)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent imports of the same profiles"),
					 errhint("Retry the message.")));
		ct_resolve_lost_inserts(im, lost, nlost);
		lost = repalloc(lost, sizeof(int) * Max(im->nslots, 1));
	}
	CT_TIMED(CT_STEP_UPDATE, ct_lock_existing(im); ct_update_profiles(im); ct_count_stale_attributes(im));
	CT_TIMED(CT_STEP_MEMBERS, ct_apply_memberships(im); ct_maybe_compact(im));
}

/*
 * Authenticate and import a parsed message (im, in the work context, which
 * is current); returns the response in outer and deletes work.
 */
static Jsonb *
ct_import_run(CtImport *im, MemoryContext outer, MemoryContext work)
{
	MemoryContext spi;
	Jsonb	   *response;

	ct_store_connect();
	spi = CurrentMemoryContext;
	CT_TIMED(CT_STEP_AUTH,
			 ct_authenticate(&im->msg.cred, &im->project, work);
			 ct_lock_message(im->project.project_id, &im->env.id);
			 response = ct_find_processed(im->project.project_id, &im->env.id));
	if (response == NULL)
	{
		if (im->msg.has_profiles)
		{
			ct_import_prepare(im);
			ct_with_triggers(ct_import_write, im);
		}
		response = ct_membership_response(&im->env, &im->counts);
		CT_TIMED(CT_STEP_LOG,
				 ct_log_processed(im->project.project_id, &im->env,
								  "audience_membership_change_request", im->started,
								  ct_counts_jsonb(&im->counts), response);
				 ct_log_samples(im));
		ct_timing_report(im->msg.nprofiles);
	}

	return ct_finish_message(response, outer, spi, work);
}

/* A new import and its work context (current on return). */
static CtImport *
ct_import_begin(MemoryContext outer, MemoryContext *work)
{
	CtImport   *im;

	*work = AllocSetContextCreate(outer, "ctaudience import", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(*work);
	ct_timing_reset();
	im = palloc0(sizeof(CtImport));
	im->started = GetCurrentTimestamp();
	return im;
}

/* Import one audience_membership_change_request; see import.h. */
Jsonb *
ct_import_membership(Jsonb *request)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work;
	CtImport   *im = ct_import_begin(outer, &work);

	CT_TIMED(CT_STEP_PARSE, ct_import_parse(im, request));
	return ct_import_run(im, outer, work);
}

/* Import a membership message given as JSON text, if it reads as one; see import.h. */
Jsonb *
ct_import_membership_text(text *body)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work;
	CtImport   *im = ct_import_begin(outer, &work);
	bool		parsed;

	CT_TIMED(CT_STEP_PARSE,
			 parsed = ct_stream_parse_membership(VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body),
												 &im->env, &im->msg));
	if (!parsed)
	{
		ereport(DEBUG1,
				(errmsg_internal("ctaudience: message not read as plain JSON text; parsing it as jsonb")));
		MemoryContextSwitchTo(outer);
		MemoryContextDelete(work);
		return NULL;
	}
	ereport(DEBUG1,
			(errmsg_internal("ctaudience: message %.*s read from JSON text: %d user profiles",
							 im->env.id_text.len, im->env.id_text.s, im->msg.nprofiles)));
	im->counts.profiles = im->msg.nprofiles;
	return ct_import_run(im, outer, work);
}

/* SQL: ct_import_audience(request jsonb) returns jsonb */
Datum
ct_import_audience(PG_FUNCTION_ARGS)
{
	ct_require_message(fcinfo);
	PG_RETURN_JSONB_P(ct_import_membership(PG_GETARG_JSONB_P(0)));
}

/*
 * SQL: ct_import_audience(request text) returns jsonb.  A message the
 * streaming parser does not take is parsed as jsonb, for the same answer
 * or error as the jsonb variant.
 */
Datum
ct_import_audience_text(PG_FUNCTION_ARGS)
{
	text	   *body;
	Jsonb	   *result;

	ct_require_message(fcinfo);
	body = PG_GETARG_TEXT_PP(0);
	result = ct_import_membership_text(body);

	if (result == NULL)
		result = ct_import_membership(ct_jsonb_from_text(body));
	PG_RETURN_JSONB_P(result);
}

/* A text argument as a CtStr (NULL argument: empty CtStr with NULL s). */
static CtStr
ct_text_arg(FunctionCallInfo fcinfo, int n)
{
	CtStr		s = {NULL, 0};

	if (!PG_ARGISNULL(n))
	{
		text	   *t = PG_GETARG_TEXT_PP(n);

		s.s = VARDATA_ANY(t);
		s.len = VARSIZE_ANY_EXHDR(t);
	}
	return s;
}

/*
 * Whether the caller (the role calling this SECURITY DEFINER function) may
 * read every project's profiles anyway: a superuser, or a member of
 * ctaudience_reader.
 */
static bool
ct_caller_reads_all(void)
{
	Oid			caller = GetOuterUserId();
	Oid			reader = get_role_oid("ctaudience_reader", true);

	return superuser_arg(caller) || (OidIsValid(reader) && has_privs_of_role(caller, reader));
}

/*
 * SQL: ct_resolve_identity(project_id, partner_id, customer_id,
 * mparticle_id, email, phone, passcode): the import's rules for one user,
 * read-only.  It tells whether a profile exists, so it needs the project's
 * passcode, unless the caller may read every project (ct_caller_reads_all).
 */
Datum
ct_resolve_identity(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	CtImport   *im;
	CtUserProfile *p;
	CtContact  *c;
	CtRes		res;
	Datum		out[5];
	bool		nulls[5] = {false, false, true, false, false};
	CtStr		project = ct_text_arg(fcinfo, 0);
	MemoryContext spi;
	MemoryContext outer = CurrentMemoryContext;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (project.s == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("project_id must not be null")));

	im = palloc0(sizeof(CtImport));
	im->msg.nprofiles = 1;
	im->msg.profiles = p = palloc0(sizeof(CtUserProfile));
	p->partner_id = ct_text_arg(fcinfo, 1);
	ct_model_set_uid(p, CT_UID_CUSTOMER, ct_text_arg(fcinfo, 2));
	p->mpid = ct_text_arg(fcinfo, 3);
	ct_model_set_uid(p, CT_UID_EMAIL, ct_text_arg(fcinfo, 4));
	ct_model_set_uid(p, CT_UID_MOBILE_NUMBER, ct_text_arg(fcinfo, 5));

	ct_store_connect();
	spi = CurrentMemoryContext;
	/* the project's passcode, unless the caller may read every project anyway */
	ct_authenticate_passcode(project, ct_text_arg(fcinfo, 6), ct_caller_reads_all(),
							 &im->project, outer);

	im->contacts = c = palloc(sizeof(CtContact));
	ct_contact_init(c, p, im->project.default_country);
	ct_resolve_one(im, 0, CT_UID_CUSTOMER, &res);
	ct_contact_phone(c, NULL);

	out[0] = CStringGetTextDatum(ct_rule_name(res.r.rule));
	nulls[1] = (res.r.key == NULL);
	if (res.r.key != NULL)
	{
		Datum		values[2];
		CtArr		keys;

		out[1] = PointerGetDatum(cstring_to_text_with_len(res.r.key, res.r.key_len));
		ct_arr_init(&keys, 1, TEXTOID);
		ct_arr_add(&keys, out[1], false);
		values[0] = CStringGetTextDatum(im->project.project_id);
		values[1] = ct_arr_datum(&keys);
		if (ct_store_exec(res.r.rule == CT_RULE_PARTNER_ID ?
						  CT_Q_PROFILES_BY_CTID : CT_Q_PROFILES_BY_IDENTITY,
						  values, NULL, true) > 0)
		{
			MemoryContext old = MemoryContextSwitchTo(outer);

			out[2] = PointerGetDatum(cstring_to_text(ct_store_get_text(0, 1)));
			nulls[2] = false;
			MemoryContextSwitchTo(old);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	MemoryContextSwitchTo(outer);
	if (c->email_state == CT_C_VALID)
		out[3] = PointerGetDatum(DatumGetTextPCopy(PointerGetDatum(c->email)));
	else
		nulls[3] = true;
	nulls[4] = (c->phone_state != CT_C_VALID);
	out[4] = Int64GetDatum(c->phone);
	if (nulls[1])
		out[1] = (Datum) 0;
	else
		out[1] = PointerGetDatum(DatumGetTextPCopy(out[1]));
	MemoryContextSwitchTo(spi);
	ct_store_finish();
	MemoryContextSwitchTo(outer);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, out, nulls)));
}
