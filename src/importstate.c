/*
 * importstate.c
 *	  What the steps of a membership import share, below all of them: the
 *	  samples of the import log, profile slots, a user's email and phone,
 *	  attribute operations, profile rows read by SQL, and the
 *	  subtransaction that absorbs a lost insert race.  See importstate.h.
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "importstate.h"
#include "types.h"

/* ---------------------------------------------------------------------
 * Samples
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
 * Slots
 * ---------------------------------------------------------------------
 */

/* A new slot. */
int
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
	s->absorb_into = -1;
	s->st_identity_ts_null = true;
	s->st_email_ts_null = true;
	s->st_phone_null = true;
	s->st_phone_ts_null = true;
	return im->nslots++;
}

/*
 * The slot a slot ends as: after a lost insert race (forward), or merged
 * into a Partner ID's profile (absorb_into).
 */
int
ct_slot_final(CtImport *im, int s)
{
	while (s >= 0 && (im->slots[s].forward >= 0 || im->slots[s].absorb_into >= 0))
		s = im->slots[s].forward >= 0 ? im->slots[s].forward : im->slots[s].absorb_into;
	return s;
}

/* See importstate.h. */
bool
ct_ctid_generated(const char *ct_id, int len, TimestampTz created_at)
{
	int64		created_ms;
	int64		ms = 0;

	if (len != 32)
		return false;
	for (int i = 0; i < 32; i++)
	{
		char		c = ct_id[i];
		int			v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else
			return false;
		if (i < 12)
			ms = (ms << 4) | v;
	}
	if (TIMESTAMP_NOT_FINITE(created_at))
		return false;
	/* created_at in whole milliseconds since 1970, as ct_generate_ctid counts */
	created_ms = created_at + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * (int64) USECS_PER_DAY;
	created_ms = created_ms >= 0 ? created_ms / 1000 : -((-created_ms + 999) / 1000);
	return ms >= created_ms && ms <= created_ms + CT_GENERATED_SLACK_MS;
}

/* See importstate.h. */
void
ct_slot_stored(CtImport *im, CtSlot *s, Datum *v, bool *isnull, ItemPointer tid)
{
	s->st_email = isnull[2] ? NULL : DatumGetTextPCopy(v[2]);
	s->st_phone_null = isnull[3];
	s->st_phone = isnull[3] ? 0 : DatumGetInt64(v[3]);
	s->st_email_ts_null = isnull[4];
	s->st_email_ts = isnull[4] ? 0 : DatumGetTimestampTz(v[4]);
	s->st_phone_ts_null = isnull[5];
	s->st_phone_ts = isnull[5] ? 0 : DatumGetTimestampTz(v[5]);
	s->st_mpid = isnull[6] ? NULL : TextDatumGetCString(v[6]);
	s->st_attr_ts = (isnull[7] || !im->attr_ops) ? NULL : DatumGetJsonbPCopy(v[7]);
	/* NULL: a row from before 0.3.0, named unless its ID was generated here */
	if (isnull[8])
	{
		text	   *ct_id = DatumGetTextPP(v[0]);

		s->st_named = !ct_ctid_generated(VARDATA_ANY(ct_id), VARSIZE_ANY_EXHDR(ct_id),
										 DatumGetTimestampTz(v[10]));
	}
	else
		s->st_named = DatumGetBool(v[8]);
	s->st_identity_ts_null = isnull[9];
	s->st_identity_ts = isnull[9] ? 0 : DatumGetTimestampTz(v[9]);
	ItemPointerCopy(tid, &s->tid);
}

/* See importstate.h. */
void
ct_slot_fill(CtImport *im, CtSlot *s, Datum *v, bool *isnull, ItemPointer tid)
{
	s->exists = true;
	s->ct_id = TextDatumGetCString(v[0]);
	s->identity = isnull[1] ? NULL : TextDatumGetCString(v[1]);
	ct_slot_stored(im, s, v, isnull, tid);
}

/* See importstate.h. */
void
ct_slot_map(CtImport *im, int si)
{
	CtSlot	   *s = &im->slots[si];

	ct_map_put(&im->by_ctid, s->ct_id, strlen(s->ct_id), si);
	if (s->identity != NULL)
		ct_map_put(&im->by_identity, s->identity, strlen(s->identity), si);
}

/* Append one attribute operation (of message entry entry) to a slot. */
void
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

/* ---------------------------------------------------------------------
 * Profile rows read by SQL
 * ---------------------------------------------------------------------
 */

