/*
 * inbox.c
 *	  Scheduled imports: messages are queued with ct_enqueue() and answered
 *	  later by ct_process_inbox(), typically from a pg_cron job.
 *
 *	  A message is authenticated when it is queued (a wrong passcode is
 *	  refused at once, to the sender) and stored without its passcode:
 *	  secrets are never kept in clear.  ct_process_inbox() then answers it
 *	  as ct_firehose() would, with the passcode check already done; the
 *	  project must still exist and the account token and region still match.
 *
 *	  Several sessions may process the inbox at once: each takes the rows it
 *	  works on with FOR UPDATE SKIP LOCKED, and each message runs in its own
 *	  subtransaction.  A message that fails keeps its error; a failure the
 *	  message itself causes (a bad message: SQLSTATE class 22; credentials:
 *	  class 28; privileges or schema: class 42) is dead-lettered at once, any
 *	  other one (a deadlock, a serialization failure, a lock or statement
 *	  timeout...) is retried with a doubling delay and dead-lettered after
 *	  ctaudience.inbox_max_attempts attempts.  A message that another
 *	  session is importing at that moment (the same message id delivered
 *	  twice) is not waited for: it stays due, without an attempt counted.
 */
#include "postgres.h"

#include <limits.h>
#include <signal.h>

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "storage/proc.h"
#include "utils/resowner.h"
#include "utils/timeout.h"
#include "utils/uuid.h"

#include "args.h"
#include "auth.h"
#include "citus.h"
#include "dispatch.h"
#include "dsr.h"
#include "firehose.h"
#include "inbox.h"
#include "kind.h"
#include "message.h"
#include "response.h"
#include "route.h"
#include "rules.h"
#include "scope.h"
#include "store.h"
#include "stream.h"

PG_FUNCTION_INFO_V1(ct_enqueue);
PG_FUNCTION_INFO_V1(ct_enqueue_text);
PG_FUNCTION_INFO_V1(ct_firehose_enqueue);
PG_FUNCTION_INFO_V1(ct_inbox_depth);
PG_FUNCTION_INFO_V1(ct_process_inbox);
PG_FUNCTION_INFO_V1(ct_inbox_claim);
PG_FUNCTION_INFO_V1(ct_inbox_answer);
PG_FUNCTION_INFO_V1(ct_answer_queued);

#define CT_DEFAULT_INBOX_MAX_ATTEMPTS 5
#define CT_DEFAULT_INBOX_RETRY_DELAY 60 /* seconds, doubled on each attempt */
#define CT_DEFAULT_INBOX_MESSAGE_TIMEOUT 300000 /* ms; 0: none */
#define CT_DEFAULT_INBOX_RETENTION (7 * 86400)	/* seconds; -1: forever */

/*
 * Seconds a message another session is importing waits before it is due
 * again: long enough that ct_run_inbox, which claims the oldest due message
 * over and over, goes on to the others and stops rather than claiming it
 * again at once; short enough that the other import has usually committed.
 */
#define CT_INBOX_BUSY_DELAY 1.0

static int	ct_inbox_max_attempts = CT_DEFAULT_INBOX_MAX_ATTEMPTS;
static int	ct_inbox_retry_delay = CT_DEFAULT_INBOX_RETRY_DELAY;
static int	ct_inbox_message_timeout = CT_DEFAULT_INBOX_MESSAGE_TIMEOUT;
static int	ct_inbox_retention = CT_DEFAULT_INBOX_RETENTION;

