/*
 * watch.c
 *	  Every open HTTP connection: what it is doing and since when.  A
 *	  connection ready for a request (accepted, or its previous answer
 *	  sent) must deliver the whole request head within --head-timeout; a
 *	  body, after its own first --head-timeout, must keep to
 *	  --min-body-rate bytes a second on average.  These are deadlines,
 *	  not idle timers: sending a byte now and then does not extend them.
 *	  A sweep every tenth of a second closes the connections past them.
 *	  Past --max-connections a new connection makes room by closing the
 *	  one that has waited longest for a request head (if more than a
 *	  second), or else the body furthest behind --min-body-rate, or else
 *	  the oldest head (when every connection is in a request and none is
 *	  behind, the new one is closed).  A connection
 *	  whose request is being answered has no deadline here.
 *
 *	  Closing is shutdown() of the socket: libmicrohttpd sees the end as
 *	  from any client that went away, and calls ct_watch_close before it
 *	  closes the socket, so the mutex held while shutting a socket down
 *	  keeps that socket the connection's.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "common_log.h"
#include "config.h"
#include "metrics.h"
#include "watch.h"

/* How often the sweep looks, and how often it may log what it closed. */
#define CT_SWEEP_SECONDS 0.1
#define CT_SWEEP_LOG_SECONDS 10

typedef enum CtPhase
{
	CT_PHASE_HEAD,				/* waiting for a request head */
	CT_PHASE_BODY,				/* the head is in, its body is arriving */
	CT_PHASE_BUSY				/* the request is in: being answered */
} CtPhase;

struct CtWatched
{
	int			fd;
	CtPhase		phase;
	double		since;			/* ct_now() when the phase began */
	size_t		received;		/* body bytes, in CT_PHASE_BODY */
	bool		closing;		/* shut down; libmicrohttpd has not seen it
								 * yet */
	CtWatched  *prev;
	CtWatched  *next;
};

static pthread_mutex_t ct_watch_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_watch_cond;
static CtWatched *ct_watched;	/* every open connection */
static int	ct_open;			/* of them, not closing */
static bool ct_watch_stopping;
static pthread_t ct_sweeper;
static long ct_closed[CT_NSTATS];	/* since the last log line */

/* Close a connection (the mutex held) and count why. */
static void
ct_watch_shut(CtWatched *w, CtStat why)
{
	shutdown(w->fd, SHUT_RDWR);
	w->closing = true;
	ct_open--;
	ct_closed[why]++;
	ct_metrics_add(why, 1);
}

/* Whether a connection is past its deadline at now. */
static CtStat
ct_watch_late(const CtWatched *w, double now)
{
	double		grace = ct_config.head_timeout / 1000.0;
	double		elapsed = now - w->since;

	if (w->phase == CT_PHASE_HEAD && elapsed > grace)
		return CT_STAT_CLOSED_HEAD;
	if (w->phase == CT_PHASE_BODY && ct_config.min_body_rate > 0 && elapsed > grace &&
		(double) w->received < (double) ct_config.min_body_rate * (elapsed - grace))
		return CT_STAT_CLOSED_BODY;
	return CT_NSTATS;
}

/* A line on what the sweep closed since the last one. */
static void
ct_watch_log(void)
{
	if (ct_closed[CT_STAT_CLOSED_HEAD] + ct_closed[CT_STAT_CLOSED_BODY] + ct_closed[CT_STAT_CLOSED_FULL] == 0)
		return;
	ct_log("connections closed: %ld with no request head within --head-timeout, %ld with a body"
		   " under --min-body-rate, %ld for room past --max-connections",
		   ct_closed[CT_STAT_CLOSED_HEAD], ct_closed[CT_STAT_CLOSED_BODY], ct_closed[CT_STAT_CLOSED_FULL]);
	ct_closed[CT_STAT_CLOSED_HEAD] = ct_closed[CT_STAT_CLOSED_BODY] = ct_closed[CT_STAT_CLOSED_FULL] = 0;
}

/* The sweep: closes the connections past their deadlines. */
static void *
ct_watch_sweep(void *arg)
{
	double		logged = ct_now();

	pthread_mutex_lock(&ct_watch_mutex);
	while (!ct_watch_stopping)
	{
		double		now = ct_now() + CT_SWEEP_SECONDS;
		struct timespec until;

		until.tv_sec = (time_t) now;
		until.tv_nsec = (long) ((now - (double) until.tv_sec) * 1e9);
		pthread_cond_timedwait(&ct_watch_cond, &ct_watch_mutex, &until);
		now = ct_now();
		for (CtWatched *w = ct_watched; w != NULL; w = w->next)
		{
			CtStat		why = w->closing ? CT_NSTATS : ct_watch_late(w, now);

			if (why != CT_NSTATS)
				ct_watch_shut(w, why);
		}
		if (now - logged >= CT_SWEEP_LOG_SECONDS)
		{
			ct_watch_log();
			logged = now;
		}
	}
	ct_watch_log();
	pthread_mutex_unlock(&ct_watch_mutex);
	return NULL;
}

