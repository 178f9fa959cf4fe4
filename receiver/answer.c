/*
 * answer.c
 *	  The receiver's answers.  POST /firehose hands the body, as text in a
 *	  bind parameter, to the extension and answers with what it returns;
 *	  the status tells mParticle what is worth retrying.  An error's body is
 *	  the SQLSTATE and a message, never a secret or a piece of the body.
 *
 * Modes: direct (the default) answers every message with ct_firehose();
 * queue answers membership and erasure messages at once, queued with
 * ct_firehose_enqueue() for ct_run_inbox() (pg_cron) to import, and the
 * registration and subscription messages directly.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "answer.h"
#include "common_pool.h"
#include "config.h"
#include "metrics.h"
#include "route.h"
#include "statements.h"

/* An answer: its status, its body (malloc'd), its content type and log line. */
static CtAnswer
ct_answer(int status, char *body, bool json, bool log_bytes)
{
	CtAnswer	answer;

	answer.status = status;
	answer.body = body;
	answer.json = json;
	answer.log_bytes = log_bytes;
	answer.close = false;
	return answer;
}

/* An answer of status with a small JSON error object for its body. */
static CtAnswer
ct_error(int status, const char *sqlstate, const char *message)
{
	size_t		n = strlen(message);
	char	   *out = malloc(n * 6 + 128);
	char	   *p = out;

	p += sprintf(p, "{\"error\": {\"sqlstate\": \"%.5s\", \"message\": \"", sqlstate);
	for (size_t i = 0; i < n && i < 1000; i++)
	{
		unsigned char c = (unsigned char) message[i];

		if (c == '"' || c == '\\')
			p += sprintf(p, "\\%c", c);
		else if (c < 0x20)
			p += sprintf(p, "\\u%04x", c);
		else
			*p++ = c;
	}
	strcpy(p, "\"}}");
	return ct_answer(status, out, true, true);
}

/*
 * The HTTP status of an error from the database, so that mParticle retries
 * exactly what is worth retrying: a bad message (22) is not retried (400);
 * credentials (28) are 401; a message over a limit (54) 413; a database
 * that is down, restarting, overloaded, or a transaction that lost to
 * another (08, 53, 57P0x, 40001, 40P01, 55P03, 57014) 503, to be retried.
 */
static int
ct_status_of(const char *sqlstate)
{
	if (sqlstate == NULL)
		return 500;
	if (strncmp(sqlstate, "22", 2) == 0)
		return 400;
	if (strncmp(sqlstate, "28", 2) == 0)
		return 401;
	if (strncmp(sqlstate, "54", 2) == 0)
		return 413;
	if (strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "53", 2) == 0 ||
		strncmp(sqlstate, "57P0", 4) == 0 || strcmp(sqlstate, "40001") == 0 ||
		strcmp(sqlstate, "40P01") == 0 || strcmp(sqlstate, "55P03") == 0 ||
		strcmp(sqlstate, "57014") == 0)
		return 503;
	return 500;
}

/*
 * Whether the database answered the last call made to it: a message's
 * call with any answer, an error too (not a broken or refused
 * connection); SELECT 1 with its row.  /healthz gives it when every
 * connection is busy.
 */
static bool ct_db_answered = true;

static void
ct_db_answers(bool answered)
{
	__atomic_store_n(&ct_db_answered, answered, __ATOMIC_RELAXED);
}

/* The answer of a call's result (NULL: the connection broke); r is cleared. */
static CtAnswer
ct_answer_result(PGresult *r)
{
	CtAnswer	answer;

	ct_db_answers(r != NULL);
	if (r == NULL)
		answer = ct_error(503, "08006", "the connection to the database broke");
	else if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		answer = ct_answer(200, strdup(PQgetvalue(r, 0, 0)), true, true);
	else
	{
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		answer = ct_error(ct_status_of(state), state ? state : "XX000",
						  message ? message : "the database gave no answer");
	}
	PQclear(r);
	return answer;
}

/*
 * A Firehose message (body, len bytes, nul-terminated; type as peeked):
 * the extension's answer, when a connection is free within wait_ms.  On a
 * Citus cluster, from the worker that holds its project (route.c).
 */