/* Define this module's settings (_PG_init). */
void
ct_inbox_init(void)
{
	DefineCustomIntVariable("ctaudience.inbox_max_attempts",
							"Attempts ct_process_inbox() makes at a queued message before it is dead-lettered.",
							"Failures caused by the message itself (SQLSTATE classes 22, 28, 42 and 54) are "
							"dead-lettered at the first attempt.",
							&ct_inbox_max_attempts,
							CT_DEFAULT_INBOX_MAX_ATTEMPTS, 1, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_retry_delay",
							"Delay before ct_process_inbox() retries a failed message; doubled on each attempt.",
							"At most a day.",
							&ct_inbox_retry_delay,
							CT_DEFAULT_INBOX_RETRY_DELAY, 0, 86400,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_message_timeout",
							"How long the inbox lets one message take before it fails it (57014) and goes on.",
							"Within the calling statement's statement_timeout, if any.  0: no limit of its own.",
							&ct_inbox_message_timeout,
							CT_DEFAULT_INBOX_MESSAGE_TIMEOUT, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_retention",
							"How long an answered inbox message (its body and response) is kept.",
							"Each run of the inbox removes older ones.  -1 keeps them.",
							&ct_inbox_retention,
							CT_DEFAULT_INBOX_RETENTION, -1, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
}

/*
 * The inbox_id of the row that holds a message id of a project (values:
 * the project and the id as CT_Q_INBOX_FIND takes them), or 0.  With a
 * fresh snapshot: what has committed by now, under READ COMMITTED.
 */
static int64
ct_inbox_find(Datum *values)
{
	bool		isnull;
	int64		id = 0;

	if (ct_store_exec(CT_Q_INBOX_FIND, values, NULL, false) > 0)
		id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return id;
}

/* A message id as the inbox keeps it: as a UUID prints, however it was written. */
static Datum
ct_inbox_message_id(const pg_uuid_t *id)
{
	return CStringGetTextDatum(DatumGetCString(DirectFunctionCall1(uuid_out, UUIDPGetDatum(id))));
}

/* A project and message id the inbox was found not to hold (set: it was looked for). */
typedef struct CtInboxMiss
{
	bool		set;
	CtStr		project_id;
	pg_uuid_t	id;
} CtInboxMiss;

/*
 * A redelivery of a text body, answered before the body is parsed.  The
 * project and id peeked at in its first bytes (ct_stream_peek_id) find
 * the inbox's row; then the envelope and account settings are read from
 * the whole text (ct_stream_parse_head: the rest only checked to be JSON)
 * and, when the kind has the flags and the row is theirs, the credentials
 * are checked as for any message and *id is that row's.  False otherwise,
 * at the cost of the peek and a lookup for a new message (*miss says
 * which, so that it is not looked up twice): the caller queues the message
 * the whole way, which checks everything (and finds a row all the same).
 */
static bool
ct_enqueue_redelivery(text *body, int flags, CtEnvelope *env, int64 *id, CtInboxMiss *miss)
{
	char	   *json = VARDATA_ANY(body);
	int			len = VARSIZE_ANY_EXHDR(body);
	MemoryContext outer = CurrentMemoryContext;
	CtStr		account_id;
	CtStr		id_text;
	pg_uuid_t	uuid;
	CtCredentials cred;
	CtProject	project;
	const CtKind *kind;
	Datum		values[2];

	if (!ct_stream_peek_id(json, len, &account_id, &id_text) ||
		!ct_rule_uuid(id_text, &uuid, NULL, NULL))
		return false;
	ct_store_connect();
	values[0] = PointerGetDatum(cstring_to_text_with_len(account_id.s, account_id.len));
	values[1] = ct_inbox_message_id(&uuid);
	*id = ct_inbox_find(values);
	if (*id == 0)
	{
		miss->set = true;
		miss->project_id = account_id;
		miss->id = uuid;
	}
	else
	{
		/* the envelope lives on after SPI */
		MemoryContext spi = MemoryContextSwitchTo(outer);
		bool		plain = ct_stream_parse_head(json, len, env, &cred);

		MemoryContextSwitchTo(spi);
		kind = plain ? ct_kind_find(env->type) : NULL;
		*id = 0;
		if (kind != NULL && (kind->flags & flags) == flags && cred.account_id.s != NULL)
		{
			/* the row of what the whole text says: the peek saw first keys */
			values[0] = PointerGetDatum(cstring_to_text_with_len(cred.account_id.s,
																 cred.account_id.len));
			values[1] = ct_inbox_message_id(&env->id);
			*id = ct_inbox_find(values);
			if (*id != 0)
				ct_authenticate(&cred, &project, CurrentMemoryContext, NULL);
		}
	}
	ct_store_finish();
	return *id != 0;
}

/*
 * Queue a message: check its envelope and credentials now, store it
 * without its passcode; its inbox_id.  A message id the inbox holds for
 * the project (pending, dead, or answered and not yet removed) is not
 * stored again: the answer is its row's inbox_id, and nothing is written.
 * Two sessions that queue one id at once store it once: the second insert
 * waits for the first and then finds its row.  env gets its envelope.
 * With passcode, request was built without it
 * (ct_jsonb_from_text_sans_passcode) and this is its value.  miss, if
 * any, is what the inbox was found not to hold.
 */
static int64
ct_enqueue_message(Jsonb *request, CtEnvelope *env, const CtStr *passcode, const CtInboxMiss *miss)
{
	JsonbContainer *root = ct_message_root(request);
	const CtKind *kind;
	CtCredentials cred;
	CtProject	project;
	Datum		path[3];
	Datum		values[4];
	bool		isnull;
	int64		id;

	ct_parse_envelope(root, env);
	kind = ct_kind_find(env->type);
	if (kind != NULL && !(kind->flags & CT_OF_PROJECT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s is not queued", kind->type),
				 errdetail("mParticle waits for the %s response: it belongs to no project and writes nothing.",
						   kind->name),
				 errhint("Answer it at once with ctaudience.ct_firehose().")));
	if (kind == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid Firehose message: unsupported message type \"%.*s\"",
						Min(env->type.len, 64), env->type.s),
				 errdetail("The problem is at JSON path type."),
				 errhint("ct_enqueue() queues %s.", ct_kind_list(CT_OF_PROJECT))));
	ct_parse_credentials(root, &cred);
	if (passcode != NULL && passcode->s != NULL)
		cred.passcode = *passcode;
	/* refuse at once (54000) what ct_process_inbox would refuse for a limit */
	if (kind->flags & CT_HAS_PROFILES)
		ct_check_membership_limits(root);
	else if (kind == &ct_kinds[CT_KIND_SUBSCRIPTION])
	{
		CT_PATH_ROOT(path);
		JsonbValue	settings;

		if (ct_json_member(root, "audience_subscription_settings", &settings) &&
			settings.type == jbvBinary && JsonContainerIsObject(settings.val.binary.data))
			ct_check_settings_size(root, &path);
	}
	ct_store_connect();
	ct_authenticate(&cred, &project, CurrentMemoryContext, NULL);

	/* the id as a UUID prints: one message, however its id was written */
	values[0] = CStringGetTextDatum(project.project_id);
	values[1] = ct_inbox_message_id(&env->id);
	if (miss == NULL || !miss->set || !ct_str_eq(miss->project_id, project.project_id) ||
		memcmp(miss->id.data, env->id.data, UUID_LEN) != 0)
	{
		id = ct_inbox_find(values);
		if (id != 0)
		{
			ct_store_finish();
			return id;
		}
	}

	/* the body as received, less account.account_settings.passcode */
	values[2] = PointerGetDatum(cstring_to_text_with_len(env->type.s, env->type.len));
	if (passcode != NULL)
		values[3] = JsonbPGetDatum(request);
	else
	{
		path[0] = CStringGetTextDatum("account");
		path[1] = CStringGetTextDatum("account_settings");
		path[2] = CStringGetTextDatum("passcode");
		values[3] = DirectFunctionCall2(jsonb_delete_path, JsonbPGetDatum(request),
										PointerGetDatum(construct_array(path, 3, TEXTOID, -1, false,
																		TYPALIGN_INT)));
	}
	if (ct_store_exec(CT_Q_INBOX_ENQUEUE, values, NULL, false) == 1)
		id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	else
		id = ct_inbox_find(values); /* queued meanwhile by another session */
	if (id == 0)
		elog(ERROR, "ctaudience: could not queue the message");
	ct_store_finish();
	return id;
}

