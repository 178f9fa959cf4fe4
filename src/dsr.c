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

#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"

#include "citus.h"
#include "dsr.h"
#include "exportguard.h"
#include "firehose.h"
#include "kind.h"
#include "message.h"
#include "response.h"
#include "store.h"
#include "triggers.h"
#include "types.h"

/* The erasure: the subject's identities (a batch of CT_Q_ERASE_FIND), and how many profiles it erased. */
typedef struct CtErasure
{
	CtBatch		find;
	CtBatch		inbox;			/* of CT_Q_ERASE_INBOX: every identifier
								 * erased */
	int32		erased;
} CtErasure;

/*
 * The member of an erasure's response that carries, from the Citus worker
 * that answered it to the coordinator, every identifier erased (emails,
 * Identities, mpids, CleverTap IDs: CT_Q_ERASE_INBOX's $2 to $5): the
 * coordinator takes them out of its queue (ct_dsr_forwarded) and the
 * member out of the response.  Never recorded with the response.
 */
#define CT_ERASED_MEMBER "ctaudience_erased_identifiers"
static const char *const ct_erased_keys[] = {"email", "identity", "mpid", "ct_id"};

/* The identifiers of the erasure just answered here for another node, or NULL. */
static Jsonb *ct_erased_ids = NULL;
static MemoryContext ct_erased_cxt = NULL;

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
	CtBatch    *find = &er->find;
	CtBatch		members,		/* of CT_Q_ERASE_MEMBERS */
				rest;			/* of CT_Q_ERASE */
	CtBatch    *inbox = &er->inbox;
	uint64		n = ct_batch_exec(find, false);
	int			cap = (int) n;
	bool		isnull;

	for (int k = 2; k <= 5; k++)
		cap = Max(cap, CT_COL(find, k)->n + (int) n);
	ct_batch_init(&members, CT_Q_ERASE_MEMBERS, (int) n);
	ct_batch_init(&rest, CT_Q_ERASE, cap);
	ct_batch_init(inbox, CT_Q_ERASE_INBOX, cap);
	members.values[0] = rest.values[0] = inbox->values[0] = find->values[0];
	for (int k = 2; k <= 5; k++)
	{
		for (int i = 0; i < CT_COL(find, k)->n; i++)
			ct_arr_add(CT_COL(inbox, k), CT_COL(find, k)->values[i], false);
	}
	for (int i = 0; i < CT_COL(find, 4)->n; i++)
		ct_arr_add(CT_COL(&rest, 3), CT_COL(find, 4)->values[i], false);

	/* each profile found: its ct_id, identity, email and mpid */
	for (uint64 r = 0; r < n; r++)
	{
		Datum		d = datumCopy(ct_store_get(r, 1, &isnull), false, -1);

		ct_arr_add(CT_COL(&members, 2), d, false);
		ct_arr_add(CT_COL(&rest, 2), d, false);
		ct_arr_add(CT_COL(inbox, 5), d, false);
		d = ct_store_get(r, 2, &isnull);
		if (!isnull)
			ct_arr_add(CT_COL(inbox, 3), datumCopy(d, false, -1), false);
		d = ct_store_get(r, 3, &isnull);
		if (!isnull)
			ct_arr_add(CT_COL(inbox, 2), datumCopy(d, false, -1), false);
		d = ct_store_get(r, 4, &isnull);
		if (!isnull)
		{
			d = datumCopy(d, false, -1);
			ct_arr_add(CT_COL(inbox, 4), d, false);
			ct_arr_add(CT_COL(&rest, 3), d, false);
		}
	}
	SPI_freetuptable(SPI_tuptable);

	/* the profiles first: events and deliveries being recorded commit */
	ct_batch_exec_as(&members, CT_Q_LOCK_SUBJECT, false);
	SPI_freetuptable(SPI_tuptable);
	ct_batch_exec_as(&members, CT_Q_ERASE_MEMBERS, false);
	/* the clock (CT_Q_LOCK_JOURNEY_STATES), then the rest */
	ct_batch_exec_as(&members, CT_Q_LOCK_JOURNEY_STATES, false);
	SPI_freetuptable(SPI_tuptable);
	/* a claim building a request now: its request is then erased too */
	ct_export_serialize(TextDatumGetCString(find->values[0]));
	ct_batch_exec(&rest, false);
	er->erased = DatumGetInt32(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	ct_batch_exec(inbox, false);
}

/*
 * The kinds of subject identity, in the order of the parameters $2 to $5
 * of CT_Q_ERASE_FIND.
 */
typedef enum CtSubjectKind
{
	CT_SUBJECT_EMAIL,
	CT_SUBJECT_IDENTITY,
	CT_SUBJECT_MPID,
	CT_SUBJECT_CTID,
	CT_NUM_SUBJECT_KINDS
} CtSubjectKind;

/* A parsed dsr_processing_request. */
typedef struct CtDsr
{
	CtMessageHead h;
	CtStr		request_id;
	CtStr		regulation;
	List	   *subjects[CT_NUM_SUBJECT_KINDS]; /* text datums (an email
												 * normalized) */
} CtDsr;

