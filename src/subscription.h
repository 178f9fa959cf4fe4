/*
 * subscription.h
 *	  audience_subscription_request: an audience connected, changed or
 *	  disconnected.
 */
#ifndef CT_SUBSCRIPTION_H
#define CT_SUBSCRIPTION_H

#include "postgres.h"


#include "message.h"

/* Answer an audience_subscription_request (kindlist.h). */
extern CtHandler ct_subscription_handle;

#endif							/* CT_SUBSCRIPTION_H */
