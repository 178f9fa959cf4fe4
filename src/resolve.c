/*
 * resolve.c
 *	  The identity rules applied to every user of a membership message, and
 *	  the SQL function ct_resolve_identity that applies them to one user.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "auth.h"
#include "identity.h"
#include "importstate.h"
#include "resolve.h"
#include "scope.h"

PG_FUNCTION_INFO_V1(ct_resolve_identity);

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
void
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

		/*
		 * a user whose every audience is disconnected is refused, not
		 * imported
		 */
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
 * SQL: ct_resolve_identity(project_id, partner_id, customer_id,
 * mparticle_id, email, phone, passcode): the import's rules for one user,
 * read-only.  It tells whether a profile exists, so it needs the project's
 * passcode, unless the caller may read the project's profiles anyway: a
 * superuser, a member of ctaudience_reader, a role given it to read.
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
	/* the project's passcode, unless the caller may read the project anyway */
	ct_authenticate_passcode(project, ct_text_arg(fcinfo, 6),
							 ct_scope_allows(ct_scope_caller(), pnstrdup(project.s, project.len), CT_CAP_READ),
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
		ct_arr_for(&keys, CT_Q_PROFILES_BY_CTID, 2, 1);
		ct_arr_add(&keys, out[1], false);
		values[0] = CStringGetTextDatum(im->project.project_id);
		values[1] = ct_arr_datum(&keys);
		if (ct_store_exec(res.r.rule == CT_RULE_PARTNER_ID ?
						  CT_Q_PROFILES_BY_CTID : CT_Q_PROFILES_BY_IDENTITY,
						  values, NULL, true) > 0 ||
			(res.r.rule == CT_RULE_PARTNER_ID &&
			 ct_store_exec(CT_Q_PROFILE_ALIASES, values, NULL, true) > 0))
		{
			/*
			 * the profile, or the one a profile of that CleverTap ID was
			 * merged into
			 */
			MemoryContext old = MemoryContextSwitchTo(outer);

			out[2] = PointerGetDatum(cstring_to_text(ct_store_get_text(0, res.r.rule == CT_RULE_PARTNER_ID &&
																	   SPI_tuptable->tupdesc->natts == 2 ? 2 : 1)));
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