/* SQL: ct_enqueue(request jsonb) returns bigint; see ct_enqueue_message. */
Datum
ct_enqueue(PG_FUNCTION_ARGS)
{
	CtEnvelope	env;

	ct_require_message(fcinfo);
	PG_RETURN_INT64(ct_enqueue_message(PG_GETARG_JSONB_P(0), &env, NULL, NULL));
}

/* SQL: ct_enqueue(request text) returns bigint: the same, for the body as posted. */
Datum
ct_enqueue_text(PG_FUNCTION_ARGS)
{
	CtEnvelope	env;
	CtStr		passcode;
	Jsonb	   *request;
	int64		id;
	CtInboxMiss miss = {0};

	ct_require_message(fcinfo);
	if (ct_enqueue_redelivery(PG_GETARG_TEXT_PP(0), CT_OF_PROJECT, &env, &id, &miss))
		PG_RETURN_INT64(id);
	request = ct_jsonb_from_text_sans_passcode(PG_GETARG_TEXT_PP(0), &passcode);
	PG_RETURN_INT64(ct_enqueue_message(request, &env, &passcode, &miss));
}

/*
 * SQL: ct_firehose_enqueue(request text) returns jsonb: what a receiver in
 * queue mode answers.  A message of a kind queued at once
 * (CT_QUEUED_AT_ONCE: membership, erasure) is queued and answered with its
 * Firehose response (the request's id, and under "ctaudience" the
 * inbox_id); any other (registration, subscription) is answered as
 * ct_firehose(text) answers it, on a Citus cluster on the node that holds
 * its project.  A redelivery gets the answer the first
 * delivery got: the same inbox_id.
 */
