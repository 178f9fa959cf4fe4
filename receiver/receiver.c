/*
 * receiver.c
 *	  ctaudience-receiver: the HTTP endpoint an mParticle audience output
 *	  posts Firehose messages to.  POST /firehose hands the body, as text in
 *	  a bind parameter, to the extension and answers with what it returns;
 *	  the HTTP status tells mParticle what is worth retrying.  GET /healthz
 *	  and GET /metrics are for the operator.  The body is never logged or
 *	  echoed; each request is one line on stderr.
 *
 * Modes: direct (the default) answers every message with ct_firehose();
 * queue answers membership and erasure messages at once, queued with
 * ct_firehose_enqueue() for ct_run_inbox() (pg_cron) to import, and the
 * registration and subscription messages directly.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "common_options.h"
#include "config.h"
#include "receiver.h"

/* Seconds the answers 429 and 503 ask mParticle to wait before retrying. */
#define CT_RETRY_AFTER "5"

static volatile sig_atomic_t ct_stop = 0;
static pthread_mutex_t ct_inflight_mutex = PTHREAD_MUTEX_INITIALIZER;
static int	ct_inflight = 0;

/* Whether two strings are equal, in a time that does not depend on where they differ. */
static bool
ct_secret_equal(const char *given, const char *expected)
{
	size_t		gl = strlen(given);
	size_t		el = strlen(expected);
	unsigned char diff = (gl != el);

	for (size_t i = 0; i < el; i++)
		diff |= (unsigned char) expected[i] ^ (unsigned char) (i < gl ? given[i] : 0);
	return diff == 0;
}

/*
 * The top-level string members "type" and "id" of a JSON text, for the
 * log line only: a small scan that skips everything nested, never parses
 * the body for anything else, and keeps at most 64 characters of
 * [A-Za-z0-9_.-].
 */
static void
ct_peek(const char *s, size_t len, char *type, char *id)
{
	int			depth = 0;
	size_t		i = 0;
	bool		key = true;
	char		last_key[16] = "";

	type[0] = id[0] = '\0';
	while (i < len)
	{
		char		c = s[i];

		if (c == '"')
		{
			size_t		start = ++i;

			while (i < len && s[i] != '"')
				i += (s[i] == '\\') ? 2 : 1;
			if (i >= len)
				return;
			if (depth == 1 && key)
			{
				size_t		n = i - start < sizeof(last_key) - 1 ? i - start : sizeof(last_key) - 1;

				memcpy(last_key, s + start, n);
				last_key[n] = '\0';
			}
			else if (depth == 1 && (strcmp(last_key, "type") == 0 || strcmp(last_key, "id") == 0))
			{
				char	   *dst = last_key[0] == 't' ? type : id;
				size_t		n = 0;

				for (size_t k = start; k < i && n < 64; k++)
					if (isalnum((unsigned char) s[k]) || s[k] == '_' || s[k] == '-' || s[k] == '.')
						dst[n++] = s[k];
				dst[n] = '\0';
			}
			i++;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		else if (c == ':')
			key = false;
		else if (c == ',')
			key = true;
		if (depth == 1 && (c == '{' || c == ','))
			key = true;
		i++;
	}
}

/* ---------------------------------------------------------------------
 * Answers
 * ---------------------------------------------------------------------
 */

/* What a request accumulates between the calls of the access handler. */
typedef struct CtRequest
{
	double		started;
	char	   *body;
	size_t		len;
	size_t		cap;
	size_t		reserved;		/* bytes of the budget this body holds */
	bool		too_big;		/* over --max-body: 413 */
	bool		over_budget;	/* over --max-buffered: 429 */
	size_t		discarded;
} CtRequest;

/*
 * The bodies held in memory at once are limited to --max-buffered bytes: a
 * request that would pass it is answered 429 (before its body is read when
 * it has a Content-Length), so that many large posts at once cannot exhaust
 * the receiver's memory.
 */
static pthread_mutex_t ct_budget_mutex = PTHREAD_MUTEX_INITIALIZER;
static size_t ct_buffered = 0;

static bool
ct_reserve(CtRequest *req, size_t n)
{
	bool		ok;

	pthread_mutex_lock(&ct_budget_mutex);
	ok = ct_buffered + n <= (size_t) ct_config.max_buffered;
	if (ok)
		ct_buffered += n;
	pthread_mutex_unlock(&ct_budget_mutex);
	if (ok)
		req->reserved += n;
	return ok;
}

static void
ct_unreserve(CtRequest *req)
{
	pthread_mutex_lock(&ct_budget_mutex);
	ct_buffered -= req->reserved;
	pthread_mutex_unlock(&ct_budget_mutex);
	req->reserved = 0;
}

/* Queue a response of content type JSON (or text), with Retry-After when asked. */
static enum MHD_Result
ct_respond(struct MHD_Connection *con, int status, const char *body, bool json, bool retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *) body,
															 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
							json ? "application/json" : "text/plain; version=0.0.4");
	if (retry_after)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, CT_RETRY_AFTER);
	if (ct_stop)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* A small JSON error object: the SQLSTATE and a message, never a secret. */
