/*
 * pump.c
 *	  One project's export, request after request.  The extension builds
 *	  every request and decides every change of state; the pump claims a
 *	  request (ct_export_claim, leased for --lease seconds), holds it
 *	  (ct_export_hold, in a transaction open across the post), posts it,
 *	  commits, and reports the answer (ct_export_result, a transaction of
 *	  its own), which says what follows: accepted or dead, the next
 *	  request; paused, stop; retry, wait (the answer's Retry-After, else a
 *	  backoff) and claim it again.  A request once held is always posted
 *	  and reported, so that a stop never leaves one half done; one whose
 *	  report is lost stays leased until the lease ends and is then handed
 *	  out again with the same body and source_request_id, which mParticle
 *	  de-duplicates.
 *
 *	  The hold is for erasures: one that committed since the claim deleted
 *	  the request, and the hold finds none (nothing is posted, the next
 *	  claim builds anew); one that comes during the post waits for the
 *	  commit after it.  Three round trips a request (BEGIN, the hold,
 *	  COMMIT): about 0.4 ms on one host, beside the claim's and the
 *	  report's tens of milliseconds (bench/export_hold.sh).
 *
 *	  One log line per request: the project, the request's number, size
 *	  and tries, the status, the outcome, the times (the post; the claim
 *	  and the report; the hold's three round trips).  Never the secret, the
 *	  body, or mParticle's error text (which may quote a user's data: it is
 *	  kept in the database as the dead letter's error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common_log.h"
#include "common_pool.h"
#include "config.h"
#include "metrics.h"
#include "pace.h"
#include "pump.h"
#include "secrets.h"
#include "statements.h"

/* How long a worker waits for a pooled connection. */
#define CT_POOL_WAIT_MS 10000

/* A claimed request: the row of ct_export_claim. */
typedef struct CtClaim
{
	const char *request_id;
	const char *source_request_id;
	const char *url;
	const char *feed_key;
	const char *body;
	size_t		body_len;
	int			batches;
	int			events;
	int			attempts;		/* tries before this one */
} CtClaim;

/* Log a failed statement (its first line: never a parameter) and count it. */
static void
ct_pump_db_error(const char *project_id, const char *what, PGresult *r)
{
	char		label[200];

	snprintf(label, sizeof(label), "project=%s %s failed", project_id, what);
	ct_log_error(label, r != NULL ? PQresultErrorMessage(r) : "the connection to the database broke");
	ct_metrics_database_error();
}

/*
 * Claim the project's next request into claim (pointing into *res, which
 * the caller clears): 1, 0 when there is none now, -1 on a database error.
 */
static int
ct_pump_claim(CtConn *conn, const char *project_id, PGresult **res, CtClaim *claim)
{
	static const char *const columns[] = {"request_id", "source_request_id", "url", "feed_key", "body",
	"batches", "events", "attempts"};
	int			col[8];
	char		lease[16];
	const char *params[2] = {project_id, lease};
	PGresult   *r;

	snprintf(lease, sizeof(lease), "%d", ct_config.lease);
	r = *res = ct_stmt_exec(conn, CT_STMT_CLAIM, 2, params);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		ct_pump_db_error(project_id, "ct_export_claim", r);
		return -1;
	}
	for (int i = 0; i < 8; i++)
		if ((col[i] = PQfnumber(r, columns[i])) < 0)
		{
			ct_log("ERROR: project=%s: ct_export_claim returned no column %s: is the extension older than the exporter?",
				   project_id, columns[i]);
			ct_metrics_database_error();
			return -1;
		}
	if (PQntuples(r) == 0)
		return 0;
	claim->request_id = PQgetvalue(r, 0, col[0]);
	claim->source_request_id = PQgetvalue(r, 0, col[1]);
	claim->url = PQgetvalue(r, 0, col[2]);
	claim->feed_key = PQgetvalue(r, 0, col[3]);
	claim->body = PQgetvalue(r, 0, col[4]);
	claim->body_len = PQgetlength(r, 0, col[4]);
	claim->batches = atoi(PQgetvalue(r, 0, col[5]));
	claim->events = atoi(PQgetvalue(r, 0, col[6]));
	claim->attempts = atoi(PQgetvalue(r, 0, col[7]));
	return 1;
}

/*
 * Test only: CT_EXPORTER_TEST_HOLD_PAUSE_MS, milliseconds to wait between a
 * claim and its hold, so that a test may erase a subject meanwhile
 * (test/cluster/exporter_test.py).  Not a setting: unset, no wait.
 */
