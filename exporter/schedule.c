/*
 * schedule.c
 *	  The passes.  A pass asks the extension which projects have something
 *	  to send now (ct_export_due) and hands each to one of --workers
 *	  threads, which exports it until it has nothing more to send
 *	  (pump.c); each project's requests go one at a time, as the extension
 *	  leases one request of a project at a time.  A project whose request
 *	  is to be retried waits here, not in a worker: it is left out of the
 *	  passes until its time comes, and the next pass begins then if that is
 *	  before --interval has passed.
 *
 *	  --once: one pass; the projects of that pass that wait for a retry are
 *	  tried again when their time comes, at most CT_ONCE_TRIES times in a
 *	  row, and the run ends when none is left to try.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common_log.h"
#include "common_pool.h"
#include "config.h"
#include "metrics.h"
#include "pace.h"
#include "post.h"
#include "pump.h"
#include "schedule.h"
#include "secrets.h"
#include "statements.h"

/* --once: how many tries in a row a project's request gets in the run */
#define CT_ONCE_TRIES 5

/* A project that waits to try again. */
typedef struct CtWaiting
{
	char	   *project_id;
	double		not_before;		/* ct_now() */
	double		lease_ends;		/* its last request leased until */
	int			failures;		/* in a row, in this run */
} CtWaiting;

/*
 * What the main thread and the workers share, under ct_mutex: the pass's
 * projects (the workers take them in order), the waiting projects, and
 * the stop.
 */
static pthread_mutex_t ct_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_work = PTHREAD_COND_INITIALIZER;	/* a project to take, or
															 * the stop */
static pthread_cond_t ct_idle = PTHREAD_COND_INITIALIZER;	/* the pass is done, or
															 * the stop */
static char **ct_pass;
static int	ct_pass_len;
static int	ct_pass_next;
static int	ct_busy;
static int	ct_posted;			/* requests posted in the pass */
static bool ct_stop_asked;
static CtWaiting *ct_waiting;
static int	ct_nwaiting;

/* The waiting entry of a project, or NULL; ct_mutex held. */
static CtWaiting *
ct_waiting_find(const char *project_id)
{
	for (int i = 0; i < ct_nwaiting; i++)
		if (strcmp(ct_waiting[i].project_id, project_id) == 0)
			return &ct_waiting[i];
	return NULL;
}

/* Forget the waiting entry i; ct_mutex held. */
static void
ct_waiting_drop(int i)
{
	free(ct_waiting[i].project_id);
	ct_waiting[i] = ct_waiting[--ct_nwaiting];
}

/* What a project's export ended with decides when it is tried again; ct_mutex held. */
static void
ct_note(const char *project_id, CtPumpEnd end, const CtPumped *out)
{
	CtWaiting  *w = ct_waiting_find(project_id);
	double		wait;

	if (end == CT_PUMP_STOPPED)
		return;

	/*
	 * Nothing to claim for a project whose request is to be retried: the
	 * extension may hold the request for the rest of the lease it gave (and
	 * for Retry-After); it hands it out again then.  Until the lease ends,
	 * the project keeps waiting and is asked again after its backoff.
	 */
	if (end == CT_PUMP_DONE && out->requests == 0 && w != NULL && ct_now() < w->lease_ends)
	{
		wait = ct_backoff(w->failures, ct_config.max_backoff);
		if (wait > w->lease_ends - ct_now())
			wait = w->lease_ends - ct_now() + 0.1;
		w->not_before = ct_now() + wait;
		return;
	}
	if (end == CT_PUMP_DONE || end == CT_PUMP_PAUSED)
	{
		if (w != NULL)
			ct_waiting_drop(w - ct_waiting);
		return;
	}
	if (w == NULL)
	{
		ct_waiting = realloc(ct_waiting, (ct_nwaiting + 1) * sizeof(CtWaiting));
		w = &ct_waiting[ct_nwaiting++];
		w->project_id = strdup(project_id);
		w->failures = 0;
	}
	w->failures++;
	w->lease_ends = out->requests > 0 ? ct_now() + ct_config.lease : 0;
	if (end == CT_PUMP_RETRY)
		wait = out->retry_in;
	else if (end == CT_PUMP_NO_SECRET)
	{
		/*
		 * only a change of the secrets file helps: nothing to retry in this
		 * run
		 */
		wait = ct_config.interval;
		if (ct_config.once)
			w->failures = CT_ONCE_TRIES;
	}
	else
		wait = ct_backoff(w->failures, ct_config.max_backoff);
	w->not_before = ct_now() + wait;
}