static char *
ct_error_json(const char *sqlstate, const char *message)
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
	return out;
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

/* Answer a Firehose message. */
static int
ct_answer_firehose(struct MHD_Connection *con, CtRequest *req, size_t *bytes)
{
	CtConn	   *c;
	PGresult   *r;
	int			status;
	char	   *body;

	switch (ct_pool_acquire(ct_config.pool_wait, &c))
	{
		case CT_POOL_BUSY:
			body = ct_error_json("53300", "every database connection of the receiver is busy");
			ct_respond(con, 429, body, true, true);
			*bytes = strlen(body);
			free(body);
			return 429;
		case CT_DB_DOWN:
			body = ct_error_json("08006", "the database cannot be reached");
			ct_respond(con, 503, body, true, true);
			*bytes = strlen(body);
			free(body);
			return 503;
		case CT_ACQUIRED:
			break;
	}

	/*
	 * In queue mode the extension decides by the message's type what is
	 * queued (membership, erasure) and what is answered at once.
	 */
	r = ct_stmt_exec(c, ct_config.queue ? CT_STMT_ENQUEUE : CT_STMT_FIREHOSE, req->body, (int) req->len);
	if (r == NULL)
	{
		body = ct_error_json("08006", "the connection to the database broke");
		status = 503;
	}
	else if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
	{
		body = strdup(PQgetvalue(r, 0, 0));
		status = 200;
	}
	else
	{
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

		status = ct_status_of(state);
		body = ct_error_json(state ? state : "XX000", message ? message : "the database gave no answer");
	}
	PQclear(r);
	ct_pool_release(c);
	ct_respond(con, status, body, true, status == 503);
	*bytes = strlen(body);
	free(body);
	return status;
}

/* GET /healthz: 200 when the database answers. */
static int
ct_answer_health(struct MHD_Connection *con)
{
	CtConn	   *c;
	bool		ok = false;

	if (ct_pool_acquire(ct_config.pool_wait, &c) == CT_ACQUIRED)
	{
		PGresult   *r = ct_stmt_exec(c, CT_STMT_HEALTH, NULL, 0);

		ok = (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK);
		PQclear(r);
		ct_pool_release(c);
	}
	ct_respond(con, ok ? 200 : 503, ok ? "ok\n" : "the database does not answer\n", false, !ok);
	return ok ? 200 : 503;
}

/* ---------------------------------------------------------------------
 * The HTTP server
 * ---------------------------------------------------------------------
 */

/* Whether the request carries the shared secret, when one is configured. */
static bool
ct_authorized(struct MHD_Connection *con)
{
	const char *h;
	bool		ok;

	if (ct_config.secret == NULL)
		return true;
	h = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0)
		return false;
	ok = ct_secret_equal(h + 7, ct_config.secret);
	return ok;
}

