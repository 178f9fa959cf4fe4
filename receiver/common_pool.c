/*
 * common_pool.c
 *	  A fixed pool of connections to the database.  A caller takes one,
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
	PGconn	   *pg;				/* NULL when not connected */
	bool		in_use;
	double		retry_at;		/* not before this (ct_now) after a failure */
	double		backoff;		/* seconds */
	bool		reused;			/* connected before this use */
};

static CtConn *ct_conns;
static int	ct_pool_size;
static const char *ct_pool_dsn;
static CtConnSetup ct_pool_setup;
static pthread_mutex_t ct_pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_pool_cond;

static bool ct_connect(CtConn *c);

/*
 * Set up the pool and connect it, so that the first requests do not wait
 * for connections; a connection that cannot be made now is made on first
 * use (the program starts while the database is down).
 */
void
ct_pool_init(const char *dsn, int size, CtConnSetup setup)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ct_pool_cond, &attr);
	ct_pool_dsn = dsn;
	ct_pool_size = size;
	ct_pool_setup = setup;
	ct_conns = calloc(ct_pool_size, sizeof(CtConn));
	for (int i = 0; i < ct_pool_size; i++)
		ct_conns[i].backoff = 0.1;
	/* when one fails, the database is not there: the others would fail alike */
	for (int i = 0; i < ct_pool_size && ct_connect(&ct_conns[i]); i++)
		;
}

/* Connect and set up; false (logged) on failure. */
static bool
ct_connect(CtConn *c)
{
	c->pg = PQconnectdb(ct_pool_dsn);
	if (PQstatus(c->pg) != CONNECTION_OK)
	{
		ct_log_error("database connection failed", PQerrorMessage(c->pg));
		goto fail;
	}
	if (!ct_pool_setup(c->pg))
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
 * Take a connection: the first free one, waiting up to wait_ms for one to
 * be freed.  A free one that is not connected is connected now, unless its
 * backoff forbids it yet.
 */
CtAcquire
ct_pool_acquire(int wait_ms, CtConn **conn)
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
	pthread_mutex_lock(&ct_pool_mutex);
	for (;;)
	{
		/* a connected one first, then any free one */
		for (int i = 0; i < ct_pool_size && c == NULL; i++)
			if (!ct_conns[i].in_use && ct_conns[i].pg != NULL)
				c = &ct_conns[i];
		for (int i = 0; i < ct_pool_size && c == NULL; i++)
			if (!ct_conns[i].in_use)
				c = &ct_conns[i];
		if (c != NULL)
			break;
		if (pthread_cond_timedwait(&ct_pool_cond, &ct_pool_mutex, &deadline) == ETIMEDOUT)
		{
			pthread_mutex_unlock(&ct_pool_mutex);
			return CT_POOL_BUSY;
		}
	}
	c->in_use = true;
	pthread_mutex_unlock(&ct_pool_mutex);

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

/* Give a connection back. */
void
ct_pool_release(CtConn *c)
{
	pthread_mutex_lock(&ct_pool_mutex);
	c->in_use = false;
	pthread_cond_signal(&ct_pool_cond);
	pthread_mutex_unlock(&ct_pool_mutex);
}

/* How many connections are in use. */
int
ct_pool_in_use(void)
{
	int			n = 0;

	pthread_mutex_lock(&ct_pool_mutex);
	for (int i = 0; i < ct_pool_size; i++)
		n += ct_conns[i].in_use;
	pthread_mutex_unlock(&ct_pool_mutex);
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

/* Close every connection (at exit). */
void
ct_pool_close(void)
{
	for (int i = 0; i < ct_pool_size; i++)
		if (ct_conns[i].pg != NULL)
			PQfinish(ct_conns[i].pg);
}
