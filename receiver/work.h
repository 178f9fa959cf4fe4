/*
 * work.h
 *	  Work that may block (on the database), done by threads of its own
 *	  rather than the HTTP server's.
 */
#ifndef CT_WORK_H
#define CT_WORK_H

typedef struct CtJob CtJob;
typedef void (*CtJobFn) (CtJob *job);

/* A job; the caller embeds it in its own struct and keeps it until it ran. */
struct CtJob
{
	CtJobFn		run;			/* on a worker thread: may block */
	CtJobFn		expire;			/* instead, when no worker took it by its
								 * deadline */
	double		deadline;		/* ct_now() seconds; 0: none */
	CtJob	   *next;
};

typedef struct CtWork CtWork;

extern CtWork *ct_work_start(int threads);
extern void ct_work_submit(CtWork *work, CtJob *job);
extern void ct_work_stop(CtWork *work);

#endif							/* CT_WORK_H */
