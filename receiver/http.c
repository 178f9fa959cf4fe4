/*
 * http.c
 *	  The receiver's HTTP server (libmicrohttpd): POST /firehose, GET
 *	  /healthz, GET /metrics.  A few threads poll every connection (epoll)
 *	  and never wait for the database: a request that may (all three) is
 *	  suspended, its work queued for work.c's threads, and resumed with its
 *	  answer, so an idle or slow connection costs a little memory and no
 *	  thread.  body.c gathers a body within --max-body and --max-buffered,
 *	  watch.c holds each connection to its deadlines, answer.c says what
 *	  to answer; every answer leaves through ct_finish, which sends it,
 *	  counts it (/firehose) and logs it in one line on stderr that never
 *	  holds the body or a passcode (what the client sent of its head is
 *	  escaped and cut there: it cannot forge a line).
 */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "answer.h"
#include "body.h"
#include "common_log.h"
#include "config.h"
#include "http.h"
#include "metrics.h"
#include "peek.h"
#include "watch.h"
#include "work.h"

/*
 * What a log line shows at most of the method, the URL and Content-Length
 * a client sent (ct_log_text: escaped, then cut with "...").
 */
#define CT_LOG_METHOD 32
#define CT_LOG_URL 256
#define CT_LOG_LENGTH 32

/* Seconds the answers 429 and 503 ask mParticle to wait before retrying. */
#define CT_RETRY_AFTER "5"

/*
 * libmicrohttpd's memory per connection (its default): the request head,
 * and reads of a body up to that size.  An idle connection that has served
 * a request holds all of it (the library clears it between requests);
 * larger reads were no faster.
 */
#define CT_CONNECTION_MEMORY ((size_t) (32 * 1024))

/*
 * libmicrohttpd's own idle timer, in seconds past --head-timeout: the
 * deadlines of watch.c come first; this one closes a client that does not
 * read its answer.
 */
#define CT_IDLE_SECONDS 60

/*
 * How long GET /healthz waits for the side worker before it answers from
 * what is known.
 */
#define CT_HEALTH_WAIT_MS 50

static struct MHD_Daemon *ct_daemon;
static CtWork *ct_db_work;		/* POST /firehose: --pool threads */
static CtWork *ct_side_work;	/* GET /healthz and /metrics: one thread */
static volatile sig_atomic_t ct_stopping = 0;
static pthread_mutex_t ct_inflight_mutex = PTHREAD_MUTEX_INITIALIZER;
static int	ct_inflight = 0;

/* What a request accumulates between the calls of the access handler. */
typedef struct CtRequest
{
	CtJob		job;			/* first: the request is its own job */
	struct MHD_Connection *con;
	CtWatched  *watched;		/* its connection's */
	double		started;
	CtBody		body;
	bool		answered;		/* resumed with answer */
	CtAnswer	answer;
	const char *content_length; /* refused on it: logged */
	char		type[CT_PEEK_SIZE]; /* the message's, for the log line */
	char		id[CT_PEEK_SIZE];
} CtRequest;

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
 * close when asked or once stopping), counted when it is a /firehose
 * request, logged in one line, freed.
 */
