/*
 * stream.h
 *	  Parse the JSON text of a membership message without building jsonb.
 */
#ifndef CT_STREAM_H
#define CT_STREAM_H

#include "model.h"

/*
 * Parse json (len bytes, in the database encoding) into env and msg when it
 * is a well-formed audience_membership_change_request; false otherwise, and
 * the caller parses it as jsonb for the canonical answer or error.
 */
extern bool ct_stream_parse_membership(char *json, int len, CtEnvelope *env,
									   CtMembershipMessage *msg);

#endif							/* CT_STREAM_H */
