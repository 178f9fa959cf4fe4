/*
 * firehose.h
 *	  The jsonb reader: mParticle Firehose messages given as jsonb, read
 *	  into the C model of model.h.
 *
 * Parsing validates the whole shape of a message before anything is
 * written, so a malformed message fails with a path-naming error and
 * leaves nothing behind.  The JSON text of a membership message has a
 * reader of its own, stream.h, which accepts and refuses the same messages.
 */
#ifndef CT_FIREHOSE_H
#define CT_FIREHOSE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "jsonbutil.h"
#include "model.h"
/* for the files that include this header to build responses */

/* The root object of a request; anything else is a shape error. */
extern JsonbContainer *ct_message_root(Jsonb *request);

/*
 * Parse type, id, timestamp_ms and firehose_version; a message of a dated
 * kind (CT_DATED, kindlist.h) dated too far in the future is refused.
 */
extern void ct_parse_envelope(JsonbContainer *root, CtEnvelope *env);

/* Read the four account settings; missing ones stay empty. */
extern void ct_parse_credentials(JsonbContainer *root, CtCredentials *cred);

/* Parse a whole audience_membership_change_request, envelope included. */
extern void ct_parse_membership(JsonbContainer *root, CtMembershipMessage *msg);

/* Refuse audience_subscription_settings (a member of parent) over CT_MAX_SETTING_BYTES. */
extern void ct_check_settings_size(JsonbContainer *parent, const CtPath *path);

/*
 * The limits the import of a membership change checks before it writes
 * (profiles, audiences per message, each audience entry's settings size),
 * with its errors, without parsing the rest: what a queued message is
 * refused for at once.  Shape errors are left to its import.
 */
extern void ct_check_membership_limits(JsonbContainer *root);

#endif							/* CT_FIREHOSE_H */
