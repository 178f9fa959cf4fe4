/*
 * metrics.h
 *	  The receiver's counters, for GET /metrics.
 */
#ifndef CT_METRICS_H
#define CT_METRICS_H

extern void ct_metrics_request(int status, double seconds);
extern char *ct_metrics_text(void); /* malloc'd */

#endif							/* CT_METRICS_H */
