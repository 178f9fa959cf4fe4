/*
 * pool.c
 *	  A fixed pool of connections to the database.  A request takes one,
 *	  waiting a short while when all are in use (then the caller answers
 *	  429); a connection that broke is closed and made again when next
 *	  needed, no sooner than its backoff allows (meanwhile 503).  Each
 *	  connection sets statement_timeout and plan_cache_mode (a generic plan
 *	  does not copy the message into the plan; on a Citus cluster a custom
 *	  one lets Citus route the call), and prepares its statements.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "receiver.h"

struct CtConn
{
	PGconn	   *pg;				/* NULL when not connected */
	bool		in_use;
	double		retry_at;		/* not before this (ct_now) after a failure */
	double		backoff;		/* seconds */
	bool		reused;			/* connected before this use */
};

static CtConn *ct_conns;
static pthread_mutex_t ct_pool_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_pool_cond;

/*
 * On a Citus cluster (ct_distribute()), the call names the message's
 * project and is nothing but the call, planned for its values: Citus then
 * sends it to the worker that holds the project (docs/scaling.md).
 */
static const char ct_firehose_citus[] =
	"SELECT ctaudience.ct_firehose(coalesce(ctaudience.ct_message_project($1::text), ''), $1::text)";

static const char *const ct_stmt_sql[] = {
	[CT_STMT_FIREHOSE] = "SELECT ctaudience.ct_firehose($1::text)::text",
	[CT_STMT_ENQUEUE] = "SELECT ctaudience.ct_firehose_enqueue($1::text)::text",
	[CT_STMT_HEALTH] = "SELECT 1",
	[CT_STMT_INBOX] = "SELECT pending, dead FROM ctaudience.ct_inbox_depth()",
};

static bool ct_connect(CtConn *c);

/*
 * Set up the pool and connect it, so that the first requests do not wait
 * for connections; a connection that cannot be made now is made on first
 * use (the receiver starts, and answers 503, while the database is down).
 */
void
ct_pool_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ct_pool_cond, &attr);
	ct_conns = calloc(ct_config.pool, sizeof(CtConn));
	for (int i = 0; i < ct_config.pool; i++)
		ct_conns[i].backoff = 0.1;
	/* when one fails, the database is not there: the others would fail alike */
	for (int i = 0; i < ct_config.pool && ct_connect(&ct_conns[i]); i++)
		;
}

/* Connect, configure and prepare; false (logged) on failure. */
static bool
ct_connect(CtConn *c)
{
	char		setting[160];
	PGresult   *r;
	bool		distributed;

	c->pg = PQconnectdb(ct_config.dsn);
	if (PQstatus(c->pg) != CONNECTION_OK)
	{
		ct_log_error("database connection failed", PQerrorMessage(c->pg));
		goto fail;
	}
	r = PQexec(c->pg, "SELECT ctaudience.ct_is_distributed()");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		ct_log_error("database session set-up failed", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	distributed = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	snprintf(setting, sizeof(setting),
			 "SET application_name = 'ctaudience-receiver'; SET statement_timeout = %d;"
			 " SET plan_cache_mode = %s", ct_config.statement_timeout,
			 distributed ? "force_custom_plan" : "force_generic_plan");
	r = PQexec(c->pg, setting);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		ct_log_error("database session set-up failed", PQresultErrorMessage(r));
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	for (int s = 0; s < (int) (sizeof(ct_stmt_sql) / sizeof(ct_stmt_sql[0])); s++)
	{
		char		name[16];

		snprintf(name, sizeof(name), "ct%d", s);
		r = PQprepare(c->pg, name, distributed && s == CT_STMT_FIREHOSE ? ct_firehose_citus : ct_stmt_sql[s],
					  s == CT_STMT_FIREHOSE || s == CT_STMT_ENQUEUE ? 1 : 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
		{
			/* e.g. ct_inbox_depth missing: the extension is older than the receiver */
			ct_log_error("preparing a statement failed", PQresultErrorMessage(r));
			PQclear(r);
			goto fail;
		}
		PQclear(r);
	}
	/*
	 * Load the extension's library in the new backend now, rather than in
	 * the first request it serves.
	 */
	{
		char		name[16];

		snprintf(name, sizeof(name), "ct%d", (int) CT_STMT_INBOX);
		PQclear(PQexecPrepared(c->pg, name, 0, NULL, NULL, NULL, 0));
	}
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
		for (int i = 0; i < ct_config.pool && c == NULL; i++)
			if (!ct_conns[i].in_use && ct_conns[i].pg != NULL)
				c = &ct_conns[i];
		for (int i = 0; i < ct_config.pool && c == NULL; i++)
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
	for (int i = 0; i < ct_config.pool; i++)
		n += ct_conns[i].in_use;
	pthread_mutex_unlock(&ct_pool_mutex);
	return n;
}

/* See receiver.h. */
PGresult *
ct_conn_exec(CtConn *c, CtStmt stmt, const char *param, int len)
{
	char		name[16];
	const char *values[1] = {param};
	int			lengths[1] = {len};
	PGresult   *r;

	snprintf(name, sizeof(name), "ct%d", (int) stmt);
	for (int attempt = 0;; attempt++)
	{
		r = PQexecPrepared(c->pg, name, param ? 1 : 0, values, lengths, NULL, 0);
		if (PQstatus(c->pg) == CONNECTION_OK)
			return r;
		PQclear(r);
		PQfinish(c->pg);
		c->pg = NULL;

		/*
		 * A connection that had been idle may have been closed by a restart
		 * of the server in the meantime: one fresh connection is tried at
		 * once.  (Sending a message twice is harmless: the extension answers
		 * a message id it has answered with the same response.)
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
	for (int i = 0; i < ct_config.pool; i++)
		if (ct_conns[i].pg != NULL)
			PQfinish(ct_conns[i].pg);
}
