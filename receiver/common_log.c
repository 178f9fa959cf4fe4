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

/*
 * One line on stderr, with the time (UTC).  It stays one line whatever its
 * arguments hold: a control character (a line feed, a carriage return, an
 * escape) is written as \xNN.  Text a client sent goes through ct_log_text
 * first, which escapes more and cuts it.
 */
void
ct_log(const char *fmt,...)
{
	char		line[1024];
	char		clean[4 * sizeof(line)];
	char		stamp[32];
	struct timeval tv;
	struct tm	tm;
	va_list		args;
	size_t		n = 0;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	for (const unsigned char *p = (const unsigned char *) line; *p != '\0'; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
			n += snprintf(clean + n, sizeof(clean) - n, "\\x%02x", *p);
		else
			clean[n++] = (char) *p;
	}
	clean[n] = '\0';
	fprintf(stderr, "%s.%03dZ %s\n", stamp, (int) (tv.tv_usec / 1000), clean);
}

/*
 * Text a client sent (a URL, a method, a header), as a log line may show
 * it, in dst: each byte outside printable ASCII as \xNN and a backslash as
 * \\, so that it can neither end the line (and forge the next), nor send a
 * terminal escape, nor be mistaken for an escape; cut with "..." where it
 * would pass size - 4 bytes.  Returns dst.
 */
const char *
ct_log_text(char *dst, size_t size, const char *src)
{
	size_t		n = 0;

	for (const unsigned char *p = (const unsigned char *) src; *p != '\0'; p++)
	{
		char		esc[5];
		size_t		len;

		if (*p == '\\')
			len = (size_t) snprintf(esc, sizeof(esc), "\\\\");
		else if (*p < 0x20 || *p >= 0x7f)
			len = (size_t) snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
		{
			esc[0] = (char) *p;
			len = 1;
		}
		if (n + len > size - 4)
		{
			memcpy(dst + n, "...", 4);
			return dst;
		}
		memcpy(dst + n, esc, len);
		n += len;
	}
	dst[n] = '\0';
	return dst;
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
