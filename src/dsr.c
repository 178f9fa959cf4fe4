/*
 * dsr.c
 *	  dsr_processing_request: data subject erasure.
 *
 * The profiles named by the subject identities (email, Customer ID,
 * mParticle ID, CleverTap ID) are deleted with their memberships, their
 * events and the import log samples that carry their mParticle ID, and the
 * queued messages lose the user profiles that name them.  The request is
 * recorded (id, time, how many profiles were erased) without the
 * identities it named.  Device identities are accepted and ignored:
 * ctaudience stores none.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "dsr.h"
#include "firehose.h"
#include "message.h"
#include "store.h"
#include "triggers.h"
#include "types.h"

/* The subject's identities, and what the erasure erased. */
typedef struct CtErasure
{
	Datum		project_id;
	CtArr	   *emails;
	CtArr	   *identities;
	CtArr	   *mpids;
	CtArr	   *ctids;
	int32		erased;
} CtErasure;

/* A copy of a with room for extra more elements. */
static CtArr
ct_arr_with_room(CtArr *a, int extra)
{
	CtArr		r;

	ct_arr_init(&r, a->n + extra, a->elemtype);
	for (int i = 0; i < a->n; i++)
		ct_arr_add(&r, a->values[i], a->nulls[i]);
	return r;
}

/*
 * Erase the subject (run by ct_with_triggers): find the profiles its
 * identities name, delete their memberships, events, import log samples
 * and the profiles, then take out of every queued message of the project
 * the user profiles that name the subject or any identity of the profiles
 * erased.
 */
static void
ct_erase(void *arg)
{
	CtErasure  *er = arg;
	Datum		values[5];
	uint64		n;
	CtArr		victims,
				emails,
				identities,
				mpids,
				ctids;
	bool		isnull;

	values[0] = er->project_id;
	values[1] = ct_arr_datum(er->emails);
	values[2] = ct_arr_datum(er->identities);
	values[3] = ct_arr_datum(er->mpids);
	values[4] = ct_arr_datum(er->ctids);
	n = ct_store_exec(CT_Q_ERASE_FIND, values, NULL, false);
	ct_arr_init(&victims, (int) n, TEXTOID);
	emails = ct_arr_with_room(er->emails, (int) n);
	identities = ct_arr_with_room(er->identities, (int) n);
	mpids = ct_arr_with_room(er->mpids, (int) n);
	ctids = ct_arr_with_room(er->ctids, (int) n);
	for (uint64 r = 0; r < n; r++)
	{
		Datum		d;

		d = datumCopy(ct_store_get(r, 1, &isnull), false, -1);
		ct_arr_add(&victims, d, false);
		ct_arr_add(&ctids, d, false);
		d = ct_store_get(r, 2, &isnull);
		if (!isnull)
			ct_arr_add(&identities, datumCopy(d, false, -1), false);
		d = ct_store_get(r, 3, &isnull);
		if (!isnull)
			ct_arr_add(&emails, datumCopy(d, false, -1), false);
		d = ct_store_get(r, 4, &isnull);
		if (!isnull)
			ct_arr_add(&mpids, datumCopy(d, false, -1), false);
	}
	SPI_freetuptable(SPI_tuptable);

	values[1] = ct_arr_datum(&victims);
	ct_store_exec(CT_Q_ERASE_MEMBERS, values, NULL, false);
	values[2] = ct_arr_datum(&mpids);
	ct_store_exec(CT_Q_ERASE, values, NULL, false);
	er->erased = DatumGetInt32(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);

	values[1] = ct_arr_datum(&emails);
	values[2] = ct_arr_datum(&identities);
	values[3] = ct_arr_datum(&mpids);
	values[4] = ct_arr_datum(&ctids);
	ct_store_exec(CT_Q_ERASE_INBOX, values, NULL, false);
}

/* A parsed dsr_processing_request. */
typedef struct CtDsr
{
	CtEnvelope	env;
	CtCredentials cred;
	CtStr		request_id;
	CtStr		regulation;
	CtArr		emails;
	CtArr		identities;
	CtArr		mpids;
	CtArr		ctids;
	CtProject	project;
} CtDsr;

