/*
 * common_log.c
 *	  Log lines on stderr, each with the time (UTC), and the monotonic clock
 *	  that timings and backoffs are measured with.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "common_log.h"

/* Seconds on the monotonic clock. */
double
ct_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One line on stderr, with the time (UTC). */
void
ct_log(const char *fmt,...)
{
	char		line[1024];
	char		stamp[32];
	struct timeval tv;
	struct tm	tm;
	va_list		args;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	fprintf(stderr, "%s.%03dZ %s\n", stamp, (int) (tv.tv_usec / 1000), line);
}

/*
 * "what: " and the first line of a libpq error message, which names the
 * server, never a password.
 */
void
ct_log_error(const char *what, const char *message)
{
	ct_log("%s: %.*s", what, (int) strcspn(message, "\n"), message);
}