Datum
ct_firehose_enqueue(PG_FUNCTION_ARGS)
{
	Jsonb	   *request;
	CtEnvelope	env;
	const CtKind *kind;
	CtJsonBuilder b;
	int64		id;
	CtStr		passcode;
	CtInboxMiss miss = {0};

	ct_require_message(fcinfo);
	if (!ct_enqueue_redelivery(PG_GETARG_TEXT_PP(0), CT_QUEUED_AT_ONCE, &env, &id, &miss))
	{
		request = ct_jsonb_from_text_sans_passcode(PG_GETARG_TEXT_PP(0), &passcode);
		ct_parse_envelope(ct_message_root(request), &env);
		kind = ct_kind_find(env.type);
		if (kind == NULL || !(kind->flags & CT_QUEUED_AT_ONCE))
		{
			/*
			 * answered now, with its passcode, as ct_firehose(text) answers
			 * it: on a Citus cluster, on the node that holds its project
			 */
			PG_RETURN_JSONB_P(ct_route_text(fcinfo, "ct_firehose", ct_dispatch));
		}
		id = ct_enqueue_message(request, &env, &passcode, &miss);
	}
	kind = ct_kind_find(env.type);
	ct_jb_begin(&b);
	ct_jb_response_envelope(&b, kind->response, &env);
	if (kind->flags & CT_SUSPENDABLE)
		ct_jb_bool(&b, "suspend_subscription", false);
	ct_jb_begin_object(&b, "ctaudience");
	ct_jb_int(&b, "queued", id);
	ct_jb_end_object(&b);
	PG_RETURN_JSONB_P(ct_jb_finish(&b));
}

/*
 * The projects whose queued messages the caller may see or take with one
 * of caps, in function fn, as the parameter of a statement (NULL: every
 * project).
 */
static void
ct_inbox_scope(int caps, Oid fn, Datum *value, char *null)
{
	ArrayType  *projects = ct_scope_projects(ct_scope_caller(), caps, fn);

	*value = PointerGetDatum(projects);
	*null = projects == NULL ? 'n' : ' ';
}

/*
 * SQL: ct_inbox_depth() returns (pending, dead): the inbox, for a
 * receiver's metrics; a role given projects counts theirs.
 */
Datum
ct_inbox_depth(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		result[2];
	bool		nulls[2] = {false, false};
	bool		isnull;
	Datum		scope;
	char		scope_null;
	MemoryContext outer = CurrentMemoryContext;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "ctaudience: ct_inbox_depth() must return a row");
	ct_store_connect();
	ct_inbox_scope(CT_CAP_READ | CT_CAP_OPERATE | CT_CAP_UNLESS_SCOPED, fcinfo->flinfo->fn_oid, &scope, &scope_null);
	if (ct_store_exec(CT_Q_INBOX_DEPTH, &scope, &scope_null, true) != 1)
		elog(ERROR, "ctaudience: could not read the inbox");
	result[0] = ct_store_get(0, 1, &isnull);
	result[1] = ct_store_get(0, 2, &isnull);
	ct_store_finish();
	MemoryContextSwitchTo(outer);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), result, nulls)));
}

