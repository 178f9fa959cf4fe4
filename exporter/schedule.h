/*
 * schedule.h
 *	  The passes over the projects due, and the workers that export them.
 */
#ifndef CT_SCHEDULE_H
#define CT_SCHEDULE_H

/*
 * Run passes until a stop (or, with --once, one pass, its retries
 * included); the exit status: 0, or 1 with --once when something due was
 * left unsent.
 */
extern int	ct_schedule_run(void);

/* Stop: every worker finishes the request it has in flight, no new one begins. */
extern void ct_schedule_stop(void);

#endif							/* CT_SCHEDULE_H */
