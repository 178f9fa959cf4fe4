/*
 * serve.h
 *	  The exporter's small HTTP server (--metrics): GET /metrics and
 *	  GET /healthz.
 */
#ifndef CT_SERVE_H
#define CT_SERVE_H

#include <stdbool.h>

extern bool ct_serve_start(void);	/* false when it cannot listen */
extern void ct_serve_stop(void);

#endif							/* CT_SERVE_H */