/* Whether a failure with this SQLSTATE is the message's own: no retry. */
static bool
ct_failure_is_final(int sqlerrcode)
{
	char	   *state = unpack_sql_state(sqlerrcode);

	return strncmp(state, "22", 2) == 0 ||	/* data exception: a bad message */
		strncmp(state, "28", 2) == 0 || /* credentials */
		strncmp(state, "54", 2) == 0 || /* a message over a limit */
		strncmp(state, "42", 2) == 0;	/* privileges, schema */
}

/* ---------------------------------------------------------------------
 * The time a message may take
 *
 * Each message runs under ctaudience.inbox_message_timeout, and, when the
 * calling statement has a statement_timeout, ends early enough that the
 * call can record it and return rather than be cancelled as a whole: a
 * message that is too slow fails alone (57014, counted as an attempt, then
 * dead-lettered), and the rest of the inbox goes on.
 * ---------------------------------------------------------------------
 */

static TimeoutId ct_message_timeout_id = MAX_TIMEOUTS;
static volatile sig_atomic_t ct_message_timed_out = false;

/* The timer's handler: cancel the statement, as statement_timeout does. */
static void
ct_message_timeout_handler(void)
{
	ct_message_timed_out = true;
	kill(MyProcPid, SIGINT);
}

/* The time left before the calling statement's statement_timeout, or -1. */
static long
ct_statement_ms_left(void)
{
	TimestampTz now;

	if (!get_timeout_active(STATEMENT_TIMEOUT))
		return -1;
	now = GetCurrentTimestamp();
	return Max(0, (long) ((get_timeout_finish_time(STATEMENT_TIMEOUT) - now) / 1000));
}

/* What a message must leave of the statement_timeout for the call to end well. */
static long
ct_statement_margin_ms(void)
{
	return Max(50, StatementTimeout / 10);
}

/*
 * Whether there is time for another message: not when the calling
 * statement's statement_timeout is at hand.
 */
static bool
ct_time_for_message(void)
{
	long		left = ct_statement_ms_left();

	return left < 0 || left > 2 * ct_statement_margin_ms();
}

/* Start the timer of one message. */
static void
ct_message_timer_start(void)
{
	long		ms = ct_inbox_message_timeout;
	long		left = ct_statement_ms_left();

	if (ct_message_timeout_id == MAX_TIMEOUTS)
		ct_message_timeout_id = RegisterTimeout(USER_TIMEOUT, ct_message_timeout_handler);
	ct_message_timed_out = false;
	if (left >= 0)
	{
		left = Max(1, left - ct_statement_margin_ms());
		ms = ms > 0 ? Min(ms, left) : left;
	}
	if (ms > 0)
		enable_timeout_after(ct_message_timeout_id, (int) Min(ms, INT_MAX));
}

/* Stop it; a cancel it raised and nobody met is forgotten. */
static void
ct_message_timer_stop(void)
{
	if (ct_message_timeout_id != MAX_TIMEOUTS)
		disable_timeout(ct_message_timeout_id, false);
	if (ct_message_timed_out)
		QueryCancelPending = false;
}

/*
 * Answer a queued message: here, or on a Citus cluster through
 * ct_answer_queued, which Citus runs on the node that holds the project
 * (ct_inbox stays on the coordinator).
 */
static Datum
ct_answer_body(Datum body, CtMessageMode *mode)
{
	Datum		response;

	if (ct_citus_is_local(mode->queued))
		return PointerGetDatum(ct_dispatch(DatumGetJsonbP(body), mode));
	response = ct_citus_forward("ct_answer_queued", mode->queued, body, JSONBOID);
	/* the worker's erasure cannot reach this node's queue */
	return PointerGetDatum(ct_dsr_forwarded(DatumGetJsonbP(body), DatumGetJsonbP(response)));
}

/*
 * SQL: ct_answer_queued(project_id text, request jsonb) returns jsonb.  An
 * inbox message of project_id answered where the project's rows are.
 */
Datum
ct_answer_queued(PG_FUNCTION_ARGS)
{
	CtMessageMode mode = {0};

	ct_require_arg(fcinfo, 0, "project_id");
	ct_require_arg(fcinfo, 1, "request");
	mode.queued = text_to_cstring(PG_GETARG_TEXT_PP(0));
	mode.for_coordinator = true;
	PG_RETURN_JSONB_P(ct_dispatch(PG_GETARG_JSONB_P(1), &mode));
}

