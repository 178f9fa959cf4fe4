/*
 * common_metrics.h
 *	  A histogram of seconds in Prometheus text format, for any ctaudience
 *	  program's GET /metrics (no HTTP, nothing of the receiver).  It takes
 *	  no lock: the caller holds the one that guards its other counters.
 */
#ifndef CT_COMMON_METRICS_H
#define CT_COMMON_METRICS_H

#include <stdio.h>

#define CT_HISTOGRAM_BUCKETS 12

typedef struct CtHistogram
{
	unsigned long bucket[CT_HISTOGRAM_BUCKETS]; /* up to each bound */
	unsigned long count;
	double		sum;
} CtHistogram;

extern void ct_histogram_observe(CtHistogram *h, double seconds);
extern void ct_histogram_print(FILE *f, const char *name, const char *help, const CtHistogram *h);

#endif							/* CT_COMMON_METRICS_H */
