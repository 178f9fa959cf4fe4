/*
 * http.c
 *	  The receiver's HTTP server (libmicrohttpd, a thread per connection):
 *	  POST /firehose, GET /healthz, GET /metrics.  A body is gathered within
 *	  --max-body and --max-buffered; answer.c says what to answer; and every
 *	  answer leaves through ct_finish, which sends it, counts it (/firehose)
 *	  and logs it in one line on stderr that never holds the body or a
 *	  passcode.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "answer.h"
#include "common_log.h"
#include "config.h"
#include "http.h"
#include "metrics.h"
#include "peek.h"

/* Seconds the answers 429 and 503 ask mParticle to wait before retrying. */
#define CT_RETRY_AFTER "5"

/* Large reads: a body of 360 KB in a dozen reads, not a hundred. */
#define CT_CONNECTION_MEMORY ((size_t) (1024 * 1024))

static struct MHD_Daemon *ct_daemon;
static volatile sig_atomic_t ct_stopping = 0;
static pthread_mutex_t ct_inflight_mutex = PTHREAD_MUTEX_INITIALIZER;
static int	ct_inflight = 0;

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
	const char *content_length; /* refused on it: logged */
	char		type[CT_PEEK_SIZE]; /* the message's, for the log line */
	char		id[CT_PEEK_SIZE];
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

/* Whether the request carries the shared secret, when one is configured. */
static bool
ct_authorized(struct MHD_Connection *con)
{
	const char *h;

	if (ct_config.secret == NULL)
		return true;
	h = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncmp(h, "Bearer ", 7) != 0)
		return false;
	return ct_secret_equal(h + 7, ct_config.secret);
}

/*
 * Every answer ends here: sent (Retry-After on 429 and 503; Connection:
 * close once stopping), counted when it is a /firehose request, logged in
 * one line, freed.
 */
static enum MHD_Result
ct_finish(struct MHD_Connection *con, CtRequest *req, const char *method, const char *url,
		  CtAnswer answer)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(answer.body), answer.body,
															 MHD_RESPMEM_MUST_COPY);
	double		seconds;

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
							answer.json ? "application/json" : "text/plain; version=0.0.4");
	if (answer.status == 429 || answer.status == 503)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, CT_RETRY_AFTER);
	if (ct_stopping)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	MHD_queue_response(con, answer.status, r);
	MHD_destroy_response(r);

	seconds = ct_now() - req->started;
	if (strcmp(url, "/firehose") == 0)
		ct_metrics_request(answer.status, seconds);
	ct_log("status=%d bytes=%zu ms=%.1f %s %s%s%s%s%s%s%s", answer.status,
		   answer.log_bytes ? strlen(answer.body) : 0, seconds * 1000, method, url,
		   req->content_length ? " content_length=" : "", req->content_length ? req->content_length : "",
		   req->type[0] ? " type=" : "", req->type, req->id[0] ? " id=" : "", req->id);
	free(answer.body);
	return MHD_YES;
}

/* A new request, counted in flight until ct_completed. */
static CtRequest *
ct_request_start(void)
{
	CtRequest  *req = calloc(1, sizeof(CtRequest));

	req->started = ct_now();
	pthread_mutex_lock(&ct_inflight_mutex);
	ct_inflight++;
	pthread_mutex_unlock(&ct_inflight_mutex);
	return req;
}

/*
 * A POST /firehose, on its headers: refused before its body is read (the
 * rest is discarded) for a wrong bearer token, or a Content-Length over
 * --max-body or the budget.
 */
static bool
ct_refused_early(struct MHD_Connection *con, CtRequest *req, CtAnswer *answer)
{
	const char *cl;

	if (!ct_authorized(con))
	{
		*answer = ct_answer_unauthorized();
		return true;
	}
	cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtol(cl, NULL, 10) > ct_config.max_body)
		*answer = ct_answer_too_big();
	else if (cl != NULL && !ct_reserve(req, (size_t) strtol(cl, NULL, 10) + 1))
		*answer = ct_answer_over_budget();
	else
		return false;
	req->content_length = cl;
	return true;
}

/* A part of the body: kept, or, once over a limit, dropped. */
static enum MHD_Result
ct_take_body(CtRequest *req, const char *data, size_t n)
{
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
	memcpy(req->body + req->len, data, n);
	req->len += n;
	return MHD_YES;
}

/* The whole request is in: its answer. */
static CtAnswer
ct_route(CtRequest *req, const char *method, const char *url)
{
	if (strcmp(url, "/firehose") == 0)
	{
		if (strcmp(method, "POST") != 0)
			return ct_answer_wrong_method();
		if (req->over_budget)
			return ct_answer_over_budget();
		if (req->too_big)
			return ct_answer_too_big();
		if (req->body == NULL)
			req->body = strdup("");
		req->body[req->len] = '\0';
		ct_peek(req->body, req->len, req->type, req->id);
		return ct_answer_firehose(req->body, req->len);
	}
	if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0)
		return ct_answer_health();
	if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0)
		return ct_answer_metrics();
	return ct_answer_not_found();
}

/* libmicrohttpd's access handler: called on the headers, on each part of the body, then once more. */
static enum MHD_Result
ct_handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
		  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	CtRequest  *req = *con_cls;
	CtAnswer	answer;

	if (req == NULL)
	{
		*con_cls = req = ct_request_start();
		if (strcmp(url, "/firehose") == 0 && strcmp(method, "POST") == 0 &&
			ct_refused_early(con, req, &answer))
			return ct_finish(con, req, method, url, answer);
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		size_t		n = *upload_data_size;

		*upload_data_size = 0;
		return ct_take_body(req, upload_data, n);
	}
	return ct_finish(con, req, method, url, ct_route(req, method, url));
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

/* Listen on --listen (HTTPS with --tls-cert); false when it cannot. */
bool
ct_http_start(void)
{
	struct sockaddr_in addr;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_ITC | MHD_USE_ERROR_LOG;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(ct_config.listen_port);
	addr.sin_addr = ct_config.listen_addr;
	if (ct_config.tls_cert != NULL)
		flags |= MHD_USE_TLS;
	ct_daemon = MHD_start_daemon(flags, (uint16_t) ct_config.listen_port, NULL, NULL, ct_handle, NULL,
								 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
								 MHD_OPTION_NOTIFY_COMPLETED, ct_completed, NULL,
								 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 1000,
								 MHD_OPTION_CONNECTION_MEMORY_LIMIT, CT_CONNECTION_MEMORY,
								 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 120,
								 ct_config.tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, ct_config.tls_cert,
								 MHD_OPTION_HTTPS_MEM_KEY, ct_config.tls_key,
								 MHD_OPTION_END);
	return ct_daemon != NULL;
}

/* Stop accepting, let the requests in flight finish, then stop. */
void
ct_http_stop(void)
{
	MHD_socket	listener;

	ct_stopping = 1;
	listener = MHD_quiesce_daemon(ct_daemon);
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
	MHD_stop_daemon(ct_daemon);
}