/*
 * Answer one queued message in a subtransaction.  True with *response set
 * when it worked; false with *edata when it failed (nothing of it remains),
 * and *busy when another session was answering it.  A cancel or a
 * shutdown that is not the message's own timer ends the whole call.
 */
static bool
ct_process_one(Datum project_id, Datum body, Datum *response, ErrorData **edata, bool *busy)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	CtMessageMode mode = {TextDatumGetCString(project_id), false};
	volatile bool ok = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		ct_message_timer_start();
		*response = ct_answer_body(body, &mode);
		ct_message_timer_stop();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		ok = true;
	}
	PG_CATCH();
	{
		bool		timed_out = ct_message_timed_out;

		ct_message_timer_stop();
		MemoryContextSwitchTo(oldcontext);
		*edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if ((*edata)->sqlerrcode == ERRCODE_QUERY_CANCELED && timed_out)
		{
			(*edata)->message = psprintf("the message took longer than %s",
										 ct_statement_ms_left() >= 0 && ct_statement_ms_left() <= 2 * ct_statement_margin_ms()
										 ? "the calling statement's statement_timeout allowed"
										 : "ctaudience.inbox_message_timeout");
			(*edata)->detail = NULL;
		}
		else if ((*edata)->sqlerrcode == ERRCODE_QUERY_CANCELED ||
				 (*edata)->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(*edata);
	}
	PG_END_TRY();
	*busy = mode.busy;
	return ok;
}

/*
 * Record a message answered.  An erasure request keeps no identities once
 * answered (it was kept for the answer only).
 */
static void
ct_record_done(Datum project_id, Datum id, int32 attempts, Datum response)
{
	Datum		values[4] = {id, Int32GetDatum(attempts), response, project_id};

	ct_store_exec(CT_Q_INBOX_DONE, values, NULL, false);
}

/*
 * Record a failed attempt at a message: due again after the retry delay
 * (doubled for each attempt made, at most a day), or dead when the failure
 * is the message's own or the attempts are used up.  A message another
 * session is importing (ct_lock_message does not wait in the inbox) is due
 * again after CT_INBOX_BUSY_DELAY, without an attempt: *attempts is
 * lowered.  True when it is dead.
 */
static bool
ct_record_failure(Datum project_id, Datum id, int32 *attempts, ErrorData *edata, bool busy)
{
	bool		final = !busy && (ct_failure_is_final(edata->sqlerrcode) ||
								  *attempts >= ct_inbox_max_attempts);
	char	   *error = edata->detail ? psprintf("%s (%s)", edata->message, edata->detail) :
		pstrdup(edata->message);
	double		delay = Min((double) ct_inbox_retry_delay * (1 << Min(Max(*attempts - 1, 0), 20)), 86400.0);
	Datum		values[7];

	if (busy)
	{
		(*attempts)--;
		delay = CT_INBOX_BUSY_DELAY;
	}
	values[0] = id;
	values[1] = CStringGetTextDatum(final ? "dead" : "pending");
	values[2] = Int32GetDatum(*attempts);
	values[3] = CStringGetTextDatum(error);
	values[4] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	values[5] = Float8GetDatum(delay);
	values[6] = project_id;
	ct_store_exec(CT_Q_INBOX_FAILED, values, NULL, false);
	if (final)
		ereport(WARNING,
				(errmsg_plural("ctaudience: inbox message %lld is dead after %d attempt: %s",
							   "ctaudience: inbox message %lld is dead after %d attempts: %s",
							   *attempts,
							   (long long) DatumGetInt64(id), *attempts, unpack_sql_state(edata->sqlerrcode)),
				 errhint("See ctaudience.ct_inbox (last_error); ctaudience.ct_requeue() queues it again.")));
	return final;
}

/*
 * Remove answered messages older than ctaudience.inbox_retention, a
 * thousand at a time (each run of the inbox removes some), of the
 * projects scope names (ct_inbox_scope).
 */
static void
ct_purge_done(Datum scope, char scope_null)
{
	Datum		values[2] = {Float8GetDatum((double) ct_inbox_retention), scope};
	char		nulls[2] = {' ', scope_null};

	if (ct_inbox_retention < 0)
		return;
	ct_store_exec(CT_Q_INBOX_PURGE, values, nulls, false);
}

