/*
 * work.c
 *	  Work that may block, off the HTTP server's threads: a queue of jobs,
 *	  taken in order by a fixed number of worker threads.  A job no worker
 *	  has taken by its deadline is not run but expired, by a thread that
 *	  sleeps until the earliest deadline.  The server's threads therefore
 *	  never wait for the database, however long its calls take.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "common_log.h"
#include "metrics.h"
#include "work.h"

struct CtWork
{
	pthread_mutex_t mutex;
	pthread_cond_t ready;		/* a job queued, or stopping: for workers */
	pthread_cond_t changed;		/* the queue changed: for the expirer */
	CtJob	   *head;
	CtJob	   *tail;
	bool		stopping;
	int			nthreads;
	pthread_t  *threads;		/* the workers, then the expirer */
};

/* Take the queue's first job; NULL when stopping. */
static CtJob *
ct_work_take(CtWork *work)
{
	CtJob	   *job;

	pthread_mutex_lock(&work->mutex);
	while (work->head == NULL && !work->stopping)
		pthread_cond_wait(&work->ready, &work->mutex);
	job = work->head;
	if (job != NULL)
	{
		work->head = job->next;
		if (work->head == NULL)
			work->tail = NULL;
	}
	pthread_mutex_unlock(&work->mutex);
	return job;
}

/* A worker: runs jobs in turn. */
static void *
ct_work_worker(void *arg)
{
	CtWork	   *work = arg;
	CtJob	   *job;

	while ((job = ct_work_take(work)) != NULL)
	{
		ct_metrics_add(CT_STAT_WAITING, -1);
		job->run(job);
	}
	return NULL;
}

/* The seconds of ct_now() as a CLOCK_MONOTONIC time. */
static struct timespec
ct_work_when(double at)
{
	struct timespec ts;

	ts.tv_sec = (time_t) at;
	ts.tv_nsec = (long) ((at - (double) ts.tv_sec) * 1e9);
	return ts;
}

/* The expirer: takes out the jobs past their deadline and expires them. */
static void *
ct_work_expirer(void *arg)
{
	CtWork	   *work = arg;

	pthread_mutex_lock(&work->mutex);
	while (!work->stopping)
	{
		double		now = ct_now();
		double		next = 0;
		CtJob	   *expired = NULL;
		CtJob	  **link = &work->head;

		work->tail = NULL;
		while (*link != NULL)
		{
			CtJob	   *job = *link;

			if (job->deadline > 0 && job->deadline <= now)
			{
				*link = job->next;
				job->next = expired;
				expired = job;
				continue;
			}
			if (job->deadline > 0 && (next == 0 || job->deadline < next))
				next = job->deadline;
			work->tail = job;
			link = &job->next;
		}
		if (expired != NULL)
		{
			pthread_mutex_unlock(&work->mutex);
			while (expired != NULL)
			{
				CtJob	   *job = expired;

				expired = job->next;
				ct_metrics_add(CT_STAT_WAITING, -1);
				job->expire(job);
			}
			pthread_mutex_lock(&work->mutex);
			continue;
		}
		if (next == 0)
			pthread_cond_wait(&work->changed, &work->mutex);
		else
		{
			struct timespec until = ct_work_when(next);

			pthread_cond_timedwait(&work->changed, &work->mutex, &until);
		}
	}
	pthread_mutex_unlock(&work->mutex);
	return NULL;
}

/* A queue, its worker threads and its expirer. */
CtWork *
ct_work_start(int threads)
{
	CtWork	   *work = calloc(1, sizeof(CtWork));
	pthread_condattr_t attr;

	pthread_mutex_init(&work->mutex, NULL);
	pthread_cond_init(&work->ready, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&work->changed, &attr);
	work->nthreads = threads;
	work->threads = calloc(threads + 1, sizeof(pthread_t));
	for (int i = 0; i < threads; i++)
		pthread_create(&work->threads[i], NULL, ct_work_worker, work);
	pthread_create(&work->threads[threads], NULL, ct_work_expirer, work);
	return work;
}

/* Queue a job: run by the first free worker, or expired at its deadline. */
void
ct_work_submit(CtWork *work, CtJob *job)
{
	ct_metrics_add(CT_STAT_WAITING, 1);
	job->next = NULL;
	pthread_mutex_lock(&work->mutex);
	if (work->tail != NULL)
		work->tail->next = job;
	else
		work->head = job;
	work->tail = job;
	pthread_cond_signal(&work->ready);
	if (job->deadline > 0)
		pthread_cond_signal(&work->changed);
	pthread_mutex_unlock(&work->mutex);
}

/* Stop the threads once the jobs they run are done; the queue is empty by then. */
void
ct_work_stop(CtWork *work)
{
	pthread_mutex_lock(&work->mutex);
	work->stopping = true;
	pthread_cond_broadcast(&work->ready);
	pthread_cond_broadcast(&work->changed);
	pthread_mutex_unlock(&work->mutex);
	for (int i = 0; i <= work->nthreads; i++)
		pthread_join(work->threads[i], NULL);
	free(work->threads);
	free(work);
}