CtAnswer
ct_answer_firehose(const char *body, size_t len, const char *type, int wait_ms)
{
	CtConn	   *c;
	PGresult   *r;
	CtAnswer	answer;

	switch (ct_route_firehose(body, len, type, wait_ms, &r))
	{
		case CT_ROUTED:
			return ct_answer_result(r);
		case CT_ROUTE_BUSY:
			return ct_answer_busy();
		case CT_ROUTE_DSN:
			break;
	}
	switch (ct_pool_acquire(wait_ms, &c))
	{
		case CT_POOL_BUSY:
			return ct_answer_busy();
		case CT_DB_DOWN:
			ct_db_answers(false);
			return ct_error(503, "08006", "the database cannot be reached");
		case CT_ACQUIRED:
			break;
	}

	/*
	 * In queue mode the extension decides by the message's type what is
	 * queued (membership, erasure) and what is answered at once.
	 */
	r = ct_stmt_exec(c, ct_config.queue ? CT_STMT_ENQUEUE : CT_STMT_FIREHOSE, body, (int) len);
	answer = ct_answer_result(r);
	ct_pool_release(c);
	return answer;
}

/* GET /healthz from what is known: whether the database answered its last call. */
CtAnswer
ct_answer_health_known(void)
{
	bool		ok = __atomic_load_n(&ct_db_answered, __ATOMIC_RELAXED);

	return ct_answer(ok ? 200 : 503, strdup(ok ? "ok\n" : "the database does not answer\n"), false, false);
}

/*
 * GET /healthz: 200 when the database answers SELECT 1 on a free
 * connection; when every connection is busy it is not waited for: the
 * answer is whether the database answered its last call.
 */
CtAnswer
ct_answer_health(void)
{
	CtConn	   *c;
	PGresult   *r;

	switch (ct_pool_acquire(0, &c))
	{
		case CT_POOL_BUSY:
			return ct_answer_health_known();
		case CT_DB_DOWN:
			ct_db_answers(false);
			return ct_answer_health_known();
		case CT_ACQUIRED:
			break;
	}
	r = ct_stmt_exec(c, CT_STMT_HEALTH, NULL, 0);
	ct_db_answers(r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	ct_pool_release(c);
	return ct_answer_health_known();
}

/* GET /metrics: Prometheus text. */
CtAnswer
ct_answer_metrics(void)
{
	return ct_answer(200, ct_metrics_text(), false, true);
}

/* A /firehose POST without the bearer token --secret-file asks for. */
CtAnswer
ct_answer_unauthorized(void)
{
	return ct_error(401, "28000", "missing or wrong bearer token");
}

/* A body over --max-body. */
CtAnswer
ct_answer_too_big(void)
{
	return ct_error(413, "54000", "the body is larger than the receiver's --max-body");
}

/* A body that would take the bodies held at once over --max-buffered. */
CtAnswer
ct_answer_over_budget(void)
{
	return ct_error(429, "53200", "the receiver holds its --max-buffered bytes of bodies");
}

/* No database connection came free within --pool-wait. */
CtAnswer
ct_answer_busy(void)
{
	return ct_error(429, "53300", "every database connection of the receiver is busy");
}

/* A body with a NUL byte, which no JSON text holds (and a text parameter would cut). */
CtAnswer
ct_answer_nul_byte(void)
{
	return ct_error(400, "22021", "the body holds a NUL byte");
}

/*
 * Content-Length headers that disagree, or one beside Transfer-Encoding:
 * where the body ends is in doubt (RFC 9112, 6.3), so the connection is
 * closed after the answer.
 */
CtAnswer
ct_answer_bad_framing(void)
{
	CtAnswer	answer = ct_error(400, "08P01", "conflicting Content-Length or Transfer-Encoding headers");

	answer.close = true;
	return answer;
}

/* /firehose with another method than POST; its log line gives bytes=0. */
CtAnswer
ct_answer_wrong_method(void)
{
	CtAnswer	answer = ct_error(405, "42601", "POST a Firehose message");

	answer.log_bytes = false;
	return answer;
}

/* Any other path or method; its log line gives bytes=0. */
CtAnswer
ct_answer_not_found(void)
{
	CtAnswer	answer = ct_error(404, "42704", "not found: POST /firehose, GET /healthz, GET /metrics");

	answer.log_bytes = false;
	return answer;
}
