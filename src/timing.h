/*
 * timing.h
 *	  Where an import's time goes, step by step, for the benchmark and for
 *	  anyone tuning a receiver: with ctaudience.log_timing on, each message
 *	  logs its steps in microseconds.  Off (the default) it costs a branch.
 */
#ifndef CT_TIMING_H
#define CT_TIMING_H

#include "postgres.h"

#include "portability/instr_time.h"

typedef enum CtStep
{
	CT_STEP_PARSE,				/* read and validate the message */
	CT_STEP_AUTH,				/* authenticate, redelivery check */
	CT_STEP_SEGMENTS,			/* look up / create / rename segments */
	CT_STEP_RESOLVE,			/* identity rules, email (and some phone)
								 * normalization */
	CT_STEP_LOOKUP,				/* profile lookups */
	CT_STEP_MERGE,				/* slots, merges, phone normalization */
	CT_STEP_INSERT,				/* new profiles (with their trigger) */
	CT_STEP_UPDATE,				/* changed profiles (with their trigger) */
	CT_STEP_MEMBERS,			/* membership upsert (with its trigger) */
	CT_STEP_TRIGGER,			/* of which: the statement triggers */
	CT_STEP_LOG,				/* import log and samples */
	CT_NUM_STEPS
} CtStep;

extern bool ct_log_timing;
extern double ct_step_us[CT_NUM_STEPS];

/* Time a statement (or block) into a step when ctaudience.log_timing is on. */
#define CT_TIMED(step, stmt) \
	do { \
		if (ct_log_timing) \
		{ \
			instr_time	ct_t0_, ct_t1_; \
			INSTR_TIME_SET_CURRENT(ct_t0_); \
			stmt; \
			INSTR_TIME_SET_CURRENT(ct_t1_); \
			INSTR_TIME_SUBTRACT(ct_t1_, ct_t0_); \
			ct_step_us[(step)] += INSTR_TIME_GET_MICROSEC(ct_t1_); \
		} \
		else \
		{ \
			stmt; \
		} \
	} while (0)

/* The same around code that is not one statement: start, then add to a step. */
static inline void
ct_timer_start(instr_time *t0)
{
	if (ct_log_timing)
		INSTR_TIME_SET_CURRENT(*t0);
}

static inline void
ct_timer_add(CtStep step, instr_time *t0)
{
	if (ct_log_timing)
	{
		instr_time	t1;

		INSTR_TIME_SET_CURRENT(t1);
		INSTR_TIME_SUBTRACT(t1, *t0);
		ct_step_us[step] += INSTR_TIME_GET_MICROSEC(t1);
	}
}

/* Define ctaudience.log_timing (from _PG_init). */
extern void ct_timing_init(void);

/* Reset the counters; log them (LOG) with the number of profiles. */
extern void ct_timing_reset(void);
extern void ct_timing_report(int64 profiles);

#endif							/* CT_TIMING_H */
