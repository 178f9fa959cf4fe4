/*
 * metrics.h
 *	  The receiver's counters, for GET /metrics.
 */
#ifndef CT_METRICS_H
#define CT_METRICS_H

/* What the other rooms keep current with ct_metrics_add. */
typedef enum CtStat
{
	CT_STAT_CONNECTIONS,		/* gauge: HTTP connections open */
	CT_STAT_BUFFERED,			/* gauge: body bytes held */
	CT_STAT_WAITING,			/* gauge: requests waiting for a worker thread */
	CT_STAT_CLOSED_HEAD,		/* counters: connections closed, by reason */
	CT_STAT_CLOSED_BODY,
	CT_STAT_CLOSED_FULL,
	CT_STAT_ROUTE_WORKER,		/* counters: route.c, by what happened */
	CT_STAT_ROUTE_FALLBACK,
	CT_STAT_ROUTE_LOOKUP,
	CT_STAT_ROUTE_MOVED,
	CT_NSTATS
} CtStat;

extern void ct_metrics_request(int status, double seconds);
extern void ct_metrics_add(CtStat stat, long delta);
extern char *ct_metrics_text(void); /* malloc'd */

#endif							/* CT_METRICS_H */