/* Parse and validate the whole message before anything is written. */
static void
ct_parse_dsr(JsonbContainer *root, void *state)
{
	CtDsr	   *dsr = state;

	CT_PATH_ROOT(path);
	CT_PATH_KEY(ipath, &path, "subject_identities");
	JsonbContainer *subjects;
	CtStr		request_type;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbIteratorToken tok;

	ct_parse_envelope(root, &dsr->h.env);
	ct_parse_credentials(root, &dsr->h.cred);
	ct_json_get_string(root, "subject_request_type", &path, true, &request_type);
	if (!ct_str_eq(request_type, "erasure"))
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &path, "subject_request_type",
					  "unsupported subject_request_type \"%.*s\"; only \"erasure\" is supported",
					  Min(request_type.len, 64), request_type.s);
	ct_json_get_string(root, "subject_request_id", &path, false, &dsr->request_id);
	ct_json_get_string(root, "regulation", &path, false, &dsr->regulation);
	subjects = ct_json_get_object(root, "subject_identities", &path, true);

	/*
	 * read every subject identity: {"email": {"encoding": "raw", "value":
	 * ...}, ...}
	 */
	it = JsonbIteratorInit(subjects);
	tok = JsonbIteratorNext(&it, &k, true); /* WJB_BEGIN_OBJECT */
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
				dsr->subjects[CT_SUBJECT_EMAIL] = lappend(dsr->subjects[CT_SUBJECT_EMAIL], e);
		}
		else if (ct_str_eq_ci(type, "controller_customer_id") || ct_str_eq_ci(type, "customer_id") ||
				 ct_str_eq_ci(type, "customer"))
			dsr->subjects[CT_SUBJECT_IDENTITY] = lappend(dsr->subjects[CT_SUBJECT_IDENTITY],
														 cstring_to_text_with_len(value.s, value.len));
		else if (ct_str_eq_ci(type, "mpid") || ct_str_eq_ci(type, "mparticle_id"))
			dsr->subjects[CT_SUBJECT_MPID] = lappend(dsr->subjects[CT_SUBJECT_MPID],
													 cstring_to_text_with_len(value.s, value.len));
		else if (ct_str_eq_ci(type, "clevertap_user_id") || ct_str_eq_ci(type, "ct_id"))
			dsr->subjects[CT_SUBJECT_CTID] = lappend(dsr->subjects[CT_SUBJECT_CTID],
													 cstring_to_text_with_len(value.s, value.len));
		/* device identities: nothing stored to erase */
	}
}

/*
 * Keep the identifiers erased (inbox's $2 to $5) for the response, in
 * ct_erased_cxt: the coordinator that sent the erasure here needs them.
 */
static void
ct_stash_erased(CtBatch *inbox)
{
	CtJsonBuilder b;
	Jsonb	   *ids;

	ct_jb_begin(&b);
	for (int k = 2; k <= 5; k++)
	{
		CtArr	   *a = CT_COL(inbox, k);

		ct_jb_begin_array(&b, ct_erased_keys[k - 2]);
		for (int i = 0; i < a->n; i++)
			ct_jb_string(&b, NULL, VARDATA_ANY(DatumGetPointer(a->values[i])),
						 VARSIZE_ANY_EXHDR(DatumGetPointer(a->values[i])));
		ct_jb_end_array(&b);
	}
	ids = ct_jb_finish(&b);
	ct_erased_ids = MemoryContextAlloc(ct_erased_cxt, VARSIZE(ids));
	memcpy(ct_erased_ids, ids, VARSIZE(ids));
}

/* ct_message_run's answer: erase the subject and record the request. */
static Jsonb *
ct_answer_dsr(void *arg, Jsonb **counts)
{
	CtDsr	   *dsr = arg;
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	CtErasure	er;
	int			cap = 0;
	CtJsonBuilder b;
	CtJsonBuilder cb;

	for (int k = 0; k < CT_NUM_SUBJECT_KINDS; k++)
		cap = Max(cap, list_length(dsr->subjects[k]));
	ct_batch_init(&er.find, CT_Q_ERASE_FIND, cap);
	for (int k = 0; k < CT_NUM_SUBJECT_KINDS; k++)
	{
		ListCell   *lc;

		foreach(lc, dsr->subjects[k])
			ct_arr_add(CT_COL(&er.find, k + 2), PointerGetDatum(lfirst(lc)), false);
	}
	values[0] = er.find.values[0] = CStringGetTextDatum(dsr->h.project.project_id);
	ct_with_triggers(ct_erase, &er);
	if (ct_erased_cxt != NULL)
		ct_stash_erased(&er.inbox);

	values[1] = UUIDPGetDatum(&dsr->h.env.id);
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
	ct_jb_response_envelope(&b, ct_kinds[CT_KIND_ERASURE].response, &dsr->h.env);
	ct_jb_begin_object(&b, "ctaudience");
	ct_jb_int(&b, "profiles_erased", er.erased);
	ct_jb_end_object(&b);

	ct_jb_begin(&cb);
	ct_jb_int(&cb, "profiles_erased", er.erased);
	*counts = ct_jb_finish(&cb);
	return ct_jb_finish(&b);
}

