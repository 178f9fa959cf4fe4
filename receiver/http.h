/*
 * http.h
 *	  The receiver's HTTP server (libmicrohttpd).
 */
#ifndef CT_HTTP_H
#define CT_HTTP_H

#include <stdbool.h>

extern bool ct_http_start(void);
extern void ct_http_stop(void);

#endif							/* CT_HTTP_H */
