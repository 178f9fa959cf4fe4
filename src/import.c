/*
 * import.c
 *	  One audience_membership_change_request, imported: the only file that
 *	  knows the order of the import's steps.
 *
 *	  parse (firehose.c or stream.c) -> authenticate, redelivery check
 *	  (message.c) -> segments (segments.c) -> resolve identities
 *	  (resolve.c) -> look up profiles (lookup.c) -> merge users into them
 *	  (merge.c) -> create, lock and update profiles (write.c) ->
 *	  memberships, and with them Partner Sync (members.c) -> log and
 *	  respond (message.c)
 *
 * Everything is set-wise: each step handles the whole message at once
 * (arrays fed to one statement, or rows written below SQL, in batches), so
 * the cost per user is the cost of the rows written.
 * The message is parsed and validated completely before the first write;
 * any error aborts the whole message, so a failed message writes nothing.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "absorb.h"
#include "firehose.h"
#include "import.h"
#include "importstate.h"
#include "lookup.h"
#include "members.h"
#include "merge.h"
#include "normalize.h"
#include "resolve.h"
#include "response.h"
#include "segments.h"
#include "stream.h"
#include "timing.h"
#include "triggers.h"
#include "write.h"

/* Write the samples of the import log. */
static void
ct_log_samples(CtImport *im)
{
	CtBatch		q;

	if (im->nsamples == 0)
		return;
	ct_batch_init(&q, CT_Q_LOG_SAMPLES, im->nsamples);
	q.values[0] = CStringGetTextDatum(im->project.project_id);
	q.values[1] = UUIDPGetDatum(&im->msg.id);
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
			ct_arr_add(CT_COL(&q, 6), Int64GetDatum(e->audience_id), false);
		}
		else
		{
			where = psprintf("user_profiles[%d]", smp->profile);
			ct_arr_add(CT_COL(&q, 6), (Datum) 0, true);
		}
		ct_arr_add(CT_COL(&q, 3), Int32GetDatum(i + 1), false);
		ct_arr_add(CT_COL(&q, 4), CStringGetTextDatum(smp->reason), false);
		ct_arr_add(CT_COL(&q, 5), Int32GetDatum(smp->profile), false);
		ct_arr_add(CT_COL(&q, 7), mpid_ok ? PointerGetDatum(cstring_to_text_with_len(p->mpid.s, p->mpid.len)) : (Datum) 0,
				   !mpid_ok);
		ct_arr_add(CT_COL(&q, 8), CStringGetTextDatum(where), false);
	}
	ct_batch_exec(&q, false);
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
	ct_jb_int(b, "merged_profiles", c->merged_profiles);
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
	CT_TIMED(CT_STEP_MERGE, ct_assign_slots(im));
	CT_TIMED(CT_STEP_MERGE, ct_merge_all(im));
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
	CT_TIMED(CT_STEP_UPDATE, ct_lock_existing(im));
	CT_TIMED(CT_STEP_UPDATE, ct_update_profiles(im));
	CT_TIMED(CT_STEP_UPDATE, ct_count_stale_attributes(im));
	CT_TIMED(CT_STEP_UPDATE, ct_absorb_profiles(im));
	CT_TIMED(CT_STEP_MEMBERS, ct_apply_memberships(im));
	CT_TIMED(CT_STEP_MEMBERS, ct_maybe_compact(im));
}

/* ct_message_run's answer: import the message, or answer a ping. */
static Jsonb *
ct_import_answer(void *arg, Jsonb **counts)
{
	CtImport   *im = arg;

	if (im->msg.has_profiles)
	{
		ct_import_prepare(im);
		ct_with_triggers(ct_import_write, im);
	}
	*counts = ct_counts_jsonb(&im->counts);
	return ct_membership_response(&im->env, &im->counts);
}

/* ct_message_run's logged: the samples, which refer to the logged message. */
static void
ct_import_logged(void *arg)
{
	ct_log_samples((CtImport *) arg);
}

/*
 * Authenticate and import a parsed message (im, in the work context, which
 * is current); returns the response in outer and deletes work.
 */
static Jsonb *
ct_import_run(CtImport *im, CtMessageMode *mode, MemoryContext outer, MemoryContext work)
{
	CtMessage	m = {
		.type = "audience_membership_change_request",
		.env = &im->env,
		.cred = &im->msg.cred,
		.project = &im->project,
		.mode = mode,
		.started = im->started,
		.answer = ct_import_answer,
		.logged = ct_import_logged,
		.arg = im,
	};
	Jsonb	   *response = ct_message_run(&m, outer, work);

	if (m.answered)
		ct_timing_report(im->msg.nprofiles);
	return response;
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
ct_import_membership(Jsonb *request, CtMessageMode *mode)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work;
	CtImport   *im = ct_import_begin(outer, &work);

	CT_TIMED(CT_STEP_PARSE, ct_import_parse(im, request));
	return ct_import_run(im, mode, outer, work);
}

/* Import a membership message given as JSON text, if it reads as one; see import.h. */
Jsonb *
ct_import_membership_text(text *body, CtMessageMode *mode)
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
	return ct_import_run(im, mode, outer, work);
}
