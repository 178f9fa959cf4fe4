/*
 * subscription.h
 *	  audience_subscription_request: an audience connected, changed or
 *	  disconnected.
 */
#ifndef CT_SUBSCRIPTION_H
#define CT_SUBSCRIPTION_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "message.h"

/* audience_subscription_request, for ct_message_handle. */
extern const CtMessageKind ct_subscription_kind;

#endif							/* CT_SUBSCRIPTION_H */
