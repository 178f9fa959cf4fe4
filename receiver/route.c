/*
 * route.c
 *	  On a Citus cluster, the worker that holds a message's project, and
 *	  connections to it: the receiver sends the call there itself, so the
 *	  coordinator (--dsn) is not in the data path.
 *
 * Where a project is kept is asked of the --dsn node once
 * (ct_project_node) and kept.  The worker answers each call with where the
 * project is kept when not there any more (its shards moved: the worker sent
 * the call on to the node that holds them, through Citus, and answered it
 * all the same), and the receiver keeps that from then on.  A worker whose
 * connection fails or cannot be made loses its projects: the message goes
 * through the --dsn node, and the next one asks again.  Each worker has a
 * pool of --pool connections of its own, made when first needed, with the
 * --dsn's parameters but the worker's host and port.
 *
 * Erasures still go through the --dsn node: there the coordinator also
 * takes the subject out of the messages its inbox holds (docs/scaling.md).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common_log.h"
#include "common_pool.h"
#include "config.h"
#include "metrics.h"
#include "peek.h"
#include "route.h"
#include "statements.h"

#define CT_ROUTE_BUCKETS 4096
#define CT_MAX_WORKERS 256
/* seconds a project kept on the --dsn node is kept so, before it is asked again */
#define CT_ROUTE_RECHECK 60.0
/*
 * projects whose place is kept at most: a place is learned before the
 * message is authenticated (any accountId posted is asked for), so the
 * table is bounded (about 100 bytes a project); past it a project not yet
 * known goes through the --dsn node, which routes it itself
 */
#define CT_ROUTE_MAX_PLACES 65536

typedef struct CtWorker
{
	char	   *host;
	char	   *port;
	CtPool	   *pool;
} CtWorker;

/* Where a project is kept: a worker, or -1: the --dsn node (or unknown). */
typedef struct CtPlace
{
	struct CtPlace *next;
	int			worker;
	double		at;				/* ct_now() when learned */
	char		project[CT_PEEK_SIZE];
} CtPlace;

static pthread_mutex_t ct_route_mutex = PTHREAD_MUTEX_INITIALIZER;
static CtPlace *ct_places[CT_ROUTE_BUCKETS];
static int	ct_nplaces = 0;
static CtWorker ct_workers[CT_MAX_WORKERS];
static int	ct_nworkers = 0;

/* FNV-1a of a project id. */
static unsigned
ct_route_hash(const char *project)
{
	uint32_t	h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *) project; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % CT_ROUTE_BUCKETS;
}

/* The entry of project; NULL when none.  Under ct_route_mutex. */
static CtPlace *
ct_route_find(const char *project)
{
	for (CtPlace *p = ct_places[ct_route_hash(project)]; p != NULL; p = p->next)
		if (strcmp(p->project, project) == 0)
			return p;
	return NULL;
}

/* The worker at host:port, added when new; -1 past CT_MAX_WORKERS.  Under ct_route_mutex. */
static int
ct_route_worker(const char *host, const char *port)
{
	int			w;

	for (w = 0; w < ct_nworkers; w++)
		if (strcmp(ct_workers[w].host, host) == 0 && strcmp(ct_workers[w].port, port) == 0)
			return w;
	if (ct_nworkers == CT_MAX_WORKERS)
		return -1;
	ct_workers[w].host = strdup(host);
	ct_workers[w].port = strdup(port);
	ct_workers[w].pool = ct_pool_create(ct_config.dsn, ct_workers[w].host, ct_workers[w].port,
										ct_config.pool, ct_worker_session_setup, false);
	ct_nworkers++;
	ct_log("routing to the worker %s port %s", host, port);
	return w;
}

/* Keep that project is kept on host:port (NULL host: on the --dsn node). */
static void
ct_route_learn(const char *project, const char *host, const char *port)
{
	CtPlace    *p;

	pthread_mutex_lock(&ct_route_mutex);
	p = ct_route_find(project);
	if (p == NULL)
	{
		unsigned	h = ct_route_hash(project);

		if (ct_nplaces >= CT_ROUTE_MAX_PLACES ||
			(p = calloc(1, sizeof(CtPlace))) == NULL)
		{
			pthread_mutex_unlock(&ct_route_mutex);
			return;
		}
		ct_nplaces++;
		strcpy(p->project, project);
		p->next = ct_places[h];
		ct_places[h] = p;
	}
	p->worker = host != NULL ? ct_route_worker(host, port) : -1;
	p->at = ct_now();
	pthread_mutex_unlock(&ct_route_mutex);
}