static enum MHD_Result
ct_handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
		  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	CtRequest  *req = *con_cls;
	int			status;
	size_t		bytes = 0;
	char		type[65] = "",
				id[65] = "";

	if (req == NULL)
	{
		/* the first call: headers only */
		const char *cl;

		req = calloc(1, sizeof(CtRequest));
		req->started = ct_now();
		*con_cls = req;
		pthread_mutex_lock(&ct_inflight_mutex);
		ct_inflight++;
		pthread_mutex_unlock(&ct_inflight_mutex);
		if (strcmp(url, "/firehose") == 0 && strcmp(method, "POST") == 0)
		{
			if (!ct_authorized(con))
			{
				char	   *body = ct_error_json("28000", "missing or wrong bearer token");

				ct_respond(con, 401, body, true, false);
				ct_metrics_request(401, ct_now() - req->started);
				ct_log("status=401 bytes=%zu ms=%.1f %s %s", strlen(body), (ct_now() - req->started) * 1000, method, url);
				free(body);
				return MHD_YES;
			}
			cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl != NULL && strtol(cl, NULL, 10) > ct_config.max_body)
			{
				/* refused before the body is read: the rest is discarded */
				char	   *body = ct_error_json("54000", "the body is larger than the receiver's --max-body");

				ct_respond(con, 413, body, true, false);
				ct_metrics_request(413, ct_now() - req->started);
				ct_log("status=413 bytes=%zu ms=%.1f %s %s content_length=%s", strlen(body),
					   (ct_now() - req->started) * 1000, method, url, cl);
				free(body);
				return MHD_YES;
			}
			if (cl != NULL && !ct_reserve(req, (size_t) strtol(cl, NULL, 10) + 1))
			{
				char	   *body = ct_error_json("53200", "the receiver holds its --max-buffered bytes of bodies");

				ct_respond(con, 429, body, true, true);
				ct_metrics_request(429, ct_now() - req->started);
				ct_log("status=429 bytes=%zu ms=%.1f %s %s content_length=%s", strlen(body),
					   (ct_now() - req->started) * 1000, method, url, cl);
				free(body);
				return MHD_YES;
			}
		}
		return MHD_YES;
	}

	if (*upload_data_size > 0)
	{
		/* a part of the body */
		size_t		n = *upload_data_size;

		*upload_data_size = 0;
		if (!req->too_big && !req->over_budget && req->len + n > (size_t) ct_config.max_body)
			req->too_big = true;
		if (!req->too_big && !req->over_budget && req->len + n + 1 > req->cap)
		{
			/*
			 * Room for the body: its Content-Length at once, or (chunked)
			 * doubling, within --max-body and the budget.
			 */
			size_t		cap = req->reserved;

			if (req->len + n + 1 > cap)
			{
				cap = (req->len + n + 1) * 2;
				if (cap > (size_t) ct_config.max_body + 1)
					cap = ct_config.max_body + 1;
			}
			if (cap > req->reserved && !ct_reserve(req, cap - req->reserved))
				req->over_budget = true;
			else
			{
				req->cap = cap;
				req->body = realloc(req->body, req->cap);
			}
		}
		if (req->too_big || req->over_budget)
		{
			/*
			 * A chunked body over a limit: the rest is read and dropped, then
			 * refused; one that goes on and on is cut off.
			 */
			req->discarded += n;
			free(req->body);
			req->body = NULL;
			req->len = req->cap = 0;
			ct_unreserve(req);
			return req->discarded > 4 * (size_t) ct_config.max_body ? MHD_NO : MHD_YES;
		}
		memcpy(req->body + req->len, upload_data, n);
		req->len += n;
		return MHD_YES;
	}

	/* the whole request is in */
	if (strcmp(url, "/firehose") == 0)
	{
		if (strcmp(method, "POST") != 0)
		{
			ct_respond(con, 405, "{\"error\": {\"sqlstate\": \"42601\", \"message\": \"POST a Firehose message\"}}",
					   true, false);
			status = 405;
		}
		else if (req->over_budget)
		{
			char	   *body = ct_error_json("53200", "the receiver holds its --max-buffered bytes of bodies");

			ct_respond(con, 429, body, true, true);
			bytes = strlen(body);
			free(body);
			status = 429;
		}
		else if (req->too_big)
		{
			char	   *body = ct_error_json("54000", "the body is larger than the receiver's --max-body");

			ct_respond(con, 413, body, true, false);
			bytes = strlen(body);
			free(body);
			status = 413;
		}
		else
		{
			if (req->body == NULL)
				req->body = strdup("");
			req->body[req->len] = '\0';
			ct_peek(req->body, req->len, type, id);
			status = ct_answer_firehose(con, req, &bytes);
		}
		ct_metrics_request(status, ct_now() - req->started);
	}
	else if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0)
		status = ct_answer_health(con);
	else if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0)
	{
		char	   *text = ct_metrics_text();

		ct_respond(con, 200, text, false, false);
		bytes = strlen(text);
		free(text);
		status = 200;
	}
	else
	{
		ct_respond(con, 404, "{\"error\": {\"sqlstate\": \"42704\", \"message\": \"not found: POST /firehose, GET /healthz, GET /metrics\"}}",
				   true, false);
		status = 404;
	}
	ct_log("status=%d bytes=%zu ms=%.1f %s %s%s%s%s%s", status, bytes, (ct_now() - req->started) * 1000,
		   method, url, type[0] ? " type=" : "", type, id[0] ? " id=" : "", id);
	return MHD_YES;
}