static const CtMessageKind ct_dsr_kind = {
	CT_KIND_ERASURE, sizeof(CtDsr), ct_parse_dsr, ct_answer_dsr
};

/* See dsr.h. */
Jsonb *
ct_dsr_handle(Jsonb *request, CtMessageMode *mode)
{
	Jsonb	   *response;

	ct_erased_ids = NULL;
	/* answered on a Citus worker for the coordinator's inbox or route */
	ct_erased_cxt = mode != NULL && mode->for_coordinator && ct_citus_distributed() ?
		CurrentMemoryContext : NULL;
	response = ct_message_handle(request, mode, &ct_dsr_kind);
	if (ct_erased_ids != NULL)
	{
		CtJsonBuilder b;

		/* after ct_message_run recorded the response without them */
		ct_jb_begin(&b);
		ct_jb_jsonb(&b, CT_ERASED_MEMBER, ct_erased_ids);
		response = DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(response),
													  JsonbPGetDatum(ct_jb_finish(&b))));
	}
	ct_erased_ids = NULL;
	ct_erased_cxt = NULL;
	return response;
}

/* Whether the string member key of object root is value. */
static bool
ct_member_is(JsonbContainer *root, const char *key, const char *value)
{
	JsonbValue	v;
	JsonbValue *found;

	if (!JsonContainerIsObject(root))
		return false;
	found = getKeyJsonValueFromContainer(root, key, strlen(key), &v);
	return found != NULL && found->type == jbvString && found->val.string.len == strlen(value) &&
		memcmp(found->val.string.val, value, found->val.string.len) == 0;
}

/* See dsr.h. */
bool
ct_is_dsr_response(Jsonb *response)
{
	return ct_member_is(&response->root, "type", "dsr_processing_response");
}

/*
 * Take out of this node's queued messages of the erasure's project the
 * user profiles that name its subject identities, or any identifier in
 * ids (CT_ERASED_MEMBER, may be NULL).
 */
static void
ct_dsr_erase_queued(Jsonb *request, Jsonb *ids)
{
	CtDsr		dsr;
	CtBatch		inbox;
	JsonbContainer *arrays[4] = {NULL, NULL, NULL, NULL};
	int			cap = 1;
	int			more = 0;

	memset(&dsr, 0, sizeof(dsr));
	ct_parse_dsr(&request->root, &dsr);
	for (int k = 0; k < CT_NUM_SUBJECT_KINDS; k++)
		cap = Max(cap, list_length(dsr.subjects[k]));
	if (ids != NULL && JsonContainerIsObject(&ids->root))
	{
		CT_PATH_ROOT(path);
		for (int k = 0; k < 4; k++)
		{
			arrays[k] = ct_json_get_array(&ids->root, ct_erased_keys[k], &path, false);
			if (arrays[k] != NULL)
				more = Max(more, (int) JsonContainerSize(arrays[k]));
		}
	}
	ct_store_connect();
	ct_batch_init(&inbox, CT_Q_ERASE_INBOX, cap + more);
	inbox.values[0] = PointerGetDatum(cstring_to_text_with_len(dsr.h.cred.account_id.s,
															   dsr.h.cred.account_id.len));
	for (int k = 0; k < CT_NUM_SUBJECT_KINDS; k++)
	{
		ListCell   *lc;

		foreach(lc, dsr.subjects[k])
			ct_arr_add(CT_COL(&inbox, k + 2), PointerGetDatum(lfirst(lc)), false);
	}
	for (int k = 0; k < 4; k++)
	{
		for (int i = 0; arrays[k] != NULL && i < (int) JsonContainerSize(arrays[k]); i++)
		{
			JsonbValue *v = getIthJsonbValueFromContainer(arrays[k], i);

			if (v != NULL && v->type == jbvString)
				ct_arr_add(CT_COL(&inbox, k + 2),
						   PointerGetDatum(cstring_to_text_with_len(v->val.string.val, v->val.string.len)),
						   false);
		}
	}
	ct_batch_exec(&inbox, false);
	ct_store_finish();
}

/* See dsr.h. */
Jsonb *
ct_dsr_forwarded(Jsonb *request, Jsonb *response)
{
	JsonbValue	v;
	Jsonb	   *ids = NULL;

	if (!ct_member_is(&request->root, "type", "dsr_processing_request") || !ct_is_dsr_response(response))
		return response;
	if (JsonContainerIsObject(&response->root) &&
		getKeyJsonValueFromContainer(&response->root, CT_ERASED_MEMBER, strlen(CT_ERASED_MEMBER), &v) != NULL)
	{
		if (v.type == jbvBinary)
			ids = JsonbValueToJsonb(&v);
		response = DatumGetJsonbP(DirectFunctionCall2(jsonb_delete, JsonbPGetDatum(response),
													  CStringGetTextDatum(CT_ERASED_MEMBER)));
	}
	ct_dsr_erase_queued(request, ids);
	return response;
}
