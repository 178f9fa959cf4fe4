/*
 * pace.h
 *	  The exporter's time: the stop that SIGTERM asks for and the waits it
 *	  cuts short, the backoff before a retry, mParticle's Retry-After, and
 *	  the rate limit of batches per second.
 */
#ifndef CT_PACE_H
#define CT_PACE_H

#include <stdbool.h>

/* Ask every wait to end and every worker to stop after the request in flight. */
extern void ct_stop(void);
extern bool ct_stopping(void);

/* Sleep seconds, or less when a stop is asked for; false when stopping. */
extern bool ct_wait(double seconds);

/*
 * Seconds to wait before the next try of a request tried tries times:
 * exponential (0.5 s, 1 s, 2 s ... up to max_seconds) with jitter, each
 * delay drawn from its upper half.
 */
extern double ct_backoff(int tries, int max_seconds);

/* Retry-After's seconds (a non-negative whole number; at most a day), or -1. */
extern int	ct_retry_after(const char *value);

/*
 * The rate limit: a bucket of per_second batches (at least a full
 * request's 100), refilled continuously; 0 turns it off.  A worker reserves
 * a full request's worth before it claims one, so that it never waits
 * while it holds a request, and gives back what the request did not use.
 */
#define CT_MAX_BATCHES 100
extern void ct_rate_init(int per_second);
extern bool ct_rate_reserve(int batches);	/* waits; false when stopping */
extern void ct_rate_refund(int batches);

#endif							/* CT_PACE_H */