static enum MHD_Result
ct_finish(struct MHD_Connection *con, CtRequest *req, const char *method, const char *url,
		  CtAnswer answer)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(answer.body), answer.body,
															 MHD_RESPMEM_MUST_COPY);
	double		seconds;
	char		logged_method[CT_LOG_METHOD];
	char		logged_url[CT_LOG_URL];
	char		logged_length[CT_LOG_LENGTH];

	ct_watch_busy(req->watched);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
							answer.json ? "application/json" : "text/plain; version=0.0.4");
	if (answer.status == 429 || answer.status == 503)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, CT_RETRY_AFTER);
	if (ct_stopping || answer.close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	MHD_queue_response(con, answer.status, r);
	MHD_destroy_response(r);

	seconds = ct_now() - req->started;
	if (strcmp(url, "/firehose") == 0)
		ct_metrics_request(answer.status, seconds);
	/* the method, the URL (decoded) and Content-Length are the client's */
	ct_log("status=%d bytes=%zu ms=%.1f %s %s%s%s%s%s%s%s", answer.status,
		   answer.log_bytes ? strlen(answer.body) : 0, seconds * 1000,
		   ct_log_text(logged_method, sizeof(logged_method), method),
		   ct_log_text(logged_url, sizeof(logged_url), url),
		   req->content_length ? " content_length=" : "",
		   req->content_length ? ct_log_text(logged_length, sizeof(logged_length), req->content_length) : "",
		   req->type[0] ? " type=" : "", req->type, req->id[0] ? " id=" : "", req->id);
	free(answer.body);
	return MHD_YES;
}

/* A new request, counted in flight until ct_completed. */
static CtRequest *
ct_request_start(struct MHD_Connection *con)
{
	CtRequest  *req = calloc(1, sizeof(CtRequest));

	req->con = con;
	req->watched = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context;
	req->started = ct_now();
	pthread_mutex_lock(&ct_inflight_mutex);
	ct_inflight++;
	pthread_mutex_unlock(&ct_inflight_mutex);
	return req;
}

/* What a head says of where its body ends. */
typedef struct CtFraming
{
	const char *length;			/* the first Content-Length */
	bool		conflict;		/* another Content-Length that differs */
	bool		chunked;		/* Transfer-Encoding */
} CtFraming;

/* One header of the head, for ct_framing_in_doubt. */
static enum MHD_Result
ct_framing_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	CtFraming  *f = cls;

	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
	{
		if (f->length != NULL && strcmp(f->length, value) != 0)
			f->conflict = true;
		f->length = value;
	}
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		f->chunked = true;
	return MHD_YES;
}

/*
 * Whether where the body ends is in doubt: Content-Length headers that
 * differ, or one beside Transfer-Encoding.  libmicrohttpd would read the
 * first, or the chunks; a proxy in front may have read another, and
 * passed a second request inside this one's body (RFC 9112, 6.3).
 */
static bool
ct_framing_in_doubt(struct MHD_Connection *con)
{
	CtFraming	f = {NULL, false, false};

	MHD_get_connection_values(con, MHD_HEADER_KIND, ct_framing_header, &f);
	return f.conflict || (f.length != NULL && f.chunked);
}

/*
 * A POST /firehose, on its head: refused before its body is read (the rest
 * is discarded) for a wrong bearer token, or a Content-Length over
 * --max-body or what the budget has left.
 */
static bool
ct_refused_early(struct MHD_Connection *con, CtRequest *req, CtAnswer *answer)
{
	const char *cl;
	unsigned long long length;

	if (!ct_authorized(con))
	{
		*answer = ct_answer_unauthorized();
		return true;
	}
	cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return false;
	length = strtoull(cl, NULL, 10);
	if (length > (unsigned long long) ct_config.max_body)
		*answer = ct_answer_too_big();
	else if (!ct_body_fits((size_t) length))
		*answer = ct_answer_over_budget();
	else
	{
		req->body.expected = (size_t) length;
		return false;
	}
	req->content_length = cl;
	return true;
}

/* The work is done: back to libmicrohttpd's threads, to send req->answer. */
static void
ct_resume(CtRequest *req, CtAnswer answer)
{
	req->answer = answer;
	req->answered = true;
	MHD_resume_connection(req->con);
}

/* A worker: the message's answer from the database. */
static void
ct_job_firehose(CtJob *job)
{
	CtRequest  *req = (CtRequest *) job;
	double		wait = (job->deadline - ct_now()) * 1000;

	ct_peek(req->body.data, req->body.len, req->type, req->id);
	ct_resume(req, ct_answer_firehose(ct_body_text(&req->body), req->body.len, req->type,
									  wait > 0 ? (int) wait : 0));
}

