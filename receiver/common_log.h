/*
 * common_log.h
 *	  Log lines on stderr and the monotonic clock, for any ctaudience
 *	  program (no HTTP, nothing of the receiver).
 */
#ifndef CT_COMMON_LOG_H
#define CT_COMMON_LOG_H

extern double ct_now(void);		/* seconds, monotonic */
extern void ct_log(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void ct_log_error(const char *what, const char *message);

#endif							/* CT_COMMON_LOG_H */
