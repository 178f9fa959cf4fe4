/*
 * pace.c
 *	  The exporter's time.  Waits are on one condition variable that a
 *	  stop broadcasts, so that SIGTERM ends every wait at once; the clock
 *	  is the monotonic one.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common_log.h"
#include "pace.h"

static pthread_mutex_t ct_pace_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ct_pace_cond;
static pthread_once_t ct_pace_once = PTHREAD_ONCE_INIT;
static bool ct_stop_asked = false;

/* the rate limit's bucket: tokens are batches */
static double ct_rate = 0;
static double ct_tokens;
static double ct_capacity;
static double ct_filled_at;

/* for the jitter */
static struct drand48_data ct_random;

static void
ct_pace_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ct_pace_cond, &attr);
	srand48_r((long) getpid() ^ (long) time(NULL), &ct_random);
}

/* See pace.h. */
void
ct_stop(void)
{
	pthread_once(&ct_pace_once, ct_pace_init);
	pthread_mutex_lock(&ct_pace_mutex);
	ct_stop_asked = true;
	pthread_cond_broadcast(&ct_pace_cond);
	pthread_mutex_unlock(&ct_pace_mutex);
}

/* See pace.h. */
bool
ct_stopping(void)
{
	bool		s;

	pthread_mutex_lock(&ct_pace_mutex);
	s = ct_stop_asked;
	pthread_mutex_unlock(&ct_pace_mutex);
	return s;
}

/* Wait on the condition until the monotonic time until; the mutex is held. */
static void
ct_wait_until_locked(double until)
{
	struct timespec deadline;

	deadline.tv_sec = (time_t) until;
	deadline.tv_nsec = (long) ((until - (double) deadline.tv_sec) * 1e9);
	if (deadline.tv_nsec >= 1000000000)
		deadline.tv_nsec = 999999999;
	pthread_cond_timedwait(&ct_pace_cond, &ct_pace_mutex, &deadline);
}

/* See pace.h. */
bool
ct_wait(double seconds)
{
	double		until = ct_now() + seconds;
	bool		go_on;

	pthread_once(&ct_pace_once, ct_pace_init);
	pthread_mutex_lock(&ct_pace_mutex);
	while (!ct_stop_asked && ct_now() < until)
		ct_wait_until_locked(until);
	go_on = !ct_stop_asked;
	pthread_mutex_unlock(&ct_pace_mutex);
	return go_on;
}

/* See pace.h. */
double
ct_backoff(int tries, int max_seconds)
{
	double		d = 0.5;
	double		r;

	pthread_once(&ct_pace_once, ct_pace_init);
	for (int i = 1; i < tries && d < max_seconds; i++)
		d *= 2;
	if (d > max_seconds)
		d = max_seconds;
	pthread_mutex_lock(&ct_pace_mutex);
	drand48_r(&ct_random, &r);
	pthread_mutex_unlock(&ct_pace_mutex);
	return d / 2 + r * d / 2;
}

/* See pace.h. */
int
ct_retry_after(const char *value)
{
	long		v = 0;
	const char *p = value;

	if (value == NULL)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if (v <= 86400)
			v = v * 10 + (*p - '0');
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p != '\0')
		return -1;
	return v > 86400 ? 86400 : (int) v;
}

/* See pace.h. */
void
ct_rate_init(int per_second)
{
	pthread_once(&ct_pace_once, ct_pace_init);
	ct_rate = per_second;
	ct_capacity = per_second > CT_MAX_BATCHES ? per_second : CT_MAX_BATCHES;
	ct_tokens = ct_capacity;
	ct_filled_at = ct_now();
}

/* Add what the time since the last fill gives; the mutex is held. */
static void
ct_rate_fill_locked(void)
{
	double		now = ct_now();

	ct_tokens += (now - ct_filled_at) * ct_rate;
	if (ct_tokens > ct_capacity)
		ct_tokens = ct_capacity;
	ct_filled_at = now;
}

/* See pace.h. */
bool
ct_rate_reserve(int batches)
{
	bool		go_on;

	if (ct_rate == 0)
		return !ct_stopping();
	pthread_mutex_lock(&ct_pace_mutex);
	for (;;)
	{
		ct_rate_fill_locked();
		if (ct_stop_asked || ct_tokens >= batches)
			break;
		ct_wait_until_locked(ct_now() + (batches - ct_tokens) / ct_rate);
	}
	go_on = !ct_stop_asked;
	if (go_on)
		ct_tokens -= batches;
	pthread_mutex_unlock(&ct_pace_mutex);
	return go_on;
}

/* See pace.h. */
void
ct_rate_refund(int batches)
{
	if (ct_rate == 0 || batches <= 0)
		return;
	pthread_mutex_lock(&ct_pace_mutex);
	ct_rate_fill_locked();
	ct_tokens += batches;
	if (ct_tokens > ct_capacity)
		ct_tokens = ct_capacity;
	pthread_mutex_unlock(&ct_pace_mutex);
}
