/*
 * metrics.c
 *	  What GET /metrics reports, in Prometheus text format: requests by
 *	  HTTP status and by outcome, the batches and events mParticle
 *	  accepted, a histogram of the time a post takes, database errors, and
 *	  the passes.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common_metrics.h"
#include "config.h"
#include "metrics.h"

static const char *const ct_statuses[] = {"202", "400", "401", "403", "429", "5xx", "none", "other"};
#define CT_NSTATUS (sizeof(ct_statuses) / sizeof(ct_statuses[0]))
static const char *const ct_outcomes[] = {"accepted", "dead", "paused", "retry", "gone", "unrecorded"};
#define CT_NOUTCOME (sizeof(ct_outcomes) / sizeof(ct_outcomes[0]))

static pthread_mutex_t ct_metrics_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long ct_by_status[CT_NSTATUS];
static unsigned long ct_by_outcome[CT_NOUTCOME];
static unsigned long ct_batches;
static unsigned long ct_events;
static CtHistogram ct_latency;
static unsigned long ct_db_errors;
static unsigned long ct_passes;
static double ct_last_pass;		/* Unix time */
static int	ct_due;
static int	ct_waiting;

/* The label of an HTTP status. */
static size_t
ct_status_index(int status)
{
	switch (status)
	{
		case 202:
			return 0;
		case 400:
			return 1;
		case 401:
			return 2;
		case 403:
			return 3;
		case 429:
			return 4;
		case 0:
			return 6;
		default:
			return status >= 500 && status < 600 ? 5 : 7;
	}
}

/* See metrics.h; outcome NULL when the extension could not be told. */
void
ct_metrics_request(int status, const char *outcome, int batches, int events, double seconds)
{
	size_t		o = 0;

	while (o < CT_NOUTCOME - 1 && (outcome == NULL || strcmp(ct_outcomes[o], outcome) != 0))
		o++;
	pthread_mutex_lock(&ct_metrics_mutex);
	ct_by_status[ct_status_index(status)]++;
	ct_by_outcome[o]++;
	if (o == 0)
	{
		ct_batches += batches;
		ct_events += events;
	}
	ct_histogram_observe(&ct_latency, seconds);
	pthread_mutex_unlock(&ct_metrics_mutex);
}

/* A statement that failed, or no connection. */
void
ct_metrics_database_error(void)
{
	pthread_mutex_lock(&ct_metrics_mutex);
	ct_db_errors++;
	pthread_mutex_unlock(&ct_metrics_mutex);
}

/* A pass over the projects due: how many, and how many wait for a retry. */
void
ct_metrics_pass(int projects_due, int projects_waiting)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&ct_metrics_mutex);
	ct_passes++;
	ct_last_pass = ts.tv_sec + ts.tv_nsec / 1e9;
	ct_due = projects_due;
	ct_waiting = projects_waiting;
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
	fprintf(f, "# HELP ctaudience_exporter_requests_total Requests posted to the Events API, by HTTP status (none: no answer).\n"
			"# TYPE ctaudience_exporter_requests_total counter\n");
	for (size_t k = 0; k < CT_NSTATUS; k++)
		fprintf(f, "ctaudience_exporter_requests_total{status=\"%s\"} %lu\n", ct_statuses[k], ct_by_status[k]);
	fprintf(f, "# HELP ctaudience_exporter_outcomes_total Requests posted, by the outcome ct_export_result gave"
			" (gone: erased meanwhile; unrecorded: the database could not be told).\n"
			"# TYPE ctaudience_exporter_outcomes_total counter\n");
	for (size_t k = 0; k < CT_NOUTCOME; k++)
		fprintf(f, "ctaudience_exporter_outcomes_total{outcome=\"%s\"} %lu\n", ct_outcomes[k], ct_by_outcome[k]);
	fprintf(f, "# HELP ctaudience_exporter_batches_total Batches mParticle accepted.\n"
			"# TYPE ctaudience_exporter_batches_total counter\n"
			"ctaudience_exporter_batches_total %lu\n"
			"# HELP ctaudience_exporter_events_total Events mParticle accepted.\n"
			"# TYPE ctaudience_exporter_events_total counter\n"
			"ctaudience_exporter_events_total %lu\n", ct_batches, ct_events);
	ct_histogram_print(f, "ctaudience_exporter_request_seconds", "Time to post a request and get the answer.",
					   &ct_latency);
	fprintf(f, "# HELP ctaudience_exporter_database_errors_total Statements that failed, and connections that could not be made.\n"
			"# TYPE ctaudience_exporter_database_errors_total counter\n"
			"ctaudience_exporter_database_errors_total %lu\n", ct_db_errors);
	fprintf(f, "# HELP ctaudience_exporter_passes_total Passes over the projects due.\n"
			"# TYPE ctaudience_exporter_passes_total counter\n"
			"ctaudience_exporter_passes_total %lu\n"
			"# HELP ctaudience_exporter_last_pass_timestamp_seconds When the last pass began (Unix time).\n"
			"# TYPE ctaudience_exporter_last_pass_timestamp_seconds gauge\n"
			"ctaudience_exporter_last_pass_timestamp_seconds %.3f\n"
			"# HELP ctaudience_exporter_projects_due Projects ct_export_due() listed in the last pass.\n"
			"# TYPE ctaudience_exporter_projects_due gauge\n"
			"ctaudience_exporter_projects_due %d\n"
			"# HELP ctaudience_exporter_projects_backing_off Projects waiting to retry a request.\n"
			"# TYPE ctaudience_exporter_projects_backing_off gauge\n"
			"ctaudience_exporter_projects_backing_off %d\n", ct_passes, ct_last_pass, ct_due, ct_waiting);
	pthread_mutex_unlock(&ct_metrics_mutex);
	fprintf(f, "# HELP ctaudience_exporter_rate_limit Batches per second allowed (0: no limit).\n"
			"# TYPE ctaudience_exporter_rate_limit gauge\n"
			"ctaudience_exporter_rate_limit %d\n", ct_config.rate);
	fclose(f);
	return buf;
}
