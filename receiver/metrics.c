/*
 * metrics.c
 *	  What GET /metrics reports, in Prometheus text format: requests by
 *	  status, a histogram of the time /firehose requests take, the pool,
 *	  the connections and the bodies held.
 */
#include <pthread.h>
#include <stdio.h>

#include "common_metrics.h"
#include "common_pool.h"
#include "config.h"
#include "metrics.h"
#include "statements.h"

static const int ct_statuses[] = {200, 400, 401, 404, 405, 413, 429, 500, 503};
#define CT_NSTATUS (sizeof(ct_statuses) / sizeof(ct_statuses[0]))

static pthread_mutex_t ct_metrics_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long ct_by_status[CT_NSTATUS + 1];	/* the last: any other */
static CtHistogram ct_latency;
static long ct_stats[CT_NSTATS];

/* Each CtStat's line; the closed counters share one name, by reason, as the routes' do. */
#define CT_CLOSED "ctaudience_receiver_connections_closed_total"
#define CT_CLOSED_HELP "Connections the receiver closed: no request head within --head-timeout," \
	" a body under --min-body-rate, room for a new one past --max-connections."
#define CT_ROUTES "ctaudience_receiver_routes_total"
#define CT_ROUTES_HELP "On a Citus cluster: messages answered by the worker that holds their project (worker)," \
	" sent through the --dsn node after that worker's connection failed (fallback), placements asked of" \
	" the --dsn node (lookup), and found moved by the worker (moved)."
static const struct
{
	const char *name;
	const char *help;			/* NULL: the line before gave it */
	const char *label;			/* a counter's reason; NULL: a gauge */
}			ct_stat_lines[CT_NSTATS] = {
	[CT_STAT_CONNECTIONS] = {"ctaudience_receiver_connections", "HTTP connections open.", NULL},
	[CT_STAT_BUFFERED] = {"ctaudience_receiver_buffered_bytes", "Body bytes held (--max-buffered).", NULL},
	[CT_STAT_WAITING] = {"ctaudience_receiver_waiting", "Requests waiting for a worker thread.", NULL},
	[CT_STAT_CLOSED_HEAD] = {CT_CLOSED, CT_CLOSED_HELP, "head_timeout"},
	[CT_STAT_CLOSED_BODY] = {CT_CLOSED, NULL, "slow_body"},
	[CT_STAT_CLOSED_FULL] = {CT_CLOSED, NULL, "full"},
	[CT_STAT_ROUTE_WORKER] = {CT_ROUTES, CT_ROUTES_HELP, "worker"},
	[CT_STAT_ROUTE_FALLBACK] = {CT_ROUTES, NULL, "fallback"},
	[CT_STAT_ROUTE_LOOKUP] = {CT_ROUTES, NULL, "lookup"},
	[CT_STAT_ROUTE_MOVED] = {CT_ROUTES, NULL, "moved"},
};

/* Count a /firehose request: its status and how long it took. */
void
ct_metrics_request(int status, double seconds)
{
	size_t		k = 0;

	while (k < CT_NSTATUS && ct_statuses[k] != status)
		k++;
	pthread_mutex_lock(&ct_metrics_mutex);
	ct_by_status[k]++;
	ct_histogram_observe(&ct_latency, seconds);
	pthread_mutex_unlock(&ct_metrics_mutex);
}

/* Move a gauge or counter by delta. */
void
ct_metrics_add(CtStat stat, long delta)
{
	pthread_mutex_lock(&ct_metrics_mutex);
	ct_stats[stat] += delta;
	pthread_mutex_unlock(&ct_metrics_mutex);
}

/* The counters as Prometheus text (malloc'd). */
char *
ct_metrics_text(void)
{
	char	   *buf;
	size_t		size;
	FILE	   *f = open_memstream(&buf, &size);

	pthread_mutex_lock(&ct_metrics_mutex);
	fprintf(f, "# HELP ctaudience_receiver_requests_total Firehose requests answered, by HTTP status.\n"
			"# TYPE ctaudience_receiver_requests_total counter\n");
	for (size_t k = 0; k < CT_NSTATUS; k++)
		fprintf(f, "ctaudience_receiver_requests_total{status=\"%d\"} %lu\n", ct_statuses[k], ct_by_status[k]);
	fprintf(f, "ctaudience_receiver_requests_total{status=\"other\"} %lu\n", ct_by_status[CT_NSTATUS]);
	ct_histogram_print(f, "ctaudience_receiver_request_seconds", "Time to answer a Firehose request.", &ct_latency);
	for (int s = 0; s < CT_NSTATS; s++)
	{
		if (ct_stat_lines[s].help != NULL)
			fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", ct_stat_lines[s].name, ct_stat_lines[s].help,
					ct_stat_lines[s].name, ct_stat_lines[s].label ? "counter" : "gauge");
		if (ct_stat_lines[s].label != NULL)
			fprintf(f, "%s{reason=\"%s\"} %ld\n", ct_stat_lines[s].name, ct_stat_lines[s].label, ct_stats[s]);
		else
			fprintf(f, "%s %ld\n", ct_stat_lines[s].name, ct_stats[s]);
	}
	pthread_mutex_unlock(&ct_metrics_mutex);
	fprintf(f, "# HELP ctaudience_receiver_pool_connections Database connections of the pool.\n"
			"# TYPE ctaudience_receiver_pool_connections gauge\n"
			"ctaudience_receiver_pool_connections %d\n", ct_config.pool);
	fprintf(f, "# HELP ctaudience_receiver_pool_in_use Database connections in use.\n"
			"# TYPE ctaudience_receiver_pool_in_use gauge\n"
			"ctaudience_receiver_pool_in_use %d\n", ct_pool_in_use());
	if (ct_config.queue)
	{
		CtConn	   *c;

		/* the inbox, when a connection is free at once */
		if (ct_pool_acquire(0, &c) == CT_ACQUIRED)
		{
			PGresult   *r = ct_stmt_exec(c, CT_STMT_INBOX, NULL, 0);

			if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
				fprintf(f, "# HELP ctaudience_inbox_pending Queued messages not yet answered.\n"
						"# TYPE ctaudience_inbox_pending gauge\n"
						"ctaudience_inbox_pending %s\n"
						"# HELP ctaudience_inbox_dead Queued messages dead-lettered.\n"
						"# TYPE ctaudience_inbox_dead gauge\n"
						"ctaudience_inbox_dead %s\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
			PQclear(r);
			ct_pool_release(c);
		}
	}
	fclose(f);
	return buf;
}
