/*
 * message.c
 *	  The life of one Firehose message, the same for every handler: authenticate,
 *	  lock its id, answer a redelivery from the log, else answer it and log it.
 */
#include "postgres.h"

#include "access/xact.h"
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "auth.h"
#include "citus.h"
#include "firehose.h"
#include "message.h"
#include "store.h"
#include "timing.h"

/*
 * Lock a message id for the rest of the transaction, before looking it up
 * among the processed ones: a second delivery of a message that arrives
 * while the first is still being imported waits here until that one ends,
 * then finds it processed and answers as a redelivery.  The lock
 * is an advisory lock in a space of its own (pg_locks: locktype advisory,
 * objsubid CT_LOCK_SPACE_MESSAGE), so it cannot meet the application's
 * pg_advisory_lock() keys; two ids that share a 64-bit hash only wait for
 * each other.
 *
 * Under REPEATABLE READ or SERIALIZABLE the transaction's snapshot cannot
 * see what the first delivery committed, so the message is looked up once
 * more with the latest snapshot: found, it is a serialization failure at
 * once rather than after importing it again.  From the inbox (see
 * CtMessageMode) it does not wait: a message another session is importing
 * is left for a later run.
 */
static void
ct_lock_message(const char *project_id, const pg_uuid_t *id, CtMessageMode *mode)
{
	LOCKTAG		tag;
	uint64		h;
	Datum		values[2];

	h = hash_bytes_extended((const unsigned char *) id->data, UUID_LEN,
							hash_bytes_extended((const unsigned char *) project_id,
												strlen(project_id), 0));
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (h >> 32), (uint32) h,
						 CT_LOCK_SPACE_MESSAGE);
	if (LockAcquire(&tag, ExclusiveLock, false, mode != NULL && mode->queued != NULL) ==
		LOCKACQUIRE_NOT_AVAIL)
	{
		mode->busy = true;
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

/* See message.h. */
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
static void
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
 * Finish a message handled with SPI connected (spi: the context SPI left
 * current) in the context work: copy its response into outer, disconnect,
 * delete work; returns the copy.
 */
static Jsonb *
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

/* See message.h. */
Jsonb *
ct_message_run(CtMessage *m, MemoryContext outer, MemoryContext work)
{
	MemoryContext spi;
	Jsonb	   *response;
	Jsonb	   *counts = NULL;
	instr_time	t0;

	ct_store_connect();
	spi = CurrentMemoryContext;
	if (m->mode != NULL && m->mode->project != NULL &&
		!ct_str_eq(m->cred->account_id, m->mode->project))
		ct_refuse_credentials(m->cred->account_id);
	ct_timer_start(&t0);
	ct_authenticate(m->cred, m->project, work, m->mode ? m->mode->queued : NULL);
	ct_citus_enter(m->project->project_id);
	ct_lock_message(m->project->project_id, &m->env->id, m->mode);
	response = ct_find_processed(m->project->project_id, &m->env->id);
	ct_timer_add(CT_STEP_AUTH, &t0);
	m->answered = (response == NULL);
	if (m->answered)
	{
		response = m->answer(m->arg, &counts);
		ct_timer_start(&t0);
		ct_log_processed(m->project->project_id, m->env, m->type, m->started,
						 counts, response);
		if (m->logged)
			m->logged(m->arg);
		ct_timer_add(CT_STEP_LOG, &t0);
	}
	return ct_finish_message(response, outer, spi, work);
}

/* See message.h. */
Jsonb *
ct_message_handle(Jsonb *request, CtMessageMode *mode, const CtMessageKind *kind)
{
	MemoryContext outer = CurrentMemoryContext;
	MemoryContext work = AllocSetContextCreate(outer, "ctaudience message", ALLOCSET_SMALL_SIZES);
	CtMessageHead *head;
	CtMessage	m = {.type = ct_kinds[kind->id].type,.mode = mode,.answer = kind->answer};

	m.started = GetCurrentTimestamp();
	MemoryContextSwitchTo(work);
	head = palloc0(kind->size);
	kind->parse(ct_message_root(request), head);
	m.env = &head->env;
	m.cred = &head->cred;
	m.project = &head->project;
	m.arg = head;
	return ct_message_run(&m, outer, work);
}
