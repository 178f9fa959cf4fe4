/*
 * serve.c
 *	  GET /metrics (Prometheus text) and GET /healthz (200 when the
 *	  database answers, else 503) on --metrics, with libmicrohttpd, one
 *	  thread answering one request at a time: a scraper's load.  Nothing
 *	  else is served.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "common_pool.h"
#include "config.h"
#include "metrics.h"
#include "serve.h"
#include "statements.h"

static struct MHD_Daemon *ct_daemon;

/* Whether the database answers SELECT 1 now. */
static bool
ct_database_answers(void)
{
	CtConn	   *c;
	PGresult   *r;
	bool		ok;

	if (ct_pool_acquire(1000, &c) != CT_ACQUIRED)
		return false;
	r = ct_stmt_exec(c, CT_STMT_HEALTH, 0, NULL);
	ok = r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	ct_pool_release(c);
	return ok;
}

/* Send one answer; body is malloc'd and freed by libmicrohttpd. */
static enum MHD_Result
ct_answer(struct MHD_Connection *con, unsigned int status, const char *type, char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ok;

	MHD_add_response_header(r, "Content-Type", type);
	ok = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
ct_handle(void *cls, struct MHD_Connection *con, const char *url, const char *method,
		  const char *version, const char *upload_data, size_t *upload_data_size, void **state)
{
	if (strcmp(method, "GET") != 0)
		return ct_answer(con, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", strdup("GET only\n"));
	if (strcmp(url, "/metrics") == 0)
		return ct_answer(con, MHD_HTTP_OK, "text/plain; version=0.0.4", ct_metrics_text());
	if (strcmp(url, "/healthz") == 0)
	{
		if (ct_database_answers())
			return ct_answer(con, MHD_HTTP_OK, "text/plain", strdup("ok\n"));
		return ct_answer(con, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", strdup("database unavailable\n"));
	}
	return ct_answer(con, MHD_HTTP_NOT_FOUND, "text/plain", strdup("not found\n"));
}

/* See serve.h. */
bool
ct_serve_start(void)
{
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t) ct_config.metrics_port);
	addr.sin_addr = ct_config.metrics_addr;
	ct_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
								 (uint16_t) ct_config.metrics_port, NULL, NULL, ct_handle, NULL,
								 MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr,
								 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 16,
								 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 30,
								 MHD_OPTION_END);
	return ct_daemon != NULL;
}

/* See serve.h. */
void
ct_serve_stop(void)
{
	if (ct_daemon != NULL)
		MHD_stop_daemon(ct_daemon);
	ct_daemon = NULL;
}