/* The end of a request: forget it. */
static void
ct_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	CtRequest  *req = *con_cls;

	if (req == NULL)
		return;
	ct_unreserve(req);
	free(req->body);
	free(req);
	*con_cls = NULL;
	pthread_mutex_lock(&ct_inflight_mutex);
	ct_inflight--;
	pthread_mutex_unlock(&ct_inflight_mutex);
}

/* ---------------------------------------------------------------------
 * Start-up
 * ---------------------------------------------------------------------
 */

int
main(int argc, char **argv)
{
	struct MHD_Daemon *daemon;
	struct sockaddr_in addr;
	sigset_t	stop_signals;
	int			sig;
	MHD_socket	listener;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_ITC | MHD_USE_ERROR_LOG;

	ct_config_load(argc, argv);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(ct_config.listen_port);
	addr.sin_addr = ct_config.listen_addr;

	/*
	 * SIGTERM and SIGINT are blocked in every thread (the server's threads
	 * inherit the mask) and taken by the main thread with sigwait().
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	ct_pool_init(ct_config.dsn, ct_config.pool, ct_session_setup);
	if (ct_config.tls_cert != NULL)
		flags |= MHD_USE_TLS;
	daemon = MHD_start_daemon(flags, (uint16_t) ct_config.listen_port, NULL, NULL, ct_handle, NULL,
							  MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
							  MHD_OPTION_NOTIFY_COMPLETED, ct_completed, NULL,
							  MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 1000,
							  /* large reads: a body of 360 KB in a dozen reads, not a hundred */
							  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (1024 * 1024),
							  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
							  ct_config.tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, ct_config.tls_cert,
							  MHD_OPTION_HTTPS_MEM_KEY, ct_config.tls_key,
							  MHD_OPTION_END);
	if (daemon == NULL)
	{
		ct_complain("cannot listen on %s:%d", ct_config.listen_host, ct_config.listen_port);
		return 1;
	}
	ct_log("listening on %s%s:%d, mode %s, pool %d", ct_config.tls_cert ? "https://" : "http://",
		   ct_config.listen_host, ct_config.listen_port, ct_config.queue ? "queue" : "direct", ct_config.pool);

	while (sigwait(&stop_signals, &sig) != 0)
		;
	ct_stop = 1;

	/* stop accepting, let the requests in flight finish, then stop */
	ct_log("stopping on %s: finishing the requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	listener = MHD_quiesce_daemon(daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	for (;;)
	{
		int			n;

		pthread_mutex_lock(&ct_inflight_mutex);
		n = ct_inflight;
		pthread_mutex_unlock(&ct_inflight_mutex);
		if (n == 0)
			break;
		usleep(20000);
	}
	MHD_stop_daemon(daemon);
	ct_pool_close();
	ct_log("stopped");
	return 0;
}
