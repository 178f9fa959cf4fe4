/*
 * route.h
 *	  On a Citus cluster, a message's call sent straight to the worker that
 *	  holds its project.
 */
#ifndef CT_ROUTE_H
#define CT_ROUTE_H

#include <stddef.h>

#include <libpq-fe.h>

typedef enum CtRouted
{
	CT_ROUTED,					/* the worker's result */
	CT_ROUTE_DSN,				/* call the --dsn node, as without routing */
	CT_ROUTE_BUSY				/* every connection to the worker busy */
} CtRouted;

/*
 * The call of a message (body, len bytes, nul-terminated) on the worker
 * that holds its project: *result (the caller's to PQclear) when
 * CT_ROUTED; its first column is ct_firehose's answer.  CT_ROUTE_DSN when
 * the receiver does not route (--route-workers off, queue mode, one node,
 * no project peeked, an erasure: see route.c) or the worker's connection
 * failed.
 */
extern CtRouted ct_route_firehose(const char *body, size_t len, const char *type, int wait_ms,
								  PGresult **result);

/* Close the workers' connections (at exit). */
extern void ct_route_close(void);

#endif							/* CT_ROUTE_H */
