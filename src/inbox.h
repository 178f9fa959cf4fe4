/*
 * inbox.h
 *	  Scheduled imports: ct_enqueue() and ct_process_inbox().
 */
#ifndef CT_INBOX_H
#define CT_INBOX_H

/* ctaudience.inbox_max_attempts: attempts before a message is dead-lettered. */
extern int	ct_inbox_max_attempts;

/* ctaudience.inbox_retry_delay: seconds before the first retry (then doubled). */
extern int	ct_inbox_retry_delay;

/* ctaudience.inbox_message_timeout: milliseconds one message may take; 0: no limit. */
extern int	ct_inbox_message_timeout;

/* ctaudience.inbox_retention: seconds an answered message is kept; -1: forever. */
extern int	ct_inbox_retention;

#endif							/* CT_INBOX_H */
