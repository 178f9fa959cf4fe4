/*
 * watch.h
 *	  Every open HTTP connection, so that none is held without sending:
 *	  deadlines for request heads and bodies, and room for new
 *	  connections.
 */
#ifndef CT_WATCH_H
#define CT_WATCH_H

#include <stddef.h>

typedef struct CtWatched CtWatched;

extern void ct_watch_start(void);
extern void ct_watch_stop(void);
extern CtWatched *ct_watch_open(int fd);
extern void ct_watch_close(CtWatched *w);
extern void ct_watch_head(CtWatched *w);
extern void ct_watch_body(CtWatched *w);
extern void ct_watch_received(CtWatched *w, size_t n);
extern void ct_watch_busy(CtWatched *w);

#endif							/* CT_WATCH_H */
