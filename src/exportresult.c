/*
 * exportresult.c
 *	  ct_export_result(): mParticle's answer to a request of the export,
 *	  recorded.  A 2xx moves the export on: the events the request covers
 *	  leave the outbox in the transaction that records it (exactly once);
 *	  400 and any other 4xx but those below keep the request as a dead
 *	  letter with mParticle's error and move on; 401, 403 (credentials),
 *	  404 and 405 (endpoint) pause the project's export with nothing
 *	  skipped; anything else (408, 429, 5xx, no answer) leaves the request
 *	  to be sent again, the same.
 *
 * Called once per request by ctaudience-exporter, so in C with kept
 * plans (store.c) rather than in PL/pgSQL, which planned its statements
 * again and again.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "citus.h"
#include "scope.h"
#include "store.h"

PG_FUNCTION_INFO_V1(ct_export_result);

/* The longest error kept, in characters. */
#define CT_RESULT_ERROR_CHARS 1024

/* The order of (ct_id, event_id) keys in the outbox's index (the C collation). */
static int
ct_key_cmp(text *a, int64 a_id, text *b, int64 b_id)
{
	int			alen = VARSIZE_ANY_EXHDR(a);
	int			blen = VARSIZE_ANY_EXHDR(b);
	int			c = memcmp(VARDATA_ANY(a), VARDATA_ANY(b), Min(alen, blen));

	if (c == 0)
		c = alen - blen;
	if (c == 0)
		c = a_id < b_id ? -1 : a_id > b_id ? 1 : 0;
	return c;
}

/*
 * Delete a project's outbox rows (ct_ids[i], event_ids[i]): those a request
 * covered, now answered.
 */
static void
ct_outbox_done(Datum project, Datum ct_ids, Datum event_ids)
{
	ArrayType  *ids = DatumGetArrayTypeP(ct_ids);
	ArrayType  *events = DatumGetArrayTypeP(event_ids);
	Datum	   *id;
	Datum	   *ev;
	int			n;
	int			m;
	int			lo = 0;
	int			hi = 0;
	Datum		args[7];

	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &id, NULL, &n);
	deconstruct_array(events, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &ev, NULL, &m);
	if (n != m)
		elog(ERROR, "an export request covers %d CleverTap IDs and %d events", n, m);
	if (n == 0)
		return;
	for (int i = 1; i < n; i++)
	{
		text	   *t = DatumGetTextPP(id[i]);
		int64		e = DatumGetInt64(ev[i]);

		if (ct_key_cmp(t, e, DatumGetTextPP(id[lo]), DatumGetInt64(ev[lo])) < 0)
			lo = i;
		if (ct_key_cmp(t, e, DatumGetTextPP(id[hi]), DatumGetInt64(ev[hi])) > 0)
			hi = i;
	}
	args[0] = project;
	args[1] = PointerGetDatum(ids);
	args[2] = PointerGetDatum(events);
	args[3] = id[lo];
	args[4] = ev[lo];
	args[5] = id[hi];
	args[6] = ev[hi];
	(void) ct_store_exec(CT_Q_RESULT_DONE, args, NULL, false);
}

/*
 * SQL: ct_export_result(project_id text, request_id bigint, http_status
 * integer, error text, retry_after_seconds integer) returns text: the
 * outcome (accepted, dead, paused or retry), or the state of a request
 * answered already, or gone (erased with a subject meanwhile).
 */
