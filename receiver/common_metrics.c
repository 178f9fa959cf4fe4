/*
 * common_metrics.c
 *	  The histogram of seconds: the same bounds for every program, from 5 ms
 *	  to 30 s, and its lines as Prometheus prints a histogram (cumulative
 *	  buckets, +Inf, sum, count).
 */
#include "common_metrics.h"

static const double ct_bounds[CT_HISTOGRAM_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

/* Count one observation. */
void
ct_histogram_observe(CtHistogram *h, double seconds)
{
	for (int b = 0; b < CT_HISTOGRAM_BUCKETS; b++)
		if (seconds <= ct_bounds[b])
			h->bucket[b]++;
	h->count++;
	h->sum += seconds;
}

/* Its HELP, TYPE and lines, as metric name. */
void
ct_histogram_print(FILE *f, const char *name, const char *help, const CtHistogram *h)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (int b = 0; b < CT_HISTOGRAM_BUCKETS; b++)
		fprintf(f, "%s_bucket{le=\"%g\"} %lu\n", name, ct_bounds[b], h->bucket[b]);
	fprintf(f, "%s_bucket{le=\"+Inf\"} %lu\n", name, h->count);
	fprintf(f, "%s_sum %.6f\n", name, h->sum);
	fprintf(f, "%s_count %lu\n", name, h->count);
}