static void
ct_pump_test_pause(void)
{
	static int	pause_ms = -1;
	struct timespec ts;

	if (pause_ms < 0)
	{
		const char *v = getenv("CT_EXPORTER_TEST_HOLD_PAUSE_MS");

		pause_ms = v != NULL ? atoi(v) : 0;
	}
	if (pause_ms <= 0)
		return;
	ts.tv_sec = pause_ms / 1000;
	ts.tv_nsec = (long) (pause_ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) != 0)
		;
}

/*
 * Open the transaction the claimed request is posted in, and lock the
 * request in it (ct_export_hold): 1 when held, 0 when it is gone (erased,
 * or answered by another exporter, since the claim: the transaction is
 * ended), -1 on a database error (ended as far as the connection allows).
 */
static int
ct_pump_hold(CtConn *conn, const char *project_id, const CtClaim *claim)
{
	const char *params[2] = {project_id, claim->request_id};
	PGresult   *r;
	int			held = -1;

	r = ct_stmt_exec(conn, CT_STMT_BEGIN, 0, NULL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		ct_pump_db_error(project_id, "BEGIN", r);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	r = ct_stmt_exec(conn, CT_STMT_HOLD, 2, params);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		ct_pump_db_error(project_id, "ct_export_hold", r);
	else
		held = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (held == 1)
		return 1;
	r = ct_stmt_exec(conn, CT_STMT_ROLLBACK, 0, NULL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		ct_pump_db_error(project_id, "ROLLBACK", r);
		held = -1;
	}
	PQclear(r);
	return held;
}

/*
 * End the post's transaction: the hold goes, an erasure waiting for it goes
 * on.  A failure is logged; the answer is reported all the same.
 */
static void
ct_pump_release(CtConn *conn, const char *project_id)
{
	PGresult   *r = ct_stmt_exec(conn, CT_STMT_COMMIT, 0, NULL);

	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK)
		ct_pump_db_error(project_id, "COMMIT", r);
	PQclear(r);
}

/*
 * Tell the extension what the post gave; the outcome it returns is copied
 * into outcome (empty on a database error).
 */