/*
 * The columns of row r of SPI_tuptable (a profile lookup: ct_id, identity,
 * email, phone, email_ts, phone_ts, mparticle_id, properties_ts, named,
 * identity_ts, created_at, ctid), as
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

/* See importstate.h. */
void
ct_slot_read_row(CtImport *im, CtSlot *s, uint64 r)
{
	Datum		v[CT_PROFILE_LOOKUP_COLS];
	bool		isnull[CT_PROFILE_LOOKUP_COLS];
	ItemPointer tid = ct_spi_profile_row(r, v, isnull);

	ct_slot_fill(im, s, v, isnull, tid);
}

/* See importstate.h. */
void
ct_sql_lookup_profiles(Datum project_id, CtStmt stmt, CtArr *keys, CtProfileFound found, void *arg)
{
	Datum		values[2] = {project_id, ct_arr_datum(keys)};
	uint64		n = ct_store_exec(stmt, values, NULL, false);

	for (uint64 r = 0; r < n; r++)
	{
		Datum		v[CT_PROFILE_LOOKUP_COLS];
		bool		isnull[CT_PROFILE_LOOKUP_COLS];
		ItemPointer tid = ct_spi_profile_row(r, v, isnull);

		found(arg, v, isnull, tid);
	}
	SPI_freetuptable(SPI_tuptable);
}

/* See importstate.h. */
void
ct_slot_adopt(CtImport *im, int lost, uint64 r)
{
	char	   *ct_id = ct_store_get_text(r, 1);
	int			target = ct_map_get(&im->by_ctid, ct_id, strlen(ct_id));
	CtSlot	   *l;
	CtSlot	   *t;

	if (target < 0 || target == lost || !im->slots[target].exists)
	{
		target = ct_new_slot(im);
		ct_slot_read_row(im, &im->slots[target], r);
		ct_slot_map(im, target);
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
	if ((l->claimed || l->identity_deferred) && t->identity == NULL)
	{
		t->identity = l->identity;
		if (l->identity_deferred)
		{
			/* claimed from a profile it absorbs: written after the merge */
			t->identity_deferred = true;
			t->absorbs |= l->absorbs;
		}
		else
			t->set_identity = true;
	}
	t->dirty = true;
	l->forward = target;
}

/* ---------------------------------------------------------------------
 * Email and phone of a user
 * ---------------------------------------------------------------------
 */

static const int ct_phone_order[CT_NPHONES] = {
	CT_UID_MOBILE_NUMBER, CT_UID_PHONE_NUMBER_2, CT_UID_PHONE_NUMBER_3
};

/* See importstate.h. */
void
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

/* ---------------------------------------------------------------------
 * Attribute operations
 * ---------------------------------------------------------------------
 */

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
 * See importstate.h.  Attributes follow the rule of memberships, emails and
 * phones: the newest message wins, key by key.  On an equal time a
 * deletion wins, else the smaller value (ct_attribute_patch sends such a
 * set as a tie, which CT_Q_UPDATE_PROFILES applies only over a smaller
 * stored value): the result does not depend on the order messages arrive
 * in.
 */
int
ct_attr_op_cmp(CtImport *im, const CtSlot *s, int k)
{
	JsonbValue *v;

	if (s->st_attr_ts == NULL || !s->exists || s->created)
		return -1;
	v = getKeyJsonValueFromContainer(&s->st_attr_ts->root, s->ops[k]->key.s,
									 s->ops[k]->key.len, NULL);
	if (v == NULL || v->type != jbvNumeric)
		return -1;
	if (im->msg_ms_numeric == NULL)
		im->msg_ms_numeric = int64_to_numeric(im->msg.timestamp_ms);
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v->val.numeric),
											 NumericGetDatum(im->msg_ms_numeric)));
}

/* ---------------------------------------------------------------------
 * Lost insert races
 * ---------------------------------------------------------------------
 */

/*
 * Run fn(arg) in a subtransaction.  True when it returned true.  False when
 * it returned false (having written nothing, by its contract) or raised a
 * unique violation, which a concurrent import inserting the same key first
 * raises: then nothing of it remains.  Other errors propagate.
 */
bool
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

/* See importstate.h. */
void
ct_claim_taken(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to a concurrent import of a claimed Customer ID"),
			 errdetail("Another import gave the Customer ID to another profile after this one looked it up."),
			 errhint("Retry the message.")));
}