/* No worker came free within --pool-wait. */
static void
ct_job_busy(CtJob *job)
{
	CtRequest  *req = (CtRequest *) job;

	ct_peek(req->body.data, req->body.len, req->type, req->id);
	ct_resume(req, ct_answer_busy());
}

/* The side worker: GET /healthz. */
static void
ct_job_health(CtJob *job)
{
	ct_resume((CtRequest *) job, ct_answer_health());
}

/* The side worker is busy (a call that hangs, a flood of health checks): what is known. */
static void
ct_job_health_known(CtJob *job)
{
	ct_resume((CtRequest *) job, ct_answer_health_known());
}

/* The side worker: GET /metrics. */
static void
ct_job_metrics(CtJob *job)
{
	ct_resume((CtRequest *) job, ct_answer_metrics());
}

/*
 * Suspend the request's connection and queue its work; a job with expire
 * is expired (instead of run) when no worker took it within wait_ms.
 */
static enum MHD_Result
ct_suspend(CtRequest *req, CtWork *work, CtJobFn run, CtJobFn expire, int wait_ms)
{
	req->job.run = run;
	req->job.expire = expire;
	req->job.deadline = expire != NULL ? ct_now() + wait_ms / 1000.0 : 0;
	MHD_suspend_connection(req->con);
	ct_work_submit(work, &req->job);
	return MHD_YES;
}

/* The whole request is in: answered now, or suspended until its work is done. */
static enum MHD_Result
ct_route(struct MHD_Connection *con, CtRequest *req, const char *method, const char *url)
{
	CtAnswer	answer;

	ct_watch_busy(req->watched);
	if (strcmp(url, "/firehose") == 0)
	{
		if (strcmp(method, "POST") != 0)
			answer = ct_answer_wrong_method();
		else if (req->body.state == CT_BODY_OVER_BUDGET)
			answer = ct_answer_over_budget();
		else if (req->body.state == CT_BODY_TOO_BIG)
			answer = ct_answer_too_big();
		else if (req->body.len > 0 && memchr(req->body.data, '\0', req->body.len) != NULL)
			answer = ct_answer_nul_byte();
		else
			return ct_suspend(req, ct_db_work, ct_job_firehose, ct_job_busy, ct_config.pool_wait);
	}
	else if (strcmp(url, "/healthz") == 0 && strcmp(method, "GET") == 0)
		return ct_suspend(req, ct_side_work, ct_job_health, ct_job_health_known, CT_HEALTH_WAIT_MS);
	else if (strcmp(url, "/metrics") == 0 && strcmp(method, "GET") == 0)
		return ct_suspend(req, ct_side_work, ct_job_metrics, NULL, 0);
	else
		answer = ct_answer_not_found();
	return ct_finish(con, req, method, url, answer);
}

/*
 * libmicrohttpd's access handler: called on the head, on each part of the
 * body, once the request is in, and once more after its work resumed it.
 */
static enum MHD_Result
ct_handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
		  const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	CtRequest  *req = *con_cls;
	CtAnswer	answer;

	if (req == NULL)
	{
		*con_cls = req = ct_request_start(con);
		if (ct_framing_in_doubt(con))
			return ct_finish(con, req, method, url, ct_answer_bad_framing());
		if (strcmp(url, "/firehose") == 0 && strcmp(method, "POST") == 0 &&
			ct_refused_early(con, req, &answer))
			return ct_finish(con, req, method, url, answer);
		ct_watch_body(req->watched);
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		size_t		n = *upload_data_size;

		*upload_data_size = 0;
		ct_watch_received(req->watched, n);
		return ct_body_take(&req->body, upload_data, n) ? MHD_YES : MHD_NO;
	}
	if (req->answered)
		return ct_finish(con, req, method, url, req->answer);
	return ct_route(con, req, method, url);
}