static void
ct_pump_result(CtConn *conn, const char *project_id, const CtClaim *claim, const CtPosted *posted,
			   char outcome[16])
{
	char		status[16];
	char		retry_after[16];
	const char *params[5] = {project_id, claim->request_id, status, NULL, NULL};
	PGresult   *r;

	snprintf(status, sizeof(status), "%d", posted->status);
	if (posted->status < 200 || posted->status >= 300)
		params[3] = posted->error;
	if (posted->retry_after >= 0)
	{
		snprintf(retry_after, sizeof(retry_after), "%d", posted->retry_after);
		params[4] = retry_after;
	}
	outcome[0] = '\0';
	r = ct_stmt_exec(conn, CT_STMT_RESULT, 5, params);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		ct_pump_db_error(project_id, "ct_export_result", r);
	else
		snprintf(outcome, 16, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
}

/* The next step after an outcome; retry_in set for a retry. */
static CtPumpEnd
ct_pump_next(const char *outcome, const CtClaim *claim, const CtPosted *posted, CtPumped *out)
{
	out->tries = claim->attempts + 1;
	/* gone: erased with a subject meanwhile; the next claim builds anew */
	if (strcmp(outcome, "accepted") == 0 || strcmp(outcome, "dead") == 0 || strcmp(outcome, "gone") == 0)
		return CT_PUMP_DONE;
	if (strcmp(outcome, "paused") == 0)
		return CT_PUMP_PAUSED;
	if (outcome[0] == '\0')
		return CT_PUMP_DATABASE;
	/* "retry", or an outcome this exporter does not know */
	out->retry_in = posted->retry_after >= 0 ? posted->retry_after : ct_backoff(out->tries, ct_config.max_backoff);
	return CT_PUMP_RETRY;
}

/* One line for a request posted. */
static void
ct_pump_log(const char *project_id, const CtClaim *claim, const CtPosted *posted, const char *outcome,
			double db_seconds, double hold_seconds, const CtPumped *out, CtPumpEnd end)
{
	char		retry[48] = "";
	char		error[CT_ERROR_MAX + 16] = "";

	if (end == CT_PUMP_RETRY)
		snprintf(retry, sizeof(retry), " retry_in=%.1fs", out->retry_in);

	/*
	 * no answer: what went wrong on the way (curl's words: a host, never a
	 * secret)
	 */
	if (posted->status == 0)
		snprintf(error, sizeof(error), " error=\"%s\"", posted->error);
	ct_log("project=%s request=%s source_request_id=%s batches=%d events=%d try=%d status=%d outcome=%s ms=%.1f db_ms=%.1f hold_ms=%.1f%s%s",
		   project_id, claim->request_id, claim->source_request_id, claim->batches, claim->events,
		   claim->attempts + 1, posted->status, outcome[0] ? outcome : "unrecorded",
		   posted->seconds * 1000, db_seconds * 1000, hold_seconds * 1000, retry, error);
	if (end == CT_PUMP_PAUSED && (posted->status == 401 || posted->status == 403))
		ct_log("WARNING: project=%s: mParticle refused the feed's credentials (HTTP %d); its export is paused."
			   " Check the feed key in ctaudience.ct_export_status and its secret, then SELECT ctaudience.ct_resume_export('%s')",
			   project_id, posted->status, project_id);
	else if (end == CT_PUMP_PAUSED)
		ct_log("WARNING: project=%s: the export's endpoint answered HTTP %d (%s); its export is paused."
			   " Check the endpoint and data center in ctaudience.ct_export_status (ctaudience.ct_configure_export),"
			   " then SELECT ctaudience.ct_resume_export('%s')",
			   project_id, posted->status, posted->status <= 399 ? "a redirect: it has moved" : "no such API there",
			   project_id);
}

/* See pump.h. */
CtPumpEnd
ct_pump(CtPoster *poster, const char *project_id, CtPumped *out)
{
	memset(out, 0, sizeof(*out));
	for (;;)
	{
		CtConn	   *conn;
		PGresult   *res = NULL;
		CtClaim		claim;
		CtPosted	posted;
		char		secret[CT_SECRET_MAX];
		char		outcome[16];
		double		db_started;
		double		db_seconds;
		double		hold_seconds;	/* BEGIN, the hold, COMMIT */
		CtPumpEnd	end;
		int			got;
		int			held;

		/*
		 * a full request's worth of the rate, before the claim: no wait
		 * holding a lease
		 */
		if (!ct_rate_reserve(CT_MAX_BATCHES))
			return CT_PUMP_STOPPED;
		if (ct_pool_acquire(CT_POOL_WAIT_MS, &conn) != CT_ACQUIRED)
		{
			ct_log("project=%s: no connection to the database now; tried again later", project_id);
			ct_rate_refund(CT_MAX_BATCHES);
			ct_metrics_database_error();
			return CT_PUMP_DATABASE;
		}
		db_started = ct_now();
		got = ct_pump_claim(conn, project_id, &res, &claim);
		db_seconds = ct_now() - db_started;
		if (got <= 0)
		{
			PQclear(res);
			ct_pool_release(conn);
			ct_rate_refund(CT_MAX_BATCHES);
			return got == 0 ? CT_PUMP_DONE : CT_PUMP_DATABASE;
		}
		ct_rate_refund(CT_MAX_BATCHES - claim.batches);
		if (!ct_secret_of(claim.feed_key, secret))
		{
			/* left leased: it is handed out again once the lease ends */
			ct_log("ERROR: project=%s: no secret for its feed key: add a line \"FEED_KEY SECRET\" to the secrets file",
				   project_id);
			PQclear(res);
			ct_pool_release(conn);
			return CT_PUMP_NO_SECRET;
		}

		ct_pump_test_pause();
		db_started = ct_now();
		held = ct_pump_hold(conn, project_id, &claim);
		hold_seconds = ct_now() - db_started;
		if (held <= 0)
		{
			explicit_bzero(secret, sizeof(secret));
			ct_rate_refund(claim.batches);
			PQclear(res);
			ct_pool_release(conn);
			if (held < 0)
				return CT_PUMP_DATABASE;
			/* erased (or answered elsewhere) since the claim: claim anew */
			ct_log("project=%s request=%s source_request_id=%s batches=%d events=%d outcome=gone before its post: not posted",
				   project_id, claim.request_id, claim.source_request_id, claim.batches, claim.events);
			if (ct_stopping())
				return CT_PUMP_STOPPED;
			continue;
		}

		ct_post(poster, claim.url, claim.feed_key, secret, claim.body, claim.body_len, ct_config.timeout, &posted);
		explicit_bzero(secret, sizeof(secret));
		out->requests++;

		db_started = ct_now();
		ct_pump_release(conn, project_id);
		hold_seconds += ct_now() - db_started;
		db_started = ct_now();
		ct_pump_result(conn, project_id, &claim, &posted, outcome);
		db_seconds += ct_now() - db_started;
		ct_pool_release(conn);

		end = ct_pump_next(outcome, &claim, &posted, out);
		ct_metrics_request(posted.status, outcome[0] ? outcome : NULL, claim.batches, claim.events, posted.seconds);
		ct_pump_log(project_id, &claim, &posted, outcome, db_seconds, hold_seconds, out, end);
		PQclear(res);
		if (end != CT_PUMP_DONE)
			return end;
		if (ct_stopping())
			return CT_PUMP_STOPPED;
	}
}