/* A worker: takes the pass's projects one after the other, until the stop. */
static void *
ct_worker(void *arg)
{
	CtPoster   *poster = ct_poster_new();

	pthread_mutex_lock(&ct_mutex);
	for (;;)
	{
		char	   *project_id;
		CtPumped	out;
		CtPumpEnd	end;

		while (!ct_stop_asked && ct_pass_next >= ct_pass_len)
			pthread_cond_wait(&ct_work, &ct_mutex);
		if (ct_stop_asked)
			break;
		project_id = ct_pass[ct_pass_next++];
		ct_busy++;
		pthread_mutex_unlock(&ct_mutex);

		end = ct_pump(poster, project_id, &out);

		pthread_mutex_lock(&ct_mutex);
		ct_note(project_id, end, &out);
		ct_posted += out.requests;
		ct_busy--;
		if (ct_busy == 0 && (ct_stop_asked || ct_pass_next >= ct_pass_len))
			pthread_cond_broadcast(&ct_idle);
	}
	pthread_mutex_unlock(&ct_mutex);
	ct_poster_free(poster);
	return NULL;
}

/* See schedule.h. */
void
ct_schedule_stop(void)
{
	ct_stop();
	pthread_mutex_lock(&ct_mutex);
	ct_stop_asked = true;
	pthread_cond_broadcast(&ct_work);
	pthread_cond_broadcast(&ct_idle);
	pthread_mutex_unlock(&ct_mutex);
}

/*
 * The projects ct_export_due() lists now (malloc'd strings), or -1 when
 * the database could not be asked.
 */
static int
ct_due(char ***projects)
{
	CtConn	   *conn;
	PGresult   *r;
	int			n;

	*projects = NULL;
	if (ct_pool_acquire(10000, &conn) != CT_ACQUIRED)
	{
		ct_log("no connection to the database now: the projects due are asked again later");
		ct_metrics_database_error();
		return -1;
	}
	r = ct_stmt_exec(conn, CT_STMT_DUE, 0, NULL);
	ct_pool_release(conn);
	if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		ct_log_error("ct_export_due failed", r != NULL ? PQresultErrorMessage(r) : "the connection to the database broke");
		ct_metrics_database_error();
		PQclear(r);
		return -1;
	}
	n = PQntuples(r);
	*projects = calloc(n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
		(*projects)[i] = strdup(PQgetvalue(r, i, 0));
	PQclear(r);
	return n;
}

/*
 * One pass over projects: those not waiting for a later try are handed to
 * the workers, and this returns when they are done (or at a stop).
 * Waiting entries of projects that are not in the list are forgotten (no
 * longer due: paused, disabled, or sent by another exporter).  Returns
 * the requests posted.
 */
