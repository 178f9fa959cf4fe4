/*
 * common_log.h
 *	  Log lines on stderr and the monotonic clock, for any ctaudience
 *	  program (no HTTP, nothing of the receiver).
 */
#ifndef CT_COMMON_LOG_H
#define CT_COMMON_LOG_H

#include <stddef.h>

extern double ct_now(void);		/* seconds, monotonic */
extern void ct_log(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void ct_log_error(const char *what, const char *message);
extern const char *ct_log_text(char *dst, size_t size, const char *src);

#endif							/* CT_COMMON_LOG_H */
