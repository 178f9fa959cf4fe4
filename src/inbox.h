/*
 * inbox.h
 *	  Scheduled imports: ct_enqueue(), ct_process_inbox(), ct_run_inbox().
 */
#ifndef CT_INBOX_H
#define CT_INBOX_H

/* Define this module's settings, ctaudience.inbox_* (from _PG_init). */
extern void ct_inbox_init(void);

#endif							/* CT_INBOX_H */