static int
ct_pass_over(char **projects, int n)
{
	double		now = ct_now();
	int			posted;

	pthread_mutex_lock(&ct_mutex);
	for (int i = ct_nwaiting - 1; i >= 0; i--)
	{
		bool		listed = false;

		for (int k = 0; k < n && !listed; k++)
			listed = strcmp(projects[k], ct_waiting[i].project_id) == 0;
		if (!listed)
			ct_waiting_drop(i);
	}
	ct_pass = calloc(n + 1, sizeof(char *));
	ct_pass_len = 0;
	for (int k = 0; k < n; k++)
	{
		CtWaiting  *w = ct_waiting_find(projects[k]);

		if (w == NULL || (w->not_before <= now && !(ct_config.once && w->failures >= CT_ONCE_TRIES)))
			ct_pass[ct_pass_len++] = projects[k];
	}
	ct_pass_next = 0;
	ct_posted = 0;
	pthread_cond_broadcast(&ct_work);
	/* at a stop no project begins; the requests in flight use their names */
	while ((!ct_stop_asked && ct_pass_next < ct_pass_len) || ct_busy > 0)
		pthread_cond_wait(&ct_idle, &ct_mutex);
	ct_metrics_pass(n, ct_nwaiting);
	/* the workers take no more from it */
	ct_pass_len = ct_pass_next = 0;
	free(ct_pass);
	ct_pass = NULL;
	posted = ct_posted;
	pthread_mutex_unlock(&ct_mutex);
	return posted;
}

/*
 * When the next pass is due: after --interval, or sooner when a waiting
 * project's time comes first.  --once: when the next waiting project that
 * has tries left may try again; -1 when none has.
 */
static double
ct_next_pass(double pass_started)
{
	double		next = ct_config.once ? -1 : pass_started + ct_config.interval;

	pthread_mutex_lock(&ct_mutex);
	for (int i = 0; i < ct_nwaiting; i++)
	{
		if (ct_config.once && ct_waiting[i].failures >= CT_ONCE_TRIES)
			continue;
		if (next < 0 || ct_waiting[i].not_before < next)
			next = ct_waiting[i].not_before;
	}
	pthread_mutex_unlock(&ct_mutex);
	return next;
}

/* --once: the projects of the first pass still waiting (malloc'd), to try again. */
static int
ct_still_waiting(char ***projects)
{
	int			n;

	pthread_mutex_lock(&ct_mutex);
	n = ct_nwaiting;
	*projects = calloc(n + 1, sizeof(char *));
	for (int i = 0; i < n; i++)
		(*projects)[i] = strdup(ct_waiting[i].project_id);
	pthread_mutex_unlock(&ct_mutex);
	return n;
}

static void
ct_free_list(char **projects, int n)
{
	for (int i = 0; i < n; i++)
		free(projects[i]);
	free(projects);
}

/* See schedule.h. */
int
ct_schedule_run(void)
{
	pthread_t  *workers = calloc(ct_config.workers, sizeof(pthread_t));
	int			db_failures = 0;
	int			status = 0;
	bool		first = true;

	for (int i = 0; i < ct_config.workers; i++)
		pthread_create(&workers[i], NULL, ct_worker, NULL);

	while (!ct_stopping())
	{
		double		started = ct_now();
		double		next;
		char	  **projects;
		int			n;
		int			posted;

		ct_secrets_refresh();
		n = first || !ct_config.once ? ct_due(&projects) : ct_still_waiting(&projects);
		if (n < 0)
		{
			/*
			 * the database cannot be asked: again after a backoff, up to the
			 * interval
			 */
			db_failures++;
			if (ct_config.once && db_failures >= CT_ONCE_TRIES)
			{
				status = 1;
				break;
			}
			ct_wait(ct_backoff(db_failures, ct_config.once ? ct_config.max_backoff : ct_config.interval));
			continue;
		}
		db_failures = 0;
		first = false;
		posted = ct_pass_over(projects, n);
		ct_free_list(projects, n);
		if (posted > 0)
			ct_log("pass: %d project%s due, %d request%s posted in %.1f s", n, n == 1 ? "" : "s",
				   posted, posted == 1 ? "" : "s", ct_now() - started);
		next = ct_next_pass(started);
		if (next < 0)
			break;
		ct_wait(next - ct_now());
	}

	/* --once: a project whose tries ran out was left with something to send */
	if (ct_config.once && !ct_stopping() && ct_nwaiting > 0)
		status = 1;
	ct_schedule_stop();
	for (int i = 0; i < ct_config.workers; i++)
		pthread_join(workers[i], NULL);
	free(workers);
	return status;
}