/* The end of a request: forget it; its connection waits for the next head. */
static void
ct_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	CtRequest  *req = *con_cls;

	if (req == NULL)
		return;
	ct_watch_head(req->watched);
	ct_body_free(&req->body);
	free(req);
	*con_cls = NULL;
	pthread_mutex_lock(&ct_inflight_mutex);
	ct_inflight--;
	pthread_mutex_unlock(&ct_inflight_mutex);
}

/* A connection opened or closed: watched while it is open. */
static void
ct_connection(void *cls, struct MHD_Connection *con, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = ct_watch_open(MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd);
	else if (*socket_context != NULL)
	{
		ct_watch_close(*socket_context);
		*socket_context = NULL;
	}
}

/*
 * libmicrohttpd's messages, in the log.  A client can cause one per
 * connection, so each message (by its format) is logged at most once every
 * CT_SERVER_LOG_SECONDS, with how many times it was left out meanwhile.
 */
#define CT_SERVER_LOG_SECONDS 10
#define CT_SERVER_LOG_KINDS 16
static void ct_server_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
ct_server_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
	static struct
	{
		const char *fmt;
		double		at;
		long		left_out;
	}			kinds[CT_SERVER_LOG_KINDS];
	char		line[512];
	double		now = ct_now();
	int			k = 0;
	long		left_out;

	pthread_mutex_lock(&mutex);
	for (int i = 1; i < CT_SERVER_LOG_KINDS && kinds[k].fmt != fmt; i++)
		if (kinds[i].fmt == fmt || kinds[i].at < kinds[k].at)
			k = i;
	if (kinds[k].fmt == fmt && now - kinds[k].at < CT_SERVER_LOG_SECONDS)
	{
		kinds[k].left_out++;
		pthread_mutex_unlock(&mutex);
		return;
	}
	left_out = kinds[k].fmt == fmt ? kinds[k].left_out : 0;
	kinds[k].fmt = fmt;
	kinds[k].at = now;
	kinds[k].left_out = 0;
	pthread_mutex_unlock(&mutex);
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	if (left_out > 0)
		ct_log("libmicrohttpd: %s (%ld more since this line last)", line, left_out);
	else
		ct_log("libmicrohttpd: %s", line);
}

/* Threads that poll the connections: one a CPU, from 2 to 8. */
static unsigned int
ct_server_threads(void)
{
	long		n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 8 ? 8 : (unsigned int) n;
}

/* Listen on --listen (HTTPS with --tls-cert); false when it cannot. */
bool
ct_http_start(void)
{
	struct sockaddr_in addr;
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(ct_config.listen_port);
	addr.sin_addr = ct_config.listen_addr;
	if (ct_config.tls_cert != NULL)
		flags |= MHD_USE_TLS;
	ct_watch_start();
	ct_db_work = ct_work_start(ct_config.pool);
	ct_side_work = ct_work_start(1);
	ct_daemon = MHD_start_daemon(flags, (uint16_t) ct_config.listen_port, NULL, NULL, ct_handle, NULL,
								 MHD_OPTION_EXTERNAL_LOGGER, ct_server_log, NULL,
								 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
								 MHD_OPTION_THREAD_POOL_SIZE, ct_server_threads(),
								 MHD_OPTION_NOTIFY_COMPLETED, ct_completed, NULL,
								 MHD_OPTION_NOTIFY_CONNECTION, ct_connection, NULL,
								 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) ct_config.connection_slots,
								 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) ct_config.max_per_address,
								 MHD_OPTION_CONNECTION_MEMORY_LIMIT, CT_CONNECTION_MEMORY,
								 MHD_OPTION_CONNECTION_TIMEOUT,
								 (unsigned int) (ct_config.head_timeout / 1000 + CT_IDLE_SECONDS),
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
	ct_work_stop(ct_db_work);
	ct_work_stop(ct_side_work);
	ct_watch_stop();
}