/* Start the sweep. */
void
ct_watch_start(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ct_watch_cond, &attr);
	pthread_create(&ct_sweeper, NULL, ct_watch_sweep, NULL);
}

/* Stop the sweep (the server is stopped: no connection is left). */
void
ct_watch_stop(void)
{
	pthread_mutex_lock(&ct_watch_mutex);
	ct_watch_stopping = true;
	pthread_cond_signal(&ct_watch_cond);
	pthread_mutex_unlock(&ct_watch_mutex);
	pthread_join(ct_sweeper, NULL);
}

/*
 * A head this young is not closed for room while an older head or a body
 * behind its rate can be: a client that sends its request at once (a
 * sender, a health check) may not have been read yet on a busy machine.
 */
#define CT_HEAD_GRACE 1.0

/*
 * The connection to close for room (the mutex held), w being the newest:
 * the one that has waited longest for a request head, past CT_HEAD_GRACE;
 * or else the body furthest behind --min-body-rate; or else the oldest
 * head, however young; or else w.
 */
static CtWatched *
ct_watch_victim(CtWatched *w)
{
	double		rate = ct_config.min_body_rate > 0 ? (double) ct_config.min_body_rate : 1;
	double		now = ct_now();
	CtWatched  *oldest = w;
	CtWatched  *slowest = NULL;
	double		behind = 0;

	for (CtWatched *o = ct_watched; o != NULL; o = o->next)
	{
		if (o->closing)
			continue;
		if (o->phase == CT_PHASE_HEAD && o->since < oldest->since)
			oldest = o;
		if (o->phase == CT_PHASE_BODY && rate * (now - o->since) - (double) o->received > behind)
		{
			slowest = o;
			behind = rate * (now - o->since) - (double) o->received;
		}
	}
	if (oldest != w && now - oldest->since >= CT_HEAD_GRACE)
		return oldest;
	return slowest != NULL ? slowest : oldest;
}

/*
 * A new connection, waiting for its first request head; past
 * --max-connections, one is closed to make room (ct_watch_victim).
 */
CtWatched *
ct_watch_open(int fd)
{
	CtWatched  *w = calloc(1, sizeof(CtWatched));

	w->fd = fd;
	w->phase = CT_PHASE_HEAD;
	w->since = ct_now();
	ct_metrics_add(CT_STAT_CONNECTIONS, 1);
	pthread_mutex_lock(&ct_watch_mutex);
	w->next = ct_watched;
	if (ct_watched != NULL)
		ct_watched->prev = w;
	ct_watched = w;
	if (++ct_open > ct_config.max_connections)
		ct_watch_shut(ct_watch_victim(w), CT_STAT_CLOSED_FULL);
	pthread_mutex_unlock(&ct_watch_mutex);
	return w;
}

/* libmicrohttpd is closing the connection: forget it. */
void
ct_watch_close(CtWatched *w)
{
	pthread_mutex_lock(&ct_watch_mutex);
	if (!w->closing)
		ct_open--;
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		ct_watched = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&ct_watch_mutex);
	ct_metrics_add(CT_STAT_CONNECTIONS, -1);
	free(w);
}

/* Enter a phase, now. */
static void
ct_watch_phase(CtWatched *w, CtPhase phase)
{
	pthread_mutex_lock(&ct_watch_mutex);
	w->phase = phase;
	w->since = ct_now();
	w->received = 0;
	pthread_mutex_unlock(&ct_watch_mutex);
}

/* Ready for a request head: its answer is sent. */
void
ct_watch_head(CtWatched *w)
{
	ct_watch_phase(w, CT_PHASE_HEAD);
}

/* The head is in; its body (if any) is to come. */
void
ct_watch_body(CtWatched *w)
{
	ct_watch_phase(w, CT_PHASE_BODY);
}

/* n more body bytes arrived. */
void
ct_watch_received(CtWatched *w, size_t n)
{
	pthread_mutex_lock(&ct_watch_mutex);
	w->received += n;
	pthread_mutex_unlock(&ct_watch_mutex);
}

/* The request is in, or answered before its body: no deadline until its answer is sent. */
void
ct_watch_busy(CtWatched *w)
{
	ct_watch_phase(w, CT_PHASE_BUSY);
}
