/*
 * receiver.h
 *	  ctaudience-receiver: the HTTP endpoint mParticle posts Firehose
 *	  messages to, in front of a PostgreSQL database with ctaudience.
 */
#ifndef CT_RECEIVER_H
#define CT_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "common_log.h"
#include "config.h"
#include "statements.h"

/* ---- metrics.c: Prometheus counters ---- */

extern void ct_metrics_request(int status, double seconds);
extern char *ct_metrics_text(void);	/* malloc'd */

#endif							/* CT_RECEIVER_H */
