/*
 * common_pool.h
 *	  A fixed pool of libpq connections to the database, for any ctaudience
 *	  program: the program says how a new connection is set up.
 */
#ifndef CT_COMMON_POOL_H
#define CT_COMMON_POOL_H

#include <stdbool.h>

#include <libpq-fe.h>

typedef struct CtConn CtConn;
typedef struct CtPool CtPool;

typedef enum CtAcquire
{
	CT_ACQUIRED,
	CT_POOL_BUSY,				/* every connection in use past the wait */
	CT_DB_DOWN					/* no connection to the database */
} CtAcquire;

/*
 * Makes a new connection ready (its settings, its prepared statements);
 * false, with a log line, when it cannot.
 */
typedef bool (*CtConnSetup) (PGconn *pg);

/* The program's pool; the calls that name no pool take from it. */
extern void ct_pool_init(const char *dsn, int size, CtConnSetup setup);
extern CtAcquire ct_pool_acquire(int wait_ms, CtConn **conn);
extern int	ct_pool_in_use(void);
extern void ct_pool_close(void);

/*
 * Another pool: the DSN with host and port (when host is not NULL) over its
 * own; connected now or on first use.
 */
extern CtPool *ct_pool_create(const char *dsn, const char *host, const char *port, int size,
							  CtConnSetup setup, bool connect_now);
extern CtAcquire ct_pool_take(CtPool *pool, int wait_ms, CtConn **conn);
extern void ct_pool_destroy(CtPool *pool);

/* Give a connection back, to the pool it came from. */
extern void ct_pool_release(CtConn *conn);

/*
 * Run a statement the set-up prepared.  The result (NULL when the
 * connection broke) is the caller's to PQclear; a broken connection is
 * closed, to be made again with backoff.  When a connection that had been
 * idle broke, the statement is sent once more on a fresh one: it must be
 * harmless to run twice.
 */
extern PGresult *ct_conn_exec(CtConn *conn, const char *name, int nparams,
							  const char *const *values, const int *lengths);

#endif							/* CT_COMMON_POOL_H */
