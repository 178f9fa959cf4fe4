/*
 * metrics.h
 *	  The exporter's counters, for GET /metrics.
 */
#ifndef CT_METRICS_H
#define CT_METRICS_H

/* A request posted: its HTTP status (0: no answer), the outcome the extension gave, its size, the time. */
extern void ct_metrics_request(int status, const char *outcome, int batches, int events, double seconds);
extern void ct_metrics_database_error(void);
extern void ct_metrics_pass(int projects_due, int projects_waiting);
extern char *ct_metrics_text(void); /* malloc'd */

#endif							/* CT_METRICS_H */
