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

/*
 * Read the envelope (checked as the jsonb reader checks it) and the account
 * settings of a message of any kind; false when json is not JSON or they
 * are not plain, and the caller parses it as jsonb.
 */
extern bool ct_stream_parse_head(char *json, int len, CtEnvelope *env,
								 CtCredentials *cred);

/*
 * A hint of a message's id and account.account_settings.accountId, read no
 * further into json than they are; false when it does not find both.
 */
extern bool ct_stream_peek_id(char *json, int len, CtStr *account_id, CtStr *id);

#endif							/* CT_STREAM_H */