/* Whether a queued message's type (a text datum) is a data subject request's. */
static bool
ct_inbox_is_erasure(Datum message_type)
{
	text	   *type = DatumGetTextPP(message_type);
	const char *dsr = ct_kinds[CT_KIND_ERASURE].type;

	return VARSIZE_ANY_EXHDR(type) == strlen(dsr) &&
		memcmp(VARDATA_ANY(type), dsr, strlen(dsr)) == 0;
}

/*
 * SQL: ct_process_inbox(max_messages integer) returns (done, retried, dead)
 * Answer up to max_messages queued messages that are due, oldest first,
 * in the caller's transaction: of every project, or of those the caller
 * may operate when it was given projects (scope.h).  A message another
 * session is importing is left due (in a second) and counted in none.
 */
Datum
ct_process_inbox(PG_FUNCTION_ARGS)
{
	int32		max_messages;
	TupleDesc	tupdesc;
	Datum		result[3];
	bool		rnulls[3] = {false, false, false};
	int32		done = 0,
				retried = 0,
				dead = 0;
	SPITupleTable *rows;
	uint64		nrows;
	Datum		args[2];
	char		nulls[2] = {' ', ' '};
	bool		erasure = false;
	MemoryContext outer = CurrentMemoryContext;

	ct_require_arg(fcinfo, 0, "max_messages");
	max_messages = PG_GETARG_INT32(0);
	if (max_messages < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_messages must be at least 1")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "ctaudience: ct_process_inbox() must return a row");

	ct_store_connect();
	ct_inbox_scope(CT_CAP_OPERATE, InvalidOid, &args[1], &nulls[1]);
	ct_purge_done(args[1], nulls[1]);
	args[0] = Int32GetDatum(max_messages);
	nrows = ct_store_exec(CT_Q_INBOX_DUE, args, nulls, false);
	rows = SPI_tuptable;

	for (uint64 r = 0; r < nrows && ct_time_for_message(); r++)
	{
		HeapTuple	tup = rows->vals[r];
		bool		isnull;
		Datum		id = SPI_getbinval(tup, rows->tupdesc, 1, &isnull);
		Datum		project_id = SPI_getbinval(tup, rows->tupdesc, 2, &isnull);
		Datum		body = SPI_getbinval(tup, rows->tupdesc, 3, &isnull);
		int32		attempts = DatumGetInt32(SPI_getbinval(tup, rows->tupdesc, 4, &isnull)) + 1;
		Datum		response;
		ErrorData  *edata = NULL;
		bool		busy;
		SPITupleTable *now = NULL;

		/*
		 * An erasure earlier in this batch scrubbed the stored bodies that
		 * name its subject (CT_Q_ERASE_INBOX): the copy read above may be
		 * stale, so the body is read again, as the row holds it now.
		 */
		if (erasure)
		{
			Datum		key[2] = {project_id, id};

			if (ct_store_exec(CT_Q_INBOX_BODY, key, NULL, false) == 1)
			{
				now = SPI_tuptable;
				body = ct_store_get(0, 1, &isnull);
			}
		}
		if (ct_inbox_is_erasure(SPI_getbinval(tup, rows->tupdesc, 5, &isnull)))
			erasure = true;
		if (ct_process_one(project_id, body, &response, &edata, &busy))
		{
			ct_record_done(project_id, id, attempts, response);
			done++;
		}
		else
		{
			busy = busy && edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
			/* a message another session is importing is not an attempt */
			if (ct_record_failure(project_id, id, &attempts, edata, busy))
				dead++;
			else if (!busy)
				retried++;
			FreeErrorData(edata);
		}
		if (now != NULL)
			SPI_freetuptable(now);
	}
	ct_store_finish();
	MemoryContextSwitchTo(outer);

	result[0] = Int32GetDatum(done);
	result[1] = Int32GetDatum(retried);
	result[2] = Int32GetDatum(dead);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), result, rnulls)));
}