Datum
ct_export_result(PG_FUNCTION_ARGS)
{
	char	   *project_id;
	int64		request_id;
	int32		status;
	text	   *error = NULL;
	TimestampTz at = GetCurrentTransactionStartTimestamp();
	Datum		args[6];
	char		nulls[6];
	Datum		sent[6];		/* the export's figures after a request */
	Datum		ct_ids;
	Datum		event_ids;
	bool		no_keys;
	bool		isnull;
	char	   *state;
	const char *outcome;
	char	   *problem;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null",
						PG_ARGISNULL(0) ? "project_id" : PG_ARGISNULL(1) ? "request_id" : "http_status")));
	project_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	request_id = PG_GETARG_INT64(1);
	status = PG_GETARG_INT32(2);
	ct_scope_check(project_id, CT_CAP_EXPORT, NULL);
	if (!PG_ARGISNULL(3))
	{
		text	   *t = PG_GETARG_TEXT_PP(3);
		int			len = VARSIZE_ANY_EXHDR(t);

		error = cstring_to_text_with_len(VARDATA_ANY(t),
										 pg_mbcharcliplen(VARDATA_ANY(t), len, CT_RESULT_ERROR_CHARS));
	}

	/*
	 * The answer is recorded without waiting for its WAL to reach the disk
	 * (synchronous_commit off for the rest of this transaction): one flush a
	 * request fewer.  An answer lost in a crash is as a report lost on the
	 * way: the request is still pending, and is sent again with the same body
	 * and source_request_id, which mParticle de-duplicates (a 400 or 401/403
	 * answers the same again).  What comes after it waits for it: the next
	 * claim commits synchronously, which flushes this commit's record first.
	 */
	(void) set_config_option("synchronous_commit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
							 true, 0, false);

	ct_store_connect();
	ct_citus_enter(project_id);
	args[0] = CStringGetTextDatum(project_id);
	(void) ct_store_exec(CT_Q_RESULT_LOCK, args, NULL, false);
	args[1] = Int64GetDatum(request_id);
	if (ct_store_exec(CT_Q_RESULT_REQUEST, args, NULL, false) == 0)
	{
		/* erased with a subject meanwhile */
		ct_store_finish();
		PG_RETURN_TEXT_P(cstring_to_text("gone"));
	}
	state = ct_store_get_text(0, 1);
	if (strcmp(state, "pending") != 0)
	{
		/* answered already */
		ct_store_finish();
		PG_RETURN_TEXT_P(cstring_to_text(state));
	}
	sent[0] = args[0];
	for (int i = 1; i <= 4; i++)	/* batches, events, profiles, cut */
		sent[i] = ct_store_get(0, i + 1, &isnull);
	sent[5] = TimestampTzGetDatum(at);
	ct_ids = ct_store_get(0, 6, &no_keys);
	event_ids = ct_store_get(0, 7, &isnull);
	no_keys |= isnull;

	/*
	 * A 4xx is the request's fault (a dead letter: sent again it would be
	 * refused again) but where the export's settings are: 401 and 403 (the
	 * credentials), 404 and 405 (the endpoint: every request would be
	 * refused), which pause it; 408 and 429 are retried.  A 3xx (a redirect,
	 * which the exporter does not follow: the endpoint has moved) pauses it
	 * too: sent again, it would be answered the same, for ever.
	 */
	if (status >= 200 && status <= 299)
		outcome = "accepted";
	else if ((status >= 300 && status <= 399) ||
			 status == 401 || status == 403 || status == 404 || status == 405)
		outcome = "paused";
	else if (status >= 400 && status <= 499 && status != 408 && status != 429)
		outcome = "dead";
	else
		outcome = "retry";

	if (strcmp(outcome, "accepted") == 0 || strcmp(outcome, "dead") == 0)
	{
		/* the events it covers leave the outbox */
		if (!no_keys)
			ct_outbox_done(args[0], ct_ids, event_ids);
	}
	memset(nulls, ' ', sizeof(nulls));
	args[2] = Int32GetDatum(status);
	args[3] = TimestampTzGetDatum(at);
	if (strcmp(outcome, "accepted") == 0)
	{
		(void) ct_store_exec(CT_Q_RESULT_ACCEPTED, args, NULL, false);
		(void) ct_store_exec(CT_Q_RESULT_SENT, sent, NULL, false);
		ct_store_finish();
		PG_RETURN_TEXT_P(cstring_to_text(outcome));
	}

	problem = psprintf("%d%s%s", status, error != NULL ? ": " : "",
					   error != NULL ? text_to_cstring(error) : "");
	if (strcmp(outcome, "dead") == 0)
	{
		/* a dead letter keeps its body and whose it is (for an erasure) */
		args[4] = error != NULL ? PointerGetDatum(error) : (Datum) 0;
		nulls[4] = error != NULL ? ' ' : 'n';
		(void) ct_store_exec(CT_Q_RESULT_DEAD, args, nulls, false);
	}
	else
	{
		int32		retry_after = PG_ARGISNULL(4) ? 0 : PG_GETARG_INT32(4);

		args[3] = error != NULL ? PointerGetDatum(error) : (Datum) 0;
		nulls[3] = error != NULL ? ' ' : 'n';
		args[4] = BoolGetDatum(strcmp(outcome, "paused") == 0);
		args[5] = TimestampTzGetDatum(at + (int64) retry_after * USECS_PER_SEC);
		(void) ct_store_exec(CT_Q_RESULT_RETRY, args, nulls, false);
	}
	args[1] = PointerGetDatum(cstring_to_text(problem));
	if (strcmp(outcome, "paused") == 0)
	{
		Datum		pause[4];

		pause[0] = args[0];
		pause[1] = CStringGetTextDatum(status == 401 || status == 403 ?
									   psprintf("mParticle refused the feed's credentials (%d): check the key and the secret, then ctaudience.ct_resume_export()",
												status) :
									   status <= 399 ?
									   psprintf("the export's endpoint answered a redirect (%d): it has moved; check the endpoint or data center (ctaudience.ct_configure_export), then ctaudience.ct_resume_export()",
												status) :
									   psprintf("mParticle has no such API at the export's endpoint (%d): check the endpoint or data center (ctaudience.ct_configure_export), then ctaudience.ct_resume_export()",
												status));
		pause[2] = args[1];
		pause[3] = TimestampTzGetDatum(at);
		(void) ct_store_exec(CT_Q_RESULT_PAUSE, pause, NULL, false);
		ereport(WARNING,
				(errmsg("ctaudience: the export of project \"%s\" is paused: mParticle answered %d",
						project_id, status),
				 errhint(status == 401 || status == 403 ?
						 "Check the feed's key and secret, then call ctaudience.ct_resume_export()." :
						 "Check the export's endpoint or data center, then call ctaudience.ct_resume_export().")));
	}
	else
	{
		args[2] = TimestampTzGetDatum(at);
		(void) ct_store_exec(CT_Q_RESULT_ERROR, args, NULL, false);
	}
	ct_store_finish();
	PG_RETURN_TEXT_P(cstring_to_text(outcome));
}