/* Forget where project is kept: it is asked again. */
static void
ct_route_forget(const char *project)
{
	CtPlace    *p;

	pthread_mutex_lock(&ct_route_mutex);
	p = ct_route_find(project);
	if (p != NULL)
		p->at = 0;
	pthread_mutex_unlock(&ct_route_mutex);
}

/*
 * The worker of project, asked of the --dsn node when not known: -1 for
 * the --dsn node itself, or when it cannot be known now.
 */
static int
ct_route_lookup(const char *project, int wait_ms)
{
	CtPlace    *p;
	int			worker = -1;
	bool		known = false;
	CtConn	   *c;
	PGresult   *r;

	pthread_mutex_lock(&ct_route_mutex);
	p = ct_route_find(project);
	if (p != NULL && p->at > 0 && (p->worker >= 0 || ct_now() - p->at < CT_ROUTE_RECHECK))
	{
		known = true;
		worker = p->worker;
	}
	pthread_mutex_unlock(&ct_route_mutex);
	if (known)
		return worker;

	if (ct_pool_acquire(wait_ms, &c) != CT_ACQUIRED)
		return -1;
	r = ct_stmt_exec(c, CT_STMT_NODE, project, (int) strlen(project));
	ct_pool_release(c);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
	{
		PQclear(r);
		return -1;
	}
	ct_metrics_add(CT_STAT_ROUTE_LOOKUP, 1);
	ct_route_learn(project, PQgetisnull(r, 0, 0) ? NULL : PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
	pthread_mutex_lock(&ct_route_mutex);
	p = ct_route_find(project);
	worker = p != NULL ? p->worker : -1;
	pthread_mutex_unlock(&ct_route_mutex);
	return worker;
}

/* See route.h. */
CtRouted
ct_route_firehose(const char *body, size_t len, const char *type, int wait_ms, PGresult **result)
{
	char		project[CT_PEEK_SIZE];
	int			worker;
	CtPool	   *pool;
	CtConn	   *c;
	PGresult   *r;

	if (!ct_config.route_workers || ct_config.queue || !ct_session_is_distributed() ||
		strcmp(type, "dsr_processing_request") == 0)
		return CT_ROUTE_DSN;
	ct_peek_project(body, len, project);
	if (project[0] == '\0')
		return CT_ROUTE_DSN;
	worker = ct_route_lookup(project, wait_ms);
	if (worker < 0)
		return CT_ROUTE_DSN;
	pthread_mutex_lock(&ct_route_mutex);
	pool = ct_workers[worker].pool;
	pthread_mutex_unlock(&ct_route_mutex);

	switch (ct_pool_take(pool, wait_ms, &c))
	{
		case CT_POOL_BUSY:
			return CT_ROUTE_BUSY;
		case CT_DB_DOWN:
			ct_route_forget(project);
			ct_metrics_add(CT_STAT_ROUTE_FALLBACK, 1);
			return CT_ROUTE_DSN;
		case CT_ACQUIRED:
			break;
	}
	r = ct_worker_exec(c, project, body, (int) len);
	ct_pool_release(c);
	if (r == NULL)
	{
		/* the connection broke: whether the call committed, a retry tells */
		ct_route_forget(project);
		ct_metrics_add(CT_STAT_ROUTE_FALLBACK, 1);
		return CT_ROUTE_DSN;
	}
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 1))
	{
		/* the shards moved: the worker sent the call on; next time there */
		ct_route_learn(project, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
		ct_metrics_add(CT_STAT_ROUTE_MOVED, 1);
	}
	ct_metrics_add(CT_STAT_ROUTE_WORKER, 1);
	*result = r;
	return CT_ROUTED;
}

/* See route.h. */
void
ct_route_close(void)
{
	pthread_mutex_lock(&ct_route_mutex);
	for (int w = 0; w < ct_nworkers; w++)
		ct_pool_destroy(ct_workers[w].pool);
	pthread_mutex_unlock(&ct_route_mutex);
}