/*
 * SQL: ct_inbox_claim() returns bigint.  The first step of ct_run_inbox:
 * take the oldest due message (of a project the caller may operate, when
 * it was given projects), count the attempt and lease it (due again
 * only after ctaudience.inbox_message_timeout and the retry delay), so
 * that once committed, the attempt stays counted whatever happens to the
 * session that answers it -- cancelled, timed out, or its backend killed.
 * A message whose attempts are used up without an answer (each time its
 * session ended) is dead-lettered here.  NULL when nothing is due, or
 * when the calling statement's statement_timeout is at hand.
 */
Datum
ct_inbox_claim(PG_FUNCTION_ARGS)
{
	int64		id = 0;
	bool		found = false;
	Datum		args[2];
	char		nulls[2] = {' ', ' '};

	if (!ct_time_for_message())
		PG_RETURN_NULL();
	ct_store_connect();
	ct_inbox_scope(CT_CAP_OPERATE, InvalidOid, &args[1], &nulls[1]);
	ct_purge_done(args[1], nulls[1]);
	while (!found)
	{
		bool		isnull;
		int32		attempts;
		Datum		project_id;

		args[0] = Float8GetDatum(ct_inbox_message_timeout / 1000.0 +
								 Min((double) ct_inbox_retry_delay, 86400.0));
		if (ct_store_exec(CT_Q_INBOX_CLAIM, args, nulls, false) == 0)
			break;
		id = DatumGetInt64(ct_store_get(0, 1, &isnull));
		attempts = DatumGetInt32(ct_store_get(0, 2, &isnull));
		project_id = ct_store_get(0, 3, &isnull);
		if (attempts <= ct_inbox_max_attempts)
			found = true;
		else
		{
			ErrorData	edata;

			/* claimed that many times, never answered: its sessions ended */
			memset(&edata, 0, sizeof(edata));
			edata.sqlerrcode = ERRCODE_QUERY_CANCELED;
			edata.message = psprintf("no answer after %d attempts: the session answering it ended each time (cancelled, or its backend stopped)",
									 attempts - 1);
			attempts--;
			(void) ct_record_failure(project_id, Int64GetDatum(id), &attempts, &edata, false);
		}
	}
	ct_store_finish();
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_INT64(id);
}

/*
 * SQL: ct_inbox_answer(inbox_id bigint) returns text.  The second step of
 * ct_run_inbox: answer a message ct_inbox_claim claimed (its attempt is
 * counted already; a message never claimed has it counted here) and record
 * the outcome: 'done', 'retried', 'dead',
 * 'busy' (another session is importing it: due again in a second, no
 * attempt counted), or NULL when the message is not pending (answered
 * meanwhile).  A message of
 * a project the caller may not operate is refused (42501).
 */
Datum
ct_inbox_answer(PG_FUNCTION_ARGS)
{
	Datum		id;
	bool		isnull;
	Datum		project_id;
	Datum		body;
	int32		attempts;
	Datum		response;
	ErrorData  *edata = NULL;
	bool		busy;
	const char *outcome;
	MemoryContext outer = CurrentMemoryContext;

	ct_require_arg(fcinfo, 0, "inbox_id");
	id = PG_GETARG_DATUM(0);
	ct_store_connect();
	if (ct_store_exec(CT_Q_INBOX_READ, &id, NULL, false) == 0)
	{
		ct_store_finish();
		PG_RETURN_NULL();
	}
	project_id = ct_store_get(0, 1, &isnull);
	body = ct_store_get(0, 2, &isnull);
	attempts = DatumGetInt32(ct_store_get(0, 3, &isnull));
	/* a message answered without ct_inbox_claim: this attempt counts too */
	if (attempts == 0)
		attempts = 1;
	ct_scope_check(TextDatumGetCString(project_id), CT_CAP_OPERATE,
				   psprintf("inbox message " INT64_FORMAT, DatumGetInt64(id)));
	if (ct_process_one(project_id, body, &response, &edata, &busy))
	{
		ct_record_done(project_id, id, attempts, response);
		outcome = "done";
	}
	else
	{
		busy = busy && edata->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE;
		outcome = ct_record_failure(project_id, id, &attempts, edata, busy) ? "dead" : busy ? "busy" : "retried";
		FreeErrorData(edata);
	}
	ct_store_finish();
	MemoryContextSwitchTo(outer);
	PG_RETURN_TEXT_P(cstring_to_text(outcome));
}