/* Parse and validate the whole message before anything is written. */
static void
ct_parse_dsr(JsonbContainer *root, CtDsr *dsr)
{
	CT_PATH_ROOT(path);
	CT_PATH_KEY(ipath, &path, "subject_identities");
	JsonbContainer *subjects;
	CtStr		request_type;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbIteratorToken tok;
	int			nsubjects;

	ct_parse_envelope(root, &dsr->env);
	ct_parse_credentials(root, &dsr->cred);
	ct_json_get_string(root, "subject_request_type", &path, true, &request_type);
	if (!ct_str_eq(request_type, "erasure"))
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &path, "subject_request_type",
					  "unsupported subject_request_type \"%.*s\"; only \"erasure\" is supported",
					  Min(request_type.len, 64), request_type.s);
	ct_json_get_string(root, "subject_request_id", &path, false, &dsr->request_id);
	ct_json_get_string(root, "regulation", &path, false, &dsr->regulation);
	subjects = ct_json_get_object(root, "subject_identities", &path, true);

	/* read every subject identity: {"email": {"encoding": "raw", "value": ...}, ...} */
	nsubjects = JsonContainerSize(subjects);
	ct_arr_init(&dsr->emails, nsubjects, TEXTOID);	/* same layout as ct_email */
	ct_arr_init(&dsr->identities, nsubjects, TEXTOID);
	ct_arr_init(&dsr->mpids, nsubjects, TEXTOID);
	ct_arr_init(&dsr->ctids, nsubjects, TEXTOID);
	it = JsonbIteratorInit(subjects);
	tok = JsonbIteratorNext(&it, &k, true);		/* WJB_BEGIN_OBJECT */
	while ((tok = JsonbIteratorNext(&it, &k, true)) == WJB_KEY)
	{
		JsonbValue	v;
		CtStr		type = {k.val.string.val, k.val.string.len};
		CtStr		encoding,
					value;
		char	   *key = pnstrdup(type.s, type.len);
		CT_PATH_KEY(spath, &ipath, key);

		tok = JsonbIteratorNext(&it, &v, true);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &ipath, key,
						  "a subject identity must be an object, not %s", ct_json_type_name(&v));
		ct_json_get_string(v.val.binary.data, "encoding", &spath, true, &encoding);
		ct_json_get_string(v.val.binary.data, "value", &spath, true, &value);
		if (!ct_str_eq_ci(encoding, "raw") || value.len == 0)
			continue;			/* hashed identities match nothing stored */

		if (ct_str_eq_ci(type, "email"))
		{
			text	   *e = ct_email_make(value.s, value.len);

			if (e != NULL)
				ct_arr_add(&dsr->emails, PointerGetDatum(e), false);
		}
		else if (ct_str_eq_ci(type, "controller_customer_id") || ct_str_eq_ci(type, "customer_id") ||
				 ct_str_eq_ci(type, "customer"))
			ct_arr_add(&dsr->identities, PointerGetDatum(cstring_to_text_with_len(value.s, value.len)), false);
		else if (ct_str_eq_ci(type, "mpid") || ct_str_eq_ci(type, "mparticle_id"))
			ct_arr_add(&dsr->mpids, PointerGetDatum(cstring_to_text_with_len(value.s, value.len)), false);
		else if (ct_str_eq_ci(type, "clevertap_user_id") || ct_str_eq_ci(type, "ct_id"))
			ct_arr_add(&dsr->ctids, PointerGetDatum(cstring_to_text_with_len(value.s, value.len)), false);
		/* device identities: nothing stored to erase */
	}
}

/* ct_message_run's answer: erase the subject and record the request. */
static Jsonb *
ct_answer_dsr(void *arg, Jsonb **counts)
{
	CtDsr	   *dsr = arg;
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	CtErasure	er = {0, &dsr->emails, &dsr->identities, &dsr->mpids, &dsr->ctids, 0};
	CtJsonBuilder b;
	CtJsonBuilder cb;

	/* the email array is of ct_email, whose OID is known once SPI is connected */
	dsr->emails.elemtype = ct_email_type_oid();

	values[0] = er.project_id = CStringGetTextDatum(dsr->project.project_id);
	ct_with_triggers(ct_erase, &er);

	values[1] = UUIDPGetDatum(&dsr->env.id);
	if (dsr->request_id.s != NULL)
		values[2] = PointerGetDatum(cstring_to_text_with_len(dsr->request_id.s, Min(dsr->request_id.len, 128)));
	else
		nulls[2] = 'n';
	values[3] = CStringGetTextDatum("erasure");
	if (dsr->regulation.s != NULL)
		values[4] = PointerGetDatum(cstring_to_text_with_len(dsr->regulation.s, Min(dsr->regulation.len, 32)));
	else
		nulls[4] = 'n';
	values[5] = Int32GetDatum(er.erased);
	ct_store_exec(CT_Q_LOG_DSR, values, nulls, false);

	ct_jb_begin(&b);
	ct_jb_response_envelope(&b, "dsr_processing_response", &dsr->env);
	ct_jb_begin_object(&b, "ctaudience");
	ct_jb_int(&b, "profiles_erased", er.erased);
	ct_jb_end_object(&b);

	ct_jb_begin(&cb);
	ct_jb_int(&cb, "profiles_erased", er.erased);
	*counts = ct_jb_finish(&cb);
	return ct_jb_finish(&b);
}

/* See dsr.h. */
Jsonb *
ct_handle_dsr(Jsonb *request, CtMessageMode *mode)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work = AllocSetContextCreate(outer, "ctaudience dsr",
											   ALLOCSET_SMALL_SIZES);
	CtDsr	   *dsr;
	CtMessage	m = {.type = "dsr_processing_request", .mode = mode, .answer = ct_answer_dsr};

	m.started = GetCurrentTimestamp();
	MemoryContextSwitchTo(work);
	dsr = palloc0(sizeof(CtDsr));
	ct_parse_dsr(ct_message_root(request), dsr);
	m.env = &dsr->env;
	m.cred = &dsr->cred;
	m.project = &dsr->project;
	m.arg = dsr;
	return ct_message_run(&m, outer, work);
}
