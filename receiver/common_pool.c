/*
 * common_pool.c
 *	  Fixed pools of connections to the database: the program's own
 *	  (ct_pool_init), and any others it makes (ct_pool_create: another node
 *	  of the same database, say).  A caller takes one,
 *	  waiting a short while when all are in use (CT_POOL_BUSY); a connection
 *	  that broke is closed and made again when next needed, no sooner than
 *	  its backoff allows (meanwhile CT_DB_DOWN).  Each new connection is set
 *	  up by the program's CtConnSetup.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "common_log.h"
#include "common_pool.h"

struct CtConn
{
	CtPool	   *pool;
	PGconn	   *pg;				/* NULL when not connected */
	bool		in_use;
	double		retry_at;		/* not before this (ct_now) after a failure */
	double		backoff;		/* seconds */
	bool		reused;			/* connected before this use */
};

struct CtPool
{
	CtConn	   *conns;
	int			size;
	/* the connection's parameters: the DSN, then host and port over it */
	const char *keywords[4];
	const char *values[4];
	CtConnSetup setup;
	pthread_mutex_t mutex;
	pthread_cond_t cond;
};

/* The pool of ct_pool_init, which the calls without a pool use. */
static CtPool *ct_pool;

static bool ct_connect(CtConn *c);

/* See common_pool.h. */
CtPool *
ct_pool_create(const char *dsn, const char *host, const char *port, int size, CtConnSetup setup,
			   bool connect_now)
{
	pthread_condattr_t attr;
	CtPool	   *pool = calloc(1, sizeof(CtPool));
	int			n = 0;

	pthread_mutex_init(&pool->mutex, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pool->cond, &attr);
	pool->keywords[n] = "dbname";
	pool->values[n++] = dsn;
	if (host != NULL)
	{
		pool->keywords[n] = "host";
		pool->values[n++] = host;
		pool->keywords[n] = "port";
		pool->values[n++] = port;
	}
	pool->keywords[n] = NULL;
	pool->values[n] = NULL;
	pool->size = size;
	pool->setup = setup;
	pool->conns = calloc(size, sizeof(CtConn));
	for (int i = 0; i < size; i++)
	{
		pool->conns[i].pool = pool;
		pool->conns[i].backoff = 0.1;
	}
	/* when one fails, the database is not there: the others would fail alike */
	for (int i = 0; i < size && connect_now && ct_connect(&pool->conns[i]); i++)
		;
	return pool;
}

/*
 * Set up the pool and connect it, so that the first requests do not wait
 * for connections; a connection that cannot be made now is made on first
 * use (the program starts while the database is down).
 */
void
ct_pool_init(const char *dsn, int size, CtConnSetup setup)
{
	ct_pool = ct_pool_create(dsn, NULL, NULL, size, setup, true);
}

/* Connect and set up; false (logged) on failure. */
static bool
ct_connect(CtConn *c)
{
	c->pg = PQconnectdbParams(c->pool->keywords, c->pool->values, 1);
	if (PQstatus(c->pg) != CONNECTION_OK)
	{
		ct_log_error("database connection failed", PQerrorMessage(c->pg));
		goto fail;
	}
	if (!c->pool->setup(c->pg))
		goto fail;
	c->backoff = 0.1;
	return true;

fail:
	PQfinish(c->pg);
	c->pg = NULL;
	c->retry_at = ct_now() + c->backoff;
	c->backoff = c->backoff * 2 > 10 ? 10 : c->backoff * 2;
	return false;
}

/*
 * Take a connection of pool: the first free one, waiting up to wait_ms for
 * one to be freed.  A free one that is not connected is connected now,
 * unless its backoff forbids it yet.
 */
CtAcquire
ct_pool_take(CtPool *pool, int wait_ms, CtConn **conn)
{
	struct timespec deadline;
	CtConn	   *c = NULL;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long) (wait_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000)
	{
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&pool->mutex);
	for (;;)
	{
		/* a connected one first, then any free one */
		for (int i = 0; i < pool->size && c == NULL; i++)
			if (!pool->conns[i].in_use && pool->conns[i].pg != NULL)
				c = &pool->conns[i];
		for (int i = 0; i < pool->size && c == NULL; i++)
			if (!pool->conns[i].in_use)
				c = &pool->conns[i];
		if (c != NULL)
			break;
		if (pthread_cond_timedwait(&pool->cond, &pool->mutex, &deadline) == ETIMEDOUT)
		{
			pthread_mutex_unlock(&pool->mutex);
			return CT_POOL_BUSY;
		}
	}
	c->in_use = true;
	pthread_mutex_unlock(&pool->mutex);

	if (c->pg != NULL && PQstatus(c->pg) != CONNECTION_OK)
	{
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->reused = (c->pg != NULL);
	if (c->pg == NULL && (ct_now() < c->retry_at || !ct_connect(c)))
	{
		ct_pool_release(c);
		return CT_DB_DOWN;
	}
	*conn = c;
	return CT_ACQUIRED;
}

/* Take a connection of the pool of ct_pool_init (see ct_pool_take). */
CtAcquire
ct_pool_acquire(int wait_ms, CtConn **conn)
{
	return ct_pool_take(ct_pool, wait_ms, conn);
}

/* Give a connection back to its pool. */
void
ct_pool_release(CtConn *c)
{
	CtPool	   *pool = c->pool;

	pthread_mutex_lock(&pool->mutex);
	c->in_use = false;
	pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->mutex);
}

/* How many connections of the pool of ct_pool_init are in use. */
int
ct_pool_in_use(void)
{
	int			n = 0;

	pthread_mutex_lock(&ct_pool->mutex);
	for (int i = 0; i < ct_pool->size; i++)
		n += ct_pool->conns[i].in_use;
	pthread_mutex_unlock(&ct_pool->mutex);
	return n;
}

/* See common_pool.h. */
PGresult *
ct_conn_exec(CtConn *c, const char *name, int nparams, const char *const *values, const int *lengths)
{
	PGresult   *r;

	for (int attempt = 0;; attempt++)
	{
		r = PQexecPrepared(c->pg, name, nparams, values, lengths, NULL, 0);
		if (PQstatus(c->pg) == CONNECTION_OK)
			return r;
		PQclear(r);
		PQfinish(c->pg);
		c->pg = NULL;

		/*
		 * A connection that had been idle may have been closed by a restart
		 * of the server in the meantime: one fresh connection is tried at
		 * once (so a statement may run twice; see common_pool.h).
		 */
		if (attempt > 0 || !c->reused || !ct_connect(c))
		{
			if (c->pg == NULL && c->retry_at < ct_now())
				c->retry_at = ct_now() + c->backoff;
			return NULL;
		}
		c->reused = false;
	}
}

/* Close every connection of pool (at exit). */
void
ct_pool_destroy(CtPool *pool)
{
	for (int i = 0; i < pool->size; i++)
		if (pool->conns[i].pg != NULL)
			PQfinish(pool->conns[i].pg);
}

/* Close every connection of the pool of ct_pool_init (at exit). */
void
ct_pool_close(void)
{
	ct_pool_destroy(ct_pool);
}
