/*
 * receiver.h
 *	  ctaudience-receiver: the HTTP endpoint mParticle posts Firehose
 *	  messages to, in front of a PostgreSQL database with ctaudience.
 */
#ifndef CT_RECEIVER_H
#define CT_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "common_log.h"
#include "config.h"

/* ---- pool.c: a fixed pool of database connections ---- */

typedef struct CtConn CtConn;

typedef enum CtAcquire
{
	CT_ACQUIRED,
	CT_POOL_BUSY,				/* every connection in use past the wait: 429 */
	CT_DB_DOWN					/* no connection to the database: 503 */
} CtAcquire;

extern void ct_pool_init(void);
extern CtAcquire ct_pool_acquire(int wait_ms, CtConn **conn);
extern void ct_pool_release(CtConn *conn);
extern void ct_pool_close(void);
extern int	ct_pool_in_use(void);

/*
 * Run one of the receiver's statements with one text parameter.  The
 * result (NULL when the connection broke) is the caller's to PQclear; a
 * broken connection is closed, to be made again with backoff.
 */
typedef enum CtStmt
{
	CT_STMT_FIREHOSE,			/* ct_firehose($1::text) */
	CT_STMT_ENQUEUE,			/* ct_firehose_enqueue($1::text) */
	CT_STMT_HEALTH,				/* SELECT 1 */
	CT_STMT_INBOX				/* ct_inbox_depth() */
} CtStmt;
extern PGresult *ct_conn_exec(CtConn *conn, CtStmt stmt, const char *param, int len);

/* ---- metrics.c: Prometheus counters ---- */

extern void ct_metrics_request(int status, double seconds);
extern char *ct_metrics_text(void);	/* malloc'd */

#endif							/* CT_RECEIVER_H */
